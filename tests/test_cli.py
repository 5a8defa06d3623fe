"""The command line as staff use it: exit codes, messages, and nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import DATA, ROOT


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_on_the_sample() -> None:
    code, out, _ = run("check", "--data", str(DATA))
    assert code == 0
    assert "检查通过" in out


def test_check_json_is_machine_readable() -> None:
    code, out, _ = run("check", "--data", str(DATA), "--json")
    report = json.loads(out)
    assert code == 0 and report["ok"] is True and report["errors"] == 0 and report["problems"] == []


def test_build_with_a_broken_guideline_exits_1_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    guideline = data_dir / "guidelines" / "xinxian.txt"
    guideline.write_bytes("只有一行，没有结构。\n".encode())
    out = tmp_path / "site"
    code, _, err = run("build", "--data", str(data_dir), "--out", str(out), "--today", "2026-11-28")
    assert code == 1
    assert f"{guideline.as_posix()}:1: 无法识别文件结构" in err
    assert "未生成任何文件" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_usage_errors_exit_2() -> None:
    assert run("build", "--today", "2026-13-01")[0] == 2
    assert run("no-such-command")[0] == 2
    assert run("check", "--no-such-option")[0] == 2


def test_help_is_in_chinese_with_english_terms() -> None:
    code, out, _ = run("build", "--help")
    assert code == 0
    assert "生成整个网站" in out and "build the site" in out


def test_python_dash_m_generator_is_the_same_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--data", str(DATA)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stdout
