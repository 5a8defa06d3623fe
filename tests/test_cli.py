"""The command line as staff use it: exit codes, messages, and nothing written on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from generator.cli import cli
from tests.conftest import DATA, ROOT, TODAY


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


def break_register(data_dir: Path) -> Path:
    register = data_dir / "register.yaml"
    text = register.read_text(encoding="utf-8")
    text = text.replace('uscc: "91411523MA9DH1A205"', 'uscc: "91411523MA9DH1A206"', 1)
    text = text.replace("    township: 八里畈镇\n", "    township: 八里乡\n", 1)
    register.write_text(text, encoding="utf-8")
    return register


def test_check_lists_every_problem_sorted_then_a_count(data_dir: Path) -> None:
    register = break_register(data_dir)
    lines = register.read_text(encoding="utf-8").splitlines()
    uscc_line = next(i for i, t in enumerate(lines, 1) if "91411523MA9DH1A206" in t)
    township_line = next(i for i, t in enumerate(lines, 1) if "township: 八里乡" in t)
    code, out, _ = run("check", "--data", str(data_dir))
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{register.as_posix()}:{uscc_line}: enterprises[1].uscc: 统一社会信用代码未通过校验")
    assert lines[1:] == [
        f"{register.as_posix()}:{township_line}: enterprises[1].township: “八里乡”不是新县的乡镇"
        "（见 site.yaml 的 county.townships）；是不是“八里畈镇”？",
        "共 2 个错误、0 个警告；未生成任何文件。",
    ]


def test_check_json_reports_the_same_problems(data_dir: Path) -> None:
    break_register(data_dir)
    code, out, _ = run("check", "--data", str(data_dir), "--json")
    report = json.loads(out)
    assert code == 1 and report["ok"] is False and report["errors"] == 2
    assert [(p["code"], p["field"]) for p in report["problems"]] == [
        ("uscc.checksum", "enterprises[1].uscc"),
        ("township.unknown", "enterprises[1].township"),
    ]
    assert report["problems"][0]["line"] > 0 and report["problems"][0]["severity"] == "error"


def test_warnings_pass_unless_strict(data_dir: Path) -> None:
    from generator.register.uscc import make

    register = data_dir / "register.yaml"
    outside = make("91", "411502", "MA9G1234")
    text = register.read_text(encoding="utf-8").replace("91411523MA9DH1A205", outside, 1)
    register.write_text(text, encoding="utf-8")
    # On the session's date, when the sample's fourth round is in its notice period.
    code, out, _ = run("check", "--data", str(data_dir), "--today", TODAY.isoformat())
    assert code == 0
    assert "警告：行政区划码 411502 不是新县（411523）" in out
    assert out.splitlines()[-2] == "共 0 个错误、1 个警告。"
    assert out.splitlines()[-1].startswith("按 ") and "公示中" in out.splitlines()[-1]
    code, out, _ = run("check", "--data", str(data_dir), "--strict")
    assert code == 1
    assert out.splitlines()[-1] == "共 0 个错误、1 个警告；未生成任何文件。"


def test_no_traceback_without_debug(data_dir: Path) -> None:
    (data_dir / "register.yaml").write_text("rounds: [\n", encoding="utf-8")
    code, _, err = run("build", "--data", str(data_dir), "--out", str(data_dir.parent / "out"))
    assert code == 1 and "Traceback" not in err
    assert "register.yaml:2: YAML 语法错误" in err
