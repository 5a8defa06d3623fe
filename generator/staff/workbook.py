"""Excel for staff who keep their lists in spreadsheets: the register out as a workbook, and a
workbook read back as register text, cell by cell, the way clerks type.

Out: Chinese headers, drop-down lists, the private columns marked (from the register's own
private declaration), codes and phones in text-formatted columns, every text cell written as text
(a name beginning with `=` is never a formula).

In (read with calamine: a second at 10,000 rows, where openpyxl took twelve): dates typed as
2026/11/24, 2026.11.24, 2026年11月24日 or real date cells; whole numbers that
Excel stored as 230.0; a credit code that Excel turned into a number is refused with how to fix
the column. Every problem names the workbook, sheet, cell and column header. A workbook that
would inflate beyond reason, or has two columns with one header, is refused before it is read.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from generator.errors import InputError, Problem, did_you_mean, display_path
from generator.files import MEGABYTE, read_limited
from generator.inputs import load_inputs
from generator.register.events import EventKind
from generator.register.models import QUALIFICATIONS, SECTORS, Enterprise, private_paths

YES, NO = "是", "否"
EVENT_CODES = {kind.label: kind.value for kind in EventKind}
MAX_WORKBOOK = 20 * MEGABYTE  # a 10,000-enterprise export is about 1.5 MB
MAX_INFLATED = 400 * MEGABYTE  # what the workbook's parts may unpack to
MAX_RATIO = 200  # and how much more than they take packed: more is a zip bomb, not a register


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]  # inside one record: ("name",), ("contact", "phone"), ("qualifications", "0")
    kind: str = "text"  # text, code, flag, date, count; choice lists: sector, qualification, township, event
    width: int = 14


ENTERPRISE_COLUMNS = (
    Column("统一社会信用代码", ("uscc",), "code", width=22),
    Column("企业名称", ("name",), width=32),
    Column("行业类别", ("sector",), "sector", width=10),
    Column("入库条件1", ("qualifications", "0"), "qualification", width=26),
    Column("入库条件2", ("qualifications", "1"), "qualification", width=26),
    Column("入库条件3", ("qualifications", "2"), "qualification", width=26),
    Column("所属乡镇", ("township",), "township", width=10),
    Column("企业地址", ("address",), width=30),
    Column("所属行业", ("industry",)),
    Column("法定代表人", ("legal_representative",), width=10),
    Column("从业人数", ("employees",), "count", width=9),
    Column("主要产品", ("main_products",), width=24),
    Column("疫情防控负责人", ("epidemic_lead", "name"), width=12),
    Column("负责人职务", ("epidemic_lead", "title")),
    Column("联系人（内部）", ("contact", "name"), width=12),
    Column("联系电话（内部）", ("contact", "phone"), "phone", width=16),
    Column("包联县领导", ("liaison",), width=20),
    Column("在县内注册", ("declarations", "registered_in_county"), "flag", width=9),
    Column("生产经营正常", ("declarations", "operating_normally"), "flag", width=9),
    Column("诚信度好", ("declarations", "good_credit"), "flag", width=9),
    Column("环保达标", ("declarations", "environment_compliant"), "flag", width=9),
    Column("安全生产达标", ("declarations", "safety_compliant"), "flag", width=9),
    Column("执行防控指南", ("declarations", "follows_guideline"), "flag", width=9),
    Column("弄虚作假", ("exclusions", "fraud"), "flag", width=9),
    Column("重大事故", ("exclusions", "major_accident"), "flag", width=9),
    Column("严重失信", ("exclusions", "serious_dishonesty"), "flag", width=9),
)
ROUND_COLUMNS = (
    Column("批次编号", ("id",), width=12),
    Column("批次名称", ("title",), width=12),
    Column("公示日期", ("notice_start",), "date", width=12),
    Column("公示工作日数", ("workdays",), "count", width=12),
)
EVENT_COLUMNS = (
    Column("统一社会信用代码", ("uscc",), "code", width=22),
    Column("企业名称（核对用）", ("name",), width=32),
    Column("日期", ("date",), "date", width=12),
    Column("事件", ("event",), "event", width=10),
    Column("批次编号", ("round",), width=10),
    Column("审核单位", ("by",), width=14),
    Column("公开原因", ("reason",), width=36),
    Column("内部备注（内部）", ("note",), width=30),
)
SHEETS = {"企业": ENTERPRISE_COLUMNS, "批次": ROUND_COLUMNS, "事件": EVENT_COLUMNS}
REQUIRED = {"企业": "统一社会信用代码", "批次": "批次编号", "事件": "统一社会信用代码"}

_ENTERPRISE_PRIVATE = tuple(private_paths(Enterprise))
_EVENT_PRIVATE = tuple(p.removeprefix("history.") for p in _ENTERPRISE_PRIVATE if p.startswith("history."))


def is_private_column(sheet: str, column: Column) -> bool:
    """From the register's own declaration (`PRIVATE` in the models), never a list of our own."""
    dotted = ".".join(part for part in column.path if not part.isdigit())
    declared = _EVENT_PRIVATE if sheet == "事件" else _ENTERPRISE_PRIVATE if sheet == "企业" else ()
    return any(dotted == p or dotted.startswith(p + ".") for p in declared)


