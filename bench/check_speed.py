"""How fast `wlsite check` answers on a large register. Prints figures; asserts nothing.

    .venv/bin/python -m bench.check_speed [N] [--ruamel]

Generates a synthetic register of N enterprises (default 10,000), then times: our event
loader, libyaml's `compose` (the reference the design quotes), optionally ruamel.yaml's
round-trip load, the validation, and the whole `wlsite check` command in a fresh process.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from bench.synthetic import register_yaml
from generator.register.load import load_yaml
from generator.register.validate import check_register, check_site
from generator.register.workdays import WorkCalendar

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    seconds = time.perf_counter() - started
    print(f"  {label:<34} {seconds:7.2f} s")
    return seconds


def main() -> None:
    count = int(next((a for a in sys.argv[1:] if a.isdigit()), "10000"))
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        shutil.copytree(ROOT / "data", data)
        register = data / "register.yaml"
        register.write_text(register_yaml(count), encoding="utf-8")
        size = register.stat().st_size / 1e6
        print(f"register: {count:,} enterprises, {size:.1f} MB")
        text = register.read_text(encoding="utf-8")
        loaded = load_yaml(register)
        timed("load (libyaml events, ours)", lambda: load_yaml(register))
        timed("libyaml compose (reference)", lambda: yaml.compose(text, Loader=yaml.CSafeLoader))
        if "--ruamel" in sys.argv:
            from ruamel.yaml import YAML

            timed("ruamel.yaml round-trip load", lambda: YAML().load(text))
        site, _ = check_site(load_yaml(data / "site.yaml"))
        timed("validate (models + rules)", lambda: check_register(loaded, site, WorkCalendar(), "holidays.yaml"))
        command = [sys.executable, "-m", "generator", "check", "--data", str(data)]
        timed("`wlsite check` (whole command)", lambda: subprocess.run(command, check=True, capture_output=True))


if __name__ == "__main__":
    main()
