"""The 操作手册 (MANUAL.md) as a clerk would follow it: its commands, in its order, with the
spreadsheet edits it describes in between, on a copy of the sample data."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup
from openpyxl import load_workbook

from generator.register.uscc import make
from tests.conftest import DATA, ROOT

MANUAL = ROOT / "MANUAL.md"
NEW = make("91", "411523", "MA9MNL01")
FILED = make("91", "411523", "MA9MNL02")  # handed in as an application file
NAME = "新县手册示例纺织有限公司"


def manual_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", MANUAL.read_text(encoding="utf-8"), re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.startswith(".venv/bin/wlsite")]


def run(command: str, folder: Path, day: date) -> str:
    epoch = str(int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()))
    argv = [sys.executable, "-m", "generator", *command.split()[1:]]
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(argv, cwd=folder, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def add_row(sheet: Any, values: dict[str, Any]) -> None:
    columns = {c.value: c.column for c in sheet[1]}
    row = sheet.max_row + 1
    for header, value in values.items():
        sheet.cell(row=row, column=columns[header], value=value)


def enter_applicant(workbook: Path) -> None:
    """第 2 步: a new enterprise in 企业, its 申报 and 审核 in 事件."""
    book = load_workbook(workbook)
    add_row(book["企业"], {
        "统一社会信用代码": NEW, "企业名称": NAME, "行业类别": "工业", "入库条件1": "规上工业企业",
        "所属乡镇": "八里畈镇", "企业地址": "新县八里畈镇示例路 9 号", "所属行业": "纺织业", "法定代表人": "钱某明",
        "从业人数": 150, "主要产品": "色织布", "疫情防控负责人": "孙某华", "负责人职务": "副总经理",
        "联系人（内部）": "李某", "联系电话（内部）": "0376-02222222", "在县内注册": "是", "生产经营正常": "是",
        "诚信度好": "是", "环保达标": "是", "安全生产达标": "是", "执行防控指南": "是", "弄虚作假": "否",
        "重大事故": "否", "严重失信": "否",
    })  # fmt: skip
    add_row(book["事件"], {"统一社会信用代码": NEW, "日期": date(2026, 11, 20), "事件": "申报"})
    reviewed = {"统一社会信用代码": NEW, "日期": date(2026, 11, 25), "事件": "审核"}
    add_row(book["事件"], {**reviewed, "审核单位": "八里畈镇"})
    book.save(workbook)


def approve(workbook: Path, round_id: str) -> None:
    """第 5 步: 批准 with the new round's id."""
    book = load_workbook(workbook)
    add_row(book["事件"], {"统一社会信用代码": NEW, "日期": date(2026, 11, 27), "事件": "批准", "批次编号": round_id})
    book.save(workbook)


def remove(workbook: Path) -> None:
    """移出一家企业: 移出 with a public reason and an internal note."""
    book = load_workbook(workbook)
    removal = {"统一社会信用代码": NEW, "日期": date(2026, 12, 10), "事件": "移出"}
    reasons = {"公开原因": "企业停产，不再符合白名单条件", "内部备注（内部）": "乡镇 12 月 9 日报告"}
    add_row(book["事件"], {**removal, **reasons})
    book.save(workbook)


def page(folder: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((folder / "site" / name).read_text(encoding="utf-8"), "html.parser")


def test_the_manual_works_as_written(tmp_path: Path) -> None:
    commands = manual_commands()
    assert [c.split()[1] for c in commands] == [
        "import",  # application files
        "export", "import", "check", "round", "export", "import", "check", "build",  # a round
        "export", "import", "check", "build",  # a removal
    ]  # fmt: skip
    shutil.copytree(DATA, tmp_path / "data")
    workbook = tmp_path / "登记册.xlsx"
    friday, notice_day, removal_day = date(2026, 11, 27), date(2026, 11, 30), date(2026, 12, 10)

    received = tmp_path / commands[0].split()[-1]
    received.mkdir()
    application = json.loads((ROOT / "tests" / "data" / "application.json").read_text(encoding="utf-8"))
    (received / f"白名单申请-{FILED}.json").write_text(json.dumps({**application, "uscc": FILED}), encoding="utf-8")
    assert "新增企业 1 家" in run(commands[0], tmp_path, friday)
    run(commands[1], tmp_path, friday)
    enter_applicant(workbook)
    assert "新增企业 1 家" in run(commands[2], tmp_path, friday)
    assert "检查通过" in run(commands[3], tmp_path, friday)
    opened = run(commands[4], tmp_path, friday)
    round_id = re.search(r"已新增批次 (\S+)（第五批）", opened)
    assert round_id is not None and "公示期：2026年11月30日至2026年12月4日" in opened
    run(commands[5], tmp_path, friday)
    approve(workbook, round_id.group(1))
    assert NAME in run(commands[6], tmp_path, friday)  # the import lists what the site will show
    assert "检查通过" in run(commands[7], tmp_path, friday)
    built = run(commands[8], tmp_path, notice_day)
    counts = re.search(r"（\d+ 个页面，(\d+) 个 PDF，其中本次新生成 (\d+) 个", built)
    staff = re.search(r"（(\d+) 份，本次新生成 (\d+) 份）", built)
    assert counts and staff, built
    assert 0 < int(counts.group(2)) <= int(counts.group(1)) and 0 < int(staff.group(2)) <= int(staff.group(1))
    notice = page(tmp_path, f"notices/{round_id.group(1)}.html")
    assert "关于新县第五批" in notice.get_text() and NAME in notice.get_text()
    assert "第五批" in page(tmp_path, "index.html").select_one(".wl-open-notices").get_text()  # type: ignore[union-attr]
    assert page(tmp_path, f"whitelist/{NEW}.html").select_one(".wl-status__label").get_text() == "公示中"  # type: ignore[union-attr]
    assert (tmp_path / "site" / "notices" / f"{round_id.group(1)}.pdf").is_file()

    run(commands[9], tmp_path, removal_day)
    remove(workbook)
    run(commands[10], tmp_path, removal_day)
    run(commands[11], tmp_path, removal_day)
    run(commands[12], tmp_path, removal_day)
    removal = page(tmp_path, "notices/removal-2026-12-10.html").get_text()
    assert NAME in removal and "企业停产，不再符合白名单条件" in removal and "乡镇 12 月 9 日报告" not in removal
    assert page(tmp_path, f"whitelist/{NEW}.html").select_one(".wl-status__label").get_text() == "已移出"  # type: ignore[union-attr]
    assert NAME not in page(tmp_path, "whitelist/index.html").select_one("#wl-directory").get_text()  # type: ignore[union-attr]
