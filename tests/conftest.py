"""Shared fixtures: the sample data, a fixed build date, and one built site per test session."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from generator.build import BuildConfig, build

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED = DATA / "guidelines" / "xinxian.txt"
TODAY = date(2026, 11, 28)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the sample data that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built once for the session on the fixed date."""
    root = tmp_path_factory.mktemp("built")
    out = root / "site"
    build(BuildConfig(data_dir=DATA, out_dir=out, today=TODAY, staff_dir=root / "staff"))
    return out


@pytest.fixture(scope="session")
def pdf_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build cache for the tests that are not about the cache: each PDF is rendered once per
    test session, so the many small builds cost little more than the site engine."""
    return tmp_path_factory.mktemp("cache")


def small_project(tmp_path: Path, enterprises: int = 10) -> tuple[Path, Path]:
    """A copy of mkdocs.yml, docs/ and forms/ (to break templates in), and a short copy of the data."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root)
    shutil.copytree(ROOT / "docs", root / "docs")
    shutil.copytree(ROOT / "forms", root / "forms")
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    register = data / "register.yaml"
    head, *items = register.read_text(encoding="utf-8").split("\n  - uscc:")
    register.write_text("\n  - uscc:".join([head, *items[:enterprises]]) + "\n", encoding="utf-8")
    return root, data


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


SITE_PREFIX = "/whitelist/"  # the path of base_url in data/site.yaml


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(site: Path, prefix: str) -> Iterator[str]:
    """`site` served at http://127.0.0.1:PORT{prefix}; stopped by its PID."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "tests.serve", str(site), str(port), prefix], cwd=ROOT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}{prefix}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def site_server(built_site: Path) -> Iterator[str]:
    """The built site served at http://127.0.0.1:PORT/whitelist/."""
    with serving(built_site, SITE_PREFIX) as url:
        yield url