HEADER_FILL = PatternFill("solid", fgColor="9B1C1C")
PRIVATE_FILL = PatternFill("solid", fgColor="6E4B00")
PRIVATE_CELL_FILL = PatternFill("solid", fgColor="FFF4D6")
TEXT_FORMAT = "@"  # Excel's "text" number format: codes and phones stay as typed

GUIDE = """使用说明（不要改动表头；可以增删行、调整列的顺序）

1. “企业”表每行一家企业，以统一社会信用代码识别：代码已在登记册中的，导入时更新该企业；新的代码新增企业。
2. “事件”表每行一条事件：申报、审核、批准（须填批次编号）、不予批准、异议成立、移出（须填公开原因）。
   导入时只添加登记册中还没有的事件，已有的不会重复；事件日期要晚于该企业已有的事件。
3. “批次”表每行一个批次；日期可以写成 2026-11-30、2026/11/30、2026.11.30 或 2026年11月30日。
4. 统一社会信用代码和电话列已设为“文本”格式。新增的列如果不是文本格式，Excel 会把 18 位代码变成
   9.14E+17 这样的数字并改掉末几位：请先选中整列，设置单元格格式为“文本”，再输入或粘贴代码。
5. 表头为棕色、带“（内部）”的列是内部信息（联系人、电话、内部备注），不会出现在网站上。
6. 是/否 两列只填“是”或“否”。下拉选项来自登记册和 site.yaml。
7. 导入：wlsite import 本文件。有任何问题都会逐条指出工作表、单元格和列名，且不会写入任何内容；
   写入前会把原来的登记册备份到 data/.history/。
"""


def _get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if isinstance(value, list | tuple):
            index = int(key)
            value = value[index] if index < len(value) else None
        elif isinstance(value, dict):
            value = value.get(key)
        else:
            return None
    return value


def _shown(column: Column, value: Any) -> Any:
    """A register value as the cell shows it: 是/否, event names, real dates, whole numbers."""
    if value is None:
        return None
    if column.kind == "flag":
        return YES if value is True else NO
    if column.kind == "event":
        return EventKind(value).label
    if column.kind == "count":
        return int(value)
    if isinstance(value, date):
        return value
    return str(value)


