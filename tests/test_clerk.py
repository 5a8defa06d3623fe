"""The clerk's path, as a new clerk walks it: every independent problem in one run, syntax errors
where the construct opened, Excel typed the everyday way, import and diff that agree, a backup
before every write, Chinese usage errors, and commands that start without the PDF engine."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from generator.cli import cli
from generator.errors import InputError
from generator.inputs import load_inputs
from generator.register.load import load_yaml, parse_yaml
from generator.register.validate import check_holidays, check_register, check_site
from generator.register.workdays import WorkCalendar
from generator.staff.yamlfile import KEEP_BACKUPS, RegisterFile
from tests.conftest import DATA, ROOT


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def register_problems(text: str) -> list[tuple[str, int, str]]:
    site, _ = check_site(load_yaml(DATA / "site.yaml"))
    _, found = check_register(parse_yaml(text, "r.yaml"), site, WorkCalendar(), "h.yaml")
    return sorted((p.code, p.line, p.field) for p in found)


ENTERPRISE = """\
  - uscc: "{uscc}"
    name: {name}
    sector: {sector}
    qualifications: [{qualification}]
    township: {township}
    address: 新县新集镇示例路 1 号
    industry: 纺织业
    legal_representative: 王某明
    employees: {employees}
    main_products: 棉纱
    epidemic_lead: {{name: 刘某华, title: 副总经理}}
    contact: {{name: 陈某, phone: "0376-01234567"}}
    declarations:
      registered_in_county: true
      operating_normally: true
      good_credit: {good_credit}
      environment_compliant: true
      safety_compliant: true
      follows_guideline: true
    exclusions:
      fraud: false
      major_accident: {major_accident}
      serious_dishonesty: false
    history:
{history}"""


def enterprise(**fields: str) -> str:
    defaults = {
        "uscc": "91411523MA9G12340J",
        "name": "新县甲示例纺织有限公司",
        "sector": "工业",
        "qualification": "规上工业企业",
        "township": "新集镇",
        "employees": "230",
        "good_credit": "true",
        "major_accident": "false",
        "history": "      - {date: 2022-05-20, event: applied}\n"
        '      - {date: 2022-06-01, event: approved, round: "2022-01"}\n',
    }
    return ENTERPRISE.format(**{**defaults, **fields})


ROUNDS = 'rounds:\n  - id: "2022-01"\n    title: 第一批\n    notice_start: 2022-06-06\nenterprises:\n'


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


def test_a_dozen_independent_defects_several_on_one_record_come_out_in_one_run() -> None:
    text = ROUNDS + "".join(
        [
            # one record: markup in the name, an exclusion and a false declaration while approved,
            # a qualification its sector cannot claim, a round id typo, a reviewer that is no township
            enterprise(
                name="新县<b>甲</b>示例纺织有限公司",
                sector="商贸流通",
                good_credit="false",
                major_accident="true",
                history="      - {date: 2022-05-20, event: applied}\n"
                "      - {date: 2022-05-24, event: reviewed, by: 八里畈}\n"
                '      - {date: 2022-06-01, event: approved, round: "2022-1"}\n',
            ),
            # another: a wrong check character, an unknown township, a count that is no number,
            # events out of order and an approval before any application
            enterprise(
                uscc="91411523MA9G12340X",
                name="新县乙示例纺织有限公司",
                township="新集乡",
                employees="二百",
                history='      - {date: 2022-06-01, event: approved, round: "2022-01"}\n'
                "      - {date: 2022-05-20, event: applied}\n",
            ),
            # a third: the same name as the second (after widths and spaces), and an invisible character
            enterprise(uscc="91411523MABU85E43Y", name="新县乙示例纺织 有限公司", township='"沙窝\\u200b镇"'),
        ]
    )
    found = register_problems(text)
    first, second, third = (line_of(text, "- uscc:", n) for n in (1, 2, 3))
    assert found == sorted(
        [
            ("text.markup", line_of(text, "name: 新县<b>"), "enterprises[0].name"),
            ("qualification.sector", line_of(text, "qualifications:", 1), "enterprises[0].qualifications[0]"),
            ("history.reviewer_unknown", line_of(text, "by: 八里畈"), "enterprises[0].history[1].by"),
            ("round.unknown", line_of(text, 'round: "2022-1"'), "enterprises[0].history[2].round"),
            ("approved.declaration", line_of(text, "good_credit: false"), "enterprises[0].declarations.good_credit"),
            ("approved.exclusion", line_of(text, "major_accident: true"), "enterprises[0].exclusions.major_accident"),
            ("uscc.checksum", second, "enterprises[1].uscc"),
            ("township.unknown", line_of(text, "township: 新集乡"), "enterprises[1].township"),
            ("count.invalid", line_of(text, "employees: 二百"), "enterprises[1].employees"),
            ("history.transition", line_of(text, 'round: "2022-01"}'), "enterprises[1].history[0].event"),
            ("history.order", line_of(text, "{date: 2022-05-20, event: applied}", 2), "enterprises[1].history[1].date"),
            (
                "history.transition",
                line_of(text, "{date: 2022-05-20, event: applied}", 2),
                "enterprises[1].history[1].event",
            ),
            ("name.duplicate", line_of(text, "name: 新县乙示例纺织 有限公司"), "enterprises[2].name"),
            ("text.invisible", line_of(text, "沙窝"), "enterprises[2].township"),
        ]
    )
    assert first < second < third


def test_a_reviewer_must_be_a_township_or_the_authority_with_a_suggestion() -> None:
    history = "      - {date: 2022-05-20, event: applied}\n      - {date: 2022-05-22, event: reviewed, by: %s}\n"
    assert register_problems(ROUNDS + enterprise(history=history % "新县工业和信息化局")) == []
    assert register_problems(ROUNDS + enterprise(history=history % "新集镇")) == []
    site, _ = check_site(load_yaml(DATA / "site.yaml"))
    _, found = check_register(
        parse_yaml(ROUNDS + enterprise(history=history % "八里畈"), "r.yaml"), site, WorkCalendar(), "h"
    )
    assert [p.code for p in found] == ["history.reviewer_unknown"] and "是不是“八里畈镇”？" in found[0].message


def test_a_syntax_error_is_located_where_the_construct_opened_and_where_it_was_noticed() -> None:
    text = (
        "rounds:\n  - id: a\n    title: b\nenterprises:\n  - uscc: x\n    name: y\n"
        "    qualifications: [规上工业企业,\n    township: 新集镇\n"
    )
    with pytest.raises(InputError) as raised:
        parse_yaml(text, "r.yaml")
    [problem] = raised.value.problems
    assert problem.code == "yaml.syntax" and problem.line == 7
    assert "第 7 行" in problem.message and "第 9 行" in problem.message and "方括号" in problem.message


def test_a_holidays_file_that_is_a_list_is_an_error_with_its_line() -> None:
    _, problems = check_holidays(parse_yaml("# 放假\n- 2027-01-01\n- 2027-02-08\n", "h.yaml"))
    assert [(p.code, p.line) for p in problems] == [("holidays.shape", 2)]


# --- Excel, typed the way clerks type --------------------------------------------------------------


def exported(data_dir: Path, tmp_path: Path) -> Path:
    workbook = tmp_path / "登记册.xlsx"
    assert run("export", "--xlsx", str(workbook), "--data", str(data_dir))[0] == 0
    return workbook


def column(sheet: Any, header: str) -> int:
    found: int = next(cell.column for cell in sheet[1] if cell.value == header)
    return found


def test_everyday_dates_whole_numbers_and_codes_typed_as_text_import_right(data_dir: Path, tmp_path: Path) -> None:
    workbook = exported(data_dir, tmp_path)
    book = load_workbook(workbook)
    events, rounds, enterprises = book["事件"], book["批次"], book["企业"]
    pending = "91411523MAEP3EH24K"  # applied on 2026-11-18, nothing since
    typed = [("2026/11/24", "审核"), ("2026.11.25", "审核"), ("2026年11月26日", "审核"), (date(2026, 11, 27), "审核")]
    for day, kind in typed:
        row = events.max_row + 1
        events.cell(row=row, column=column(events, "统一社会信用代码"), value=pending)
        events.cell(row=row, column=column(events, "日期"), value=day)
        events.cell(row=row, column=column(events, "事件"), value=kind)
        events.cell(row=row, column=column(events, "审核单位"), value="陈店乡")
    row = rounds.max_row + 1
    rounds.cell(row=row, column=1, value="2026-02")
    rounds.cell(row=row, column=2, value="第五批")
    rounds.cell(row=row, column=3, value="2026/12/14")
    rounds.cell(row=row, column=4, value=5.0)
    enterprises.cell(row=2, column=column(enterprises, "从业人数"), value=231.0)
    book.save(workbook)
    code, out, err = run("import", str(workbook), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    inputs = load_inputs(data_dir)
    history = next(e for e in inputs.register.enterprises if e.uscc == pending).history
    assert [e.date for e in history[1:]] == [date(2026, 11, d) for d in (24, 25, 26, 27)]
    assert inputs.schedules["2026-02"].start == date(2026, 12, 14) and inputs.register.rounds[-1].workdays == 5
    assert inputs.register.enterprises[0].employees == 231
    assert "登记册：新增企业 0 家，修改 2 家，删除 0 家；新增事件 4 条；新增批次 1 个。" in out


def test_a_date_that_does_not_exist_is_located_in_the_clerks_terms(data_dir: Path, tmp_path: Path) -> None:
    workbook = exported(data_dir, tmp_path)
    book = load_workbook(workbook)
    rounds = book["批次"]
    rounds.cell(row=rounds.max_row + 1, column=1, value="2026-02")
    rounds.cell(row=rounds.max_row, column=2, value="第五批")
    rounds.cell(row=rounds.max_row, column=3, value="2026年2月30日")
    book.save(workbook)
    code, _, err = run("import", str(workbook), "--data", str(data_dir))
    assert code == 1
    assert f"{workbook.as_posix()}:批次!C{rounds.max_row}（公示日期）: 日期无效：2026年2月30日" in err.splitlines()


def test_a_missing_column_in_a_new_row_is_named_by_its_header(data_dir: Path, tmp_path: Path) -> None:
    workbook = exported(data_dir, tmp_path)
    book = load_workbook(workbook)
    sheet = book["企业"]
    row = sheet.max_row + 1
    sheet.cell(row=row, column=1, value="91411523MA9G12340J")
    sheet.cell(row=row, column=2, value="新县新增示例有限公司")
    book.save(workbook)
    code, _, err = run("import", str(workbook), "--data", str(data_dir))
    assert code == 1
    lines = err.splitlines()
    assert f"{workbook.as_posix()}:企业!{row}（第 {row} 行）: 联系人（内部）、联系电话（内部）: 缺少必填字段" in lines
    assert not any("enterprises[" in line or "contact" in line for line in lines)


def test_import_and_diff_print_the_same_summary_and_a_backup_precedes_the_write(data_dir: Path, tmp_path: Path) -> None:
    register = data_dir / "register.yaml"
    original = register.read_text(encoding="utf-8")
    workbook = exported(data_dir, tmp_path)
    book = load_workbook(workbook)
    sheet = book["企业"]
    sheet.cell(row=3, column=column(sheet, "企业地址"), value="新县八里畈镇示例大道 8 号")
    book.save(workbook)
    code, out, err = run("import", str(workbook), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    [backup] = (data_dir / ".history").iterdir()
    assert backup.read_text(encoding="utf-8") == original
    _, diffed, _ = run("diff", str(backup), str(register), "--data", str(data_dir), "--today", "2026-11-28")
    assert out.splitlines()[1:] == diffed.splitlines()
    assert "修改 1 家" in diffed and "企业地址 新县八里畈镇示例路 10 号 → 新县八里畈镇示例大道 8 号" in diffed


def test_only_the_newest_backups_are_kept(data_dir: Path) -> None:
    register = RegisterFile(data_dir / "register.yaml")
    for minute in range(KEEP_BACKUPS + 3):
        register.keep_backup(datetime(2026, 11, 28, 9, minute))
    kept = sorted(p.name for p in (data_dir / ".history").iterdir())
    assert len(kept) == KEEP_BACKUPS and kept[0] == "register-20261128-090300.yaml"


# --- the command line -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["import"], "缺少参数 '文件…'"),  # a workbook or the enterprises' application files
        (["check", "--no-such-option"], "没有选项 '--no-such-option'"),
        (["build", "--today", "2026-13-01"], "不是有效日期"),
        (["bulid"], "没有命令 'bulid'"),
        (["build", "--workers", "0"], "不在允许的范围"),
    ],
)
def test_usage_errors_are_in_chinese(args: list[str], said: str) -> None:
    code, _, err = run(*args)
    assert code == 2 and said in err and "错误：" in err
    assert not any(word in err for word in ("Error:", "Missing", "No such", "Usage:"))


@pytest.mark.parametrize(
    "command", [["--version"], ["check"], ["round", "status"], ["diff", "data/register.yaml", "data/register.yaml"]]
)
def test_commands_that_do_not_build_never_load_the_pdf_engine(command: list[str]) -> None:
    probe = (
        "import sys\nfrom generator.cli import cli\n"
        f"try:\n    cli({command!r}, prog_name='wlsite')\nexcept SystemExit:\n    pass\n"
        "print('LOADED:', sorted(m for m in ('weasyprint', 'openpyxl', 'ruamel.yaml', 'rich') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.splitlines()[-1] == "LOADED: []"


def test_check_round_status_and_diff_agree_on_a_date(data_dir: Path) -> None:
    _, checked, _ = run("check", "--data", str(data_dir), "--today", "2026-11-28")
    _, status, _ = run("round", "status", "--data", str(data_dir), "--today", "2026-11-28")
    assert "公示中 5 家" in checked and "5 家  公示中" in status
    _, later, _ = run("check", "--data", str(data_dir), "--today", "2026-12-02")
    assert "公示中" not in later.splitlines()[-1] and "已入库 28 家" in later
