"""Staff workflow: Excel out and in, and the preview server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from generator.cli import cli
from generator.inputs import load_inputs
from generator.register.uscc import make
from tests.conftest import ROOT


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def exported(data_dir: Path, tmp_path: Path) -> Path:
    workbook = tmp_path / "登记册.xlsx"
    code, out, err = run("export", "--xlsx", str(workbook), "--data", str(data_dir))
    assert code == 0, err
    assert "企业 34 家" in out
    return workbook


def test_export_then_import_keeps_every_enterprise_and_field(data_dir: Path, tmp_path: Path) -> None:
    before = (data_dir / "register.yaml").read_bytes()
    inputs_before = load_inputs(data_dir)
    workbook = exported(data_dir, tmp_path)
    code, out, err = run("import", str(workbook), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    assert "未写入" in out and "登记册没有变化。" in out and "公开内容没有变化" in out
    assert not (data_dir / ".history").exists()
    assert (data_dir / "register.yaml").read_bytes() == before
    inputs_after = load_inputs(data_dir)
    assert inputs_after.register == inputs_before.register  # every enterprise, field and event


def test_the_workbook_marks_private_columns_and_offers_lists(data_dir: Path, tmp_path: Path) -> None:
    book = load_workbook(exported(data_dir, tmp_path))
    sheet = book["企业"]
    headers = {cell.value: cell for cell in sheet[1]}
    assert headers["联系电话（内部）"].fill.fgColor.rgb.endswith("6E4B00")
    assert headers["企业名称"].fill.fgColor.rgb.endswith("9B1C1C")
    lists = {str(v.sqref).split(":")[0][:1]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert any("选项!" in formula for formula in lists.values())
    assert book["选项"].sheet_state == "hidden" and "说明" in book.sheetnames


def cell(sheet: Any, header: str, row: int) -> Any:
    """The cell under `header` in `row` (openpyxl is untyped)."""
    columns = {c.value: c.column for c in sheet[1]}
    return sheet.cell(row=row, column=columns[header])


def test_an_edited_workbook_merges_into_the_register(data_dir: Path, tmp_path: Path) -> None:
    workbook = exported(data_dir, tmp_path)
    register = data_dir / "register.yaml"
    before = register.read_text(encoding="utf-8")
    book = load_workbook(workbook)
    enterprises, events, rounds = book["企业"], book["事件"], book["批次"]
    cell(enterprises, "企业地址", 2).value = "新县新集镇示例大道 99 号"
    new_code = make("91", "411523", "MA9XT001")
    row = enterprises.max_row + 1
    values = {
        "统一社会信用代码": new_code, "企业名称": "新县新增示例纺织有限公司", "行业类别": "工业",
        "入库条件1": "规上工业企业", "所属乡镇": "苏河镇", "企业地址": "新县苏河镇示例路 7 号", "所属行业": "纺织业",
        "法定代表人": "周某明", "从业人数": 120, "主要产品": "棉纱",
        "疫情防控负责人": "吴某华", "负责人职务": "副总经理",
        "联系人（内部）": "郑某", "联系电话（内部）": "0376-01111111", "在县内注册": "是", "生产经营正常": "是",
        "诚信度好": "是", "环保达标": "是", "安全生产达标": "是", "执行防控指南": "是", "弄虚作假": "否",
        "重大事故": "否", "严重失信": "否",
    }  # fmt: skip
    for header, value in values.items():
        cell(enterprises, header, row).value = value
    line = events.max_row + 1
    event = {"统一社会信用代码": new_code, "企业名称（核对用）": "新县新增示例纺织有限公司", "日期": date(2026, 11, 26)}
    for header, value in {**event, "事件": "申报"}.items():
        cell(events, header, line).value = value
    line = rounds.max_row + 1
    for header, value in {"批次编号": "2026-02", "批次名称": "第五批", "公示日期": date(2026, 12, 14)}.items():
        cell(rounds, header, line).value = value
    book.save(workbook)

    code, out, err = run("import", str(workbook), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    assert "登记册：新增企业 1 家，修改 1 家，删除 0 家；新增事件 1 条；新增批次 1 个。" in out
    assert [p.name for p in (data_dir / ".history").iterdir()] == [
        p.name for p in (data_dir / ".history").glob("register-*.yaml")
    ]
    assert (next((data_dir / ".history").iterdir())).read_text(encoding="utf-8") == before
    after = register.read_text(encoding="utf-8")
    assert after.splitlines()[:12] == before.splitlines()[:12]  # the header comments stay
    assert "新县新集镇示例大道 99 号" in after and "新县新集镇示例路 3 号" not in after
    assert f'  - uscc: "{new_code}"' in after and "{date: 2026-11-26, event: applied}" in after
    assert '  - id: "2026-02"\n    title: 第五批\n    notice_start: 2026-12-14' in after
    assert run("check", "--data", str(data_dir))[0] == 0


def test_a_workbook_with_bad_rows_gives_located_messages_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    workbook = exported(data_dir, tmp_path)
    register = data_dir / "register.yaml"
    before = register.read_bytes()
    book = load_workbook(workbook)
    enterprises, events = book["企业"], book["事件"]
    cell(enterprises, "所属乡镇", 5).value = "新集乡"
    cell(enterprises, "诚信度好", 6).value = "可能"
    cell(enterprises, "统一社会信用代码", 7).value = "91411523MA9G12340X"
    cell(events, "统一社会信用代码", 3).value = make("91", "411523", "MA9YYYY1")
    enterprises.cell(row=1, column=enterprises.max_column + 1).value = "企业网址"
    book.save(workbook)
    name = workbook.as_posix()

    code, _, err = run("import", str(workbook), "--data", str(data_dir))
    assert code == 1
    lines = err.splitlines()
    township = "“新集乡”不是新县的乡镇（见 site.yaml 的 county.townships）；是不是“新集镇”？"
    assert f"{name}:企业!G5（所属乡镇）: {township}" in lines
    assert f"{name}:企业!T6（诚信度好）: 应填“是”或“否”，实际为“可能”" in lines
    assert not any("T6" in line and "已批准入库" in line for line in lines)  # one message per wrong cell
    wrong_code = f"{name}:企业!A7（统一社会信用代码）: 统一社会信用代码未通过校验"
    assert any(
        line.startswith(wrong_code) for line in lines
    )  # a changed code is a new enterprise, located all the same
    assert not any("enterprises[" in line for line in lines)  # the clerk's terms, never a YAML path
    assert any(
        line.startswith(f"{name}:事件!A3（统一社会信用代码）") and "都没有统一社会信用代码" in line for line in lines
    )
    assert f"{name}:企业!AA1: 企业网址: 未知的列“企业网址”；是不是“企业地址”？" in lines
    assert lines[-1].endswith("未生成任何文件。")
    assert register.read_bytes() == before


def test_a_plain_workbook_with_the_same_headers(data_dir: Path, tmp_path: Path) -> None:
    inputs = load_inputs(data_dir)
    first = inputs.register.enterprises[0]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "企业"
    sheet.append(["所属乡镇", "统一社会信用代码"])  # any order, only the columns to change
    sheet.append(["沙窝镇", first.uscc.lower()])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    code, out, err = run("import", str(plain), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    assert "修改 1 家" in out and f"所属乡镇 {first.township} → 沙窝镇" in out
    after = load_inputs(data_dir)
    assert after.register.enterprises[0].township == "沙窝镇"
    assert after.register.enterprises[0].name == first.name  # untouched columns stay


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode("utf-8"))


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():  # type: ignore[operator]
                return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


@pytest.mark.browser
def test_serve_answers_on_localhost_and_rebuilds_after_a_change(data_dir: Path, tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--data", str(data_dir), "--port", str(port),
             "--cache", str(tmp_path / "cache"), "--today", "2026-11-28"],
            cwd=tmp_path, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}/whitelist/index.html"
            assert wait_for(lambda: "新县青檀示例纺织有限公司" in fetch(url), 180), log.read_text(encoding="utf-8")
            register = data_dir / "register.yaml"
            text = register.read_text(encoding="utf-8")
            register.write_text(text.replace("新县青檀示例纺织有限公司", "新县青檀示例织造有限公司"), encoding="utf-8")
            assert wait_for(lambda: "新县青檀示例织造有限公司" in fetch(url), 180), log.read_text(encoding="utf-8")
        finally:
            process.terminate()
            process.wait(timeout=30)
    assert "预览地址：http://127.0.0.1:" in log.read_text(encoding="utf-8")