def export_workbook(data_dir: Path, target: Path) -> dict[str, int]:
    """Write the register to `target` as an editable workbook; returns the rows per sheet."""
    inputs = load_inputs(data_dir)
    register = inputs.register.model_dump()
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "说明"
    guide.column_dimensions["A"].width = 110
    for line in GUIDE.splitlines():
        guide.append([line])
    options = workbook.create_sheet("选项")
    lists = {
        "sector": list(SECTORS),
        "qualification": list(QUALIFICATIONS),
        "township": list(inputs.site.county.townships),
        "flag": [YES, NO],
        "event": [kind.label for kind in EventKind],
    }
    ranges = {}
    for index, (kind, values) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        options.cell(row=1, column=index, value=kind)
        for row, value in enumerate(values, start=2):
            options.cell(row=row, column=index, value=value)
        ranges[kind] = f"选项!${letter}$2:${letter}${len(values) + 1}"
    options.sheet_state = "hidden"

    rows = {
        "企业": register["enterprises"],
        "批次": register["rounds"],
        "事件": [
            {**event, "uscc": enterprise["uscc"], "name": enterprise["name"]}
            for enterprise in register["enterprises"]
            for event in enterprise["history"]
        ],
    }
    counts = {}
    for title, columns in SHEETS.items():
        sheet = workbook.create_sheet(title)
        sheet.append([column.header for column in columns])
        for record in rows[title]:
            sheet.append([_shown(column, _get(record, column.path)) for column in columns])
        last = max(len(rows[title]) + 200, 500)
        for index, column in enumerate(columns, start=1):
            _format_column(sheet, title, index, column, last, ranges.get(column.kind))
        sheet.freeze_panes = "C2" if title == "企业" else "A2"
        counts[title] = len(rows[title])
    workbook.active = workbook.sheetnames.index("企业")
    buffer = io.BytesIO()
    workbook.save(buffer)
    target.write_bytes(buffer.getvalue())
    return counts


def _format_column(sheet: Any, title: str, index: int, column: Column, last: int, choices: str | None) -> None:
    letter = get_column_letter(index)
    private = is_private_column(title, column)
    header = sheet.cell(row=1, column=index)
    header.font = Font(bold=True, color="FFFFFF")
    header.fill = PRIVATE_FILL if private else HEADER_FILL
    header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.column_dimensions[letter].width = column.width
    if choices:
        validation = DataValidation(type="list", formula1=choices, allow_blank=True)
        validation.error = "请从下拉列表中选择"
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")
    for row in range(2, last + 1):
        cell = sheet.cell(row=row, column=index)
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text stays text, even when it begins with "="
        if column.kind == "date":
            cell.number_format = "yyyy-mm-dd"
        elif column.kind not in ("count", "flag"):
            cell.number_format = TEXT_FORMAT
        if private:
            cell.fill = PRIVATE_CELL_FILL


# --- reading -----------------------------------------------------------------------------------

_DATE_FORMS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
)


@dataclass(frozen=True)
class CellProblem:
    code: str
    message: str


def cell_text(column: Column, value: Any) -> str | CellProblem | None:
    """A cell as the text the register would hold, or why it cannot be read."""
    if value is None:
        return None
    if type(value) is str and column.kind not in ("date", "count"):
        return value.strip() or None
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, datetime | date):
        day = value.date() if isinstance(value, datetime) else value
        return day.isoformat()
    if isinstance(value, int | float):
        return _number_text(column, value)
    text = str(value).strip()
    if not text:
        return None
    if column.kind == "date":
        for form in _DATE_FORMS:
            match = form.match(text)
            if match:
                year, month, day_of = (int(part) for part in match.groups())
                try:
                    return date(year, month, day_of).isoformat()
                except ValueError:
                    return CellProblem("date.invalid", f"日期无效：{text}")
    if column.kind == "count" and re.fullmatch(r"\d+\.0+", text):
        return text.split(".")[0]
    return text


def _number_text(column: Column, value: float) -> str | CellProblem:
    if column.kind == "code":
        return CellProblem(
            "excel.code_as_number",
            f"统一社会信用代码被 Excel 当成了数字（{value:.15g}），末几位可能已被改掉，不能使用。"
            "请选中这一列，把单元格格式设为“文本”，再对照营业执照重新输入代码",
        )
    if column.kind == "date":
        return CellProblem("date.format", f"日期应写成 2026-11-24 或 2026年11月24日，实际为数字 {value:g}")
    if float(value).is_integer():
        return str(int(value))
    if column.kind == "count":
        return CellProblem("count.invalid", f"应为不小于 0 的整数，实际为 {value:g}")
    return f"{value:g}"


@dataclass
class Sheet:
    title: str
    # Row number, and each typed cell as register text (None: blank) or why it cannot be read.
    rows: list[tuple[int, dict[Column, str | CellProblem | None]]] = field(default_factory=list)
    letters: dict[Column, str] = field(default_factory=dict)


def _check_archive(data: bytes, source: str) -> None:
    """A workbook is a zip: refuse one whose parts would unpack to absurd sizes before opening it."""

    def refuse(code: str, message: str) -> InputError:
        return InputError([Problem(source, 0, "", message, code=code)])

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile:
        message = "不是 .xlsx 文件（可能是旧的 .xls 或其他格式）：请在 Excel 中另存为 .xlsx 后再试。"
        raise refuse("excel.unreadable", message) from None
    inflated = sum(member.file_size for member in members)
    packed = max(1, sum(member.compress_size for member in members))
    if inflated > MAX_INFLATED or inflated / packed > MAX_RATIO:
        raise refuse(
            "excel.too_large",
            f"工作簿解压后过大（{inflated / MEGABYTE:.0f} MB），不像是登记册，已拒绝读取。",
        )


def read_workbook(path: Path) -> tuple[dict[str, Sheet], list[Problem]]:
    """The sheets staff know, as rows of cell values by column; problems with the headers."""
    source = display_path(path)
    data = read_limited(path, MAX_WORKBOOK)
    _check_archive(data, source)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        # Padded from A1, so a row's index is its number in Excel whatever the used range is.
        tables = {
            title: workbook.get_sheet_by_name(title).to_python(skip_empty_area=False)
            for title in SHEETS
            if title in workbook.sheet_names
        }
    except Exception as error:  # the reader raises many kinds for a file that is not a workbook
        raise InputError(
            [
                Problem(
                    source,
                    0,
                    "",
                    f"无法读取 Excel 文件（{type(error).__name__}）：请在 Excel 中另存为 .xlsx 后再试。",
                    code="excel.unreadable",
                )
            ]
        ) from None
    problems: list[Problem] = []
    sheets: dict[str, Sheet] = {}
    for title, table in tables.items():
        sheet, found = _read_sheet(iter(table), title, SHEETS[title], source)
        problems += found
        if sheet is not None:
            sheets[title] = sheet
    if not sheets and not problems:
        problems.append(
            Problem(source, 0, "", "找不到“企业”“批次”或“事件”工作表（表名须与导出的一致）。", code="excel.no_sheets")
        )
    return sheets, problems


def _read_sheet(
    rows: Iterator[list[Any]], title: str, columns: tuple[Column, ...], source: str
) -> tuple[Sheet | None, list[Problem]]:
    by_header = {column.header: column for column in columns}
    sheet = Sheet(title)
    problems: list[Problem] = []
    header = next(rows, None) or ()
    positions: dict[int, Column] = {}
    for index, value in enumerate(header):
        text = str(value).strip()
        if not text:
            continue
        letter = get_column_letter(index + 1)
        column = by_header.get(text)
        if column is None:
            problems.append(
                Problem(
                    source,
                    1,
                    text,
                    f"未知的列“{text}”" + did_you_mean(text, by_header, cutoff=0.5),
                    place=f"{title}!{letter}1",
                    code="excel.header_unknown",
                )
            )
            continue
        if column in sheet.letters:
            problems.append(
                Problem(
                    source,
                    1,
                    text,
                    f"“{text}”列出现了两次（{sheet.letters[column]} 列和 {letter} 列）：请删除其中一列",
                    place=f"{title}!{letter}1",
                    code="excel.header_duplicate",
                )
            )
            continue
        positions[index] = column
        sheet.letters[column] = letter
    if REQUIRED[title] not in {c.header for c in positions.values()}:
        problems.append(
            Problem(source, 1, "", f"缺少“{REQUIRED[title]}”列", place=f"{title}!1", code="excel.header_missing")
        )
        return None, problems
    for number, values in enumerate(rows, start=2):
        cells = {
            column: cell_text(column, values[i])
            for i, column in positions.items()
            if i < len(values) and values[i] != ""
        }
        if all(text is None for text in cells.values()):
            continue
        sheet.rows.append((number, cells))
    return sheet, problems
