"""Excel in and out for staff who keep their lists in spreadsheets.

`export_workbook` writes the register as a workbook with Chinese headers, drop-down lists and
the private columns marked. `import_workbook` reads such a workbook (or any with the same
headers), merges it into register.yaml — enterprises by credit code, rounds by id, new history
events appended, nothing deleted — checks the result with the same rules as `wlsite check`, and
writes only when every problem is gone. Problems point at the cell: `申报.xlsx:企业!G5（所属乡镇）`.
"""

from __future__ import annotations

import copy
import difflib
import io
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from generator.errors import InputError, Problem, display_path
from generator.inputs import REGISTER_FILE, holidays_source, read_inputs
from generator.register import uscc as uscc_rules
from generator.register.load import Loaded, Place, load_yaml
from generator.register.models import EVENT_NAMES, QUALIFICATIONS, SECTORS
from generator.register.validate import check_register
from generator.staff.diff import Change, diff_registers
from generator.staff.yamlfile import EditableYaml

YES, NO = "是", "否"
EVENT_CODES = {name: code for code, name in EVENT_NAMES.items()}


@dataclass(frozen=True)
class Column:
    header: str
    path: tuple[str, ...]  # inside one record: ("name",), ("contact", "phone"), ("qualifications", "0")
    kind: str = "text"  # text, flag, date, count, choice lists: sector, qualification, township, event
    private: bool = False
    width: int = 14


ENTERPRISE_COLUMNS = (
    Column("统一社会信用代码", ("uscc",), width=22),
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
    Column("联系人（内部）", ("contact", "name"), private=True, width=12),
    Column("联系电话（内部）", ("contact", "phone"), private=True, width=16),
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
    Column("统一社会信用代码", ("uscc",), width=22),
    Column("企业名称（核对用）", ("name",), width=32),
    Column("日期", ("date",), "date", width=12),
    Column("事件", ("event",), "event", width=10),
    Column("批次编号", ("round",), width=10),
    Column("审核单位", ("by",), width=14),
    Column("公开原因", ("reason",), width=36),
    Column("内部备注（内部）", ("note",), private=True, width=30),
)
SHEETS = {"企业": ENTERPRISE_COLUMNS, "批次": ROUND_COLUMNS, "事件": EVENT_COLUMNS}
REQUIRED = {"企业": "统一社会信用代码", "批次": "批次编号", "事件": "统一社会信用代码"}

HEADER_FILL = PatternFill("solid", fgColor="9B1C1C")
PRIVATE_FILL = PatternFill("solid", fgColor="6E4B00")
PRIVATE_CELL_FILL = PatternFill("solid", fgColor="FFF4D6")

GUIDE = """使用说明（不要改动表头；可以增删行、调整列的顺序）

1. “企业”表每行一家企业，以统一社会信用代码识别：代码已在登记册中的，导入时更新该企业；新的代码新增企业。
2. “事件”表每行一条事件：申报、审核、批准（须填批次编号）、不予批准、异议成立、移出（须填公开原因）。
   导入时只添加登记册中还没有的事件，已有的不会重复；事件日期要晚于该企业已有的事件。
3. “批次”表每行一个批次；公示日期写成 2026-11-30 的形式。
4. 表头为棕色、带“（内部）”的列是内部信息（联系人、电话、内部备注），不会出现在网站上。
5. 是/否 两列只填“是”或“否”。下拉选项来自登记册和 site.yaml。
6. 导入：wlsite import 本文件。有任何问题都会逐条指出工作表、单元格和列名，且不会写入任何内容。
"""


def _cell_text(value: Any) -> str | None:
    """A cell as the text the register would hold: dates as YYYY-MM-DD, whole numbers without .0."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


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


# --- export -------------------------------------------------------------------------------------


def _show(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.kind == "flag":
        return YES if value in (True, "true", "True") else NO
    if column.kind == "event":
        return EVENT_NAMES.get(str(value), value)
    if column.kind == "date":
        return date.fromisoformat(str(value)) if isinstance(value, str) else value
    if column.kind == "count":
        return int(value)
    return value


def export_workbook(data_dir: Path, target: Path) -> dict[str, int]:
    """Write the register to `target` as an editable workbook; returns the rows per sheet."""
    inputs, problems = read_inputs(data_dir)
    if inputs is None:
        raise InputError(problems)
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
        "event": list(EVENT_NAMES.values()),
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
            sheet.append([_show(column, _get(record, column.path)) for column in columns])
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            header = sheet.cell(row=1, column=index)
            header.font = Font(bold=True, color="FFFFFF")
            header.fill = PRIVATE_FILL if column.private else HEADER_FILL
            header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[letter].width = column.width
            span = f"{letter}2:{letter}{max(len(rows[title]) + 200, 500)}"
            if column.kind in ranges:
                validation = DataValidation(type="list", formula1=ranges[column.kind], allow_blank=True)
                validation.error = "请从下拉列表中选择"
                sheet.add_data_validation(validation)
                validation.add(span)
            if column.kind == "date":
                for cell in sheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
            if column.private:
                for cell in sheet[letter][1:]:
                    cell.fill = PRIVATE_CELL_FILL
        sheet.freeze_panes = "C2" if title == "企业" else "A2"
        counts[title] = len(rows[title])
    workbook.active = workbook.sheetnames.index("企业")
    buffer = io.BytesIO()
    workbook.save(buffer)
    target.write_bytes(buffer.getvalue())
    return counts


# --- import -------------------------------------------------------------------------------------


@dataclass
class Sheet:
    title: str
    rows: list[tuple[int, dict[Column, Any]]] = field(default_factory=list)  # row number, cell by column
    letters: dict[Column, str] = field(default_factory=dict)


def _read_sheets(path: Path, source: str) -> tuple[dict[str, Sheet], list[Problem]]:
    try:
        workbook = load_workbook(path, data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(
            [Problem(source, 0, "", f"无法读取 Excel 文件（{type(error).__name__}）：请另存为 .xlsx 后再试。")]
        ) from None
    problems: list[Problem] = []
    sheets: dict[str, Sheet] = {}
    for title, columns in SHEETS.items():
        if title not in workbook.sheetnames:
            continue
        worksheet = workbook[title]
        by_header = {column.header: column for column in columns}
        sheet = Sheet(title)
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        positions: dict[int, Column] = {}
        for index, value in enumerate(header, start=1):
            text = _cell_text(value)
            if text is None:
                continue
            letter = get_column_letter(index)
            if text not in by_header:
                close = difflib.get_close_matches(text, list(by_header), n=1, cutoff=0.5)
                hint = f"；是不是“{close[0]}”？" if close else ""
                problems.append(Problem(source, 1, text, f"未知的列“{text}”{hint}", place=f"{title}!{letter}1"))
                continue
            positions[index] = by_header[text]
            sheet.letters[by_header[text]] = letter
        if REQUIRED[title] not in {c.header for c in positions.values()}:
            problems.append(Problem(source, 1, "", f"缺少“{REQUIRED[title]}”列", place=f"{title}!1"))
            continue
        for number, values in enumerate(rows, start=2):
            cells = {positions[i]: values[i - 1] for i in positions if i - 1 < len(values)}
            if all(_cell_text(value) is None for value in cells.values()):
                continue
            sheet.rows.append((number, cells))
        sheets[title] = sheet
    workbook.close()
    if not sheets:
        problems.append(Problem(source, 0, "", "找不到“企业”“批次”或“事件”工作表（表名须与导出的一致）。"))
    return sheets, problems


@dataclass
class Merge:
    """The register as plain data with the workbook merged in, and where each imported value came from."""

    data: dict[str, Any]
    source: str
    places: dict[tuple[str | int, ...], Place] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    events: int = 0
    rounds: int = 0

    def place(self, sheet: Sheet, row: int, column: Column | None = None) -> Place:
        if column is None:
            return Place(self.source, row, f"{sheet.title}!{row}（第 {row} 行）")
        return Place(self.source, row, f"{sheet.title}!{sheet.letters[column]}{row}（{column.header}）")

    def report(self, sheet: Sheet, row: int, column: Column, message: str) -> None:
        """A problem with one cell, located by file line and by sheet, cell and header."""
        place = self.place(sheet, row, column)
        self.problems.append(Problem(self.source, row, column.header, message, place=place.cell))

    def value(self, sheet: Sheet, row: int, column: Column, raw: Any) -> Any:
        """The cell as register text; flags and events translated; a wrong yes/no is reported here."""
        text = _cell_text(raw)
        if text is None:
            return None
        if column.kind == "flag":
            if text in (YES, "true", "TRUE", "True"):
                return "true"
            if text in (NO, "false", "FALSE", "False"):
                return "false"
            self.report(sheet, row, column, f"应填“是”或“否”，实际为“{text}”")
            # Stand in the harmless value so the rules do not add a second message for this cell;
            # the import fails on the one above anyway.
            return "true" if column.path[0] == "declarations" else "false"
        if column.kind == "event":
            return EVENT_CODES.get(text, text)
        return text


def _set(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    target = record
    for key in path[:-1]:
        target = target.setdefault(key, {})
        if not isinstance(target, dict):
            return
    if value is None:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = value


def _merge_rounds(merge: Merge, sheet: Sheet) -> None:
    rounds = merge.data.setdefault("rounds", [])
    for row, cells in sheet.rows:
        round_id = merge.value(sheet, row, ROUND_COLUMNS[0], cells.get(ROUND_COLUMNS[0]))
        index = next((i for i, r in enumerate(rounds) if isinstance(r, dict) and r.get("id") == round_id), None)
        if index is None:
            rounds.append({})
            index = len(rounds) - 1
            merge.rounds += 1
            merge.places[("rounds", index)] = merge.place(sheet, row)
        for column, raw in cells.items():
            _set(rounds[index], column.path, merge.value(sheet, row, column, raw))
            merge.places[("rounds", index, *column.path)] = merge.place(sheet, row, column)


def _code(text: str | None) -> str:
    return uscc_rules.normalise(text or "")


def _merge_enterprises(merge: Merge, sheet: Sheet) -> None:
    enterprises = merge.data.setdefault("enterprises", [])
    for row, cells in sheet.rows:
        code = _code(merge.value(sheet, row, ENTERPRISE_COLUMNS[0], cells.get(ENTERPRISE_COLUMNS[0])))
        index = next(
            (i for i, e in enumerate(enterprises) if isinstance(e, dict) and _code(e.get("uscc")) == code), None
        )
        if index is None:
            enterprises.append({"history": []})
            index = len(enterprises) - 1
            merge.added += 1
            merge.places[("enterprises", index)] = merge.place(sheet, row)
        else:
            merge.updated += 1
        record = enterprises[index]
        qualifications = [None, None, None]
        for column, raw in cells.items():
            value = merge.value(sheet, row, column, raw)
            place = merge.place(sheet, row, column)
            if column.path[0] == "qualifications":
                qualifications[int(column.path[1])] = value
                merge.places[("enterprises", index, "qualifications")] = place
                continue
            _set(record, column.path, value)
            merge.places[("enterprises", index, *column.path)] = place
        if any(c.path[0] == "qualifications" for c in cells):
            record["qualifications"] = [q for q in qualifications if q]


def _merge_events(merge: Merge, sheet: Sheet) -> None:
    enterprises = merge.data.setdefault("enterprises", [])
    code_column, name_column = EVENT_COLUMNS[0], EVENT_COLUMNS[1]
    for row, cells in sheet.rows:
        code = _code(merge.value(sheet, row, code_column, cells.get(code_column)))
        index = next(
            (i for i, e in enumerate(enterprises) if isinstance(e, dict) and _code(e.get("uscc")) == code), None
        )
        if index is None:
            merge.report(sheet, row, code_column, f"登记册和“企业”表中都没有统一社会信用代码为 {code} 的企业")
            continue
        record = enterprises[index]
        name = merge.value(sheet, row, name_column, cells.get(name_column)) if name_column in cells else None
        if name and name != record.get("name"):
            merge.report(
                sheet,
                row,
                name_column,
                f"企业名称与统一社会信用代码对应的企业（{record.get('name')}）不一致，请核对代码",
            )
            continue
        event: dict[str, Any] = {}
        for column, raw in cells.items():
            if column.path[0] in ("uscc", "name"):
                continue
            _set(event, column.path, merge.value(sheet, row, column, raw))
        history = record.setdefault("history", [])
        if not isinstance(history, list):
            continue
        same = ("date", "event", "round")
        if any(isinstance(old, dict) and all(old.get(k) == event.get(k) for k in same) for old in history):
            continue
        history.append(event)
        merge.events += 1
        position = ("enterprises", index, "history", len(history) - 1)
        merge.places[position] = merge.place(sheet, row)
        for column in cells:
            if column.path[0] not in ("uscc", "name"):
                merge.places[(*position, *column.path)] = merge.place(sheet, row, column)


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    events: int
    rounds: int
    changes: list[Change]
    on: date  # the site the changes describe: as of the newest round's publication, or today


def import_workbook(workbook: Path, data_dir: Path, today: date) -> ImportResult:
    """Merge `workbook` into register.yaml, or raise `InputError` with every located problem and write nothing."""
    inputs, problems = read_inputs(data_dir)
    if inputs is None:
        raise InputError(problems)
    source = display_path(workbook)
    sheets, problems = _read_sheets(workbook, source)
    register_path = data_dir / REGISTER_FILE
    loaded = load_yaml(register_path)
    merge = Merge(copy.deepcopy(loaded.data) or {}, source, problems=problems)
    if "批次" in sheets:
        _merge_rounds(merge, sheets["批次"])
    if "企业" in sheets:
        _merge_enterprises(merge, sheets["企业"])
    if "事件" in sheets:
        _merge_events(merge, sheets["事件"])
    merged = Loaded(merge.data, loaded.source, loaded.lines, merge.places)
    checked, found = check_register(merged, inputs.site, inputs.calendar, holidays_source(data_dir))
    problems = merge.problems + found
    if checked is None or merge.problems:
        raise InputError(problems)

    editable = EditableYaml.read(register_path)
    _apply(editable, merge.data)
    new_text = editable.dump()
    with tempfile.TemporaryDirectory() as folder:
        before = Path(folder) / "before.yaml"
        shutil.copyfile(register_path, before)
        editable.write(new_text)
        after, problems = read_inputs(data_dir)
        if after is None:  # the written file must pass as the merged data did; restore if not
            shutil.copyfile(before, register_path)
            raise InputError(problems)
        # Approvals are entered before their round is published: describe the site as it will be then.
        on = max([today, *(r.notice_start for r in after.register.rounds)])
        changes = diff_registers(data_dir, before, register_path, on)
    return ImportResult(merge.added, merge.updated, merge.events, merge.rounds, changes, on)


# --- writing the merge back with ruamel.yaml ------------------------------------------------------

ENTERPRISE_ORDER = (
    "uscc", "name", "sector", "qualifications", "township", "address", "industry", "legal_representative",
    "employees", "main_products", "epidemic_lead", "contact", "liaison", "declarations", "exclusions", "history",
)  # fmt: skip


FLAG_KEYS = frozenset(c.path[1] for c in ENTERPRISE_COLUMNS if c.kind == "flag")


def _typed(key: str, value: Any) -> Any:
    """Register text back to the YAML scalars staff write: quoted codes and ids, dates, numbers, flags."""
    if value is None:
        return None
    if key in ("uscc", "id", "round", "phone"):
        return DoubleQuotedScalarString(uscc_rules.normalise(value) if key == "uscc" else value)
    if key in ("date", "notice_start"):
        return date.fromisoformat(value)
    if key in ("employees", "workdays"):
        return int(value)
    if key in FLAG_KEYS:
        return value == "true"
    return value


def _flow(mapping: dict[str, Any]) -> CommentedMap:
    """One line, as the register writes history events and contacts: {date: …, event: …}."""
    result = _block(mapping)
    result.fa.set_flow_style()
    return result


def _update_map(target: CommentedMap, source: dict[str, Any], order: Iterable[str] = ()) -> None:
    """Set what changed in place (comments and order stay); new keys follow `order`."""
    for key in [k for k in list(target) if k not in source]:
        del target[key]
    for key in [*[k for k in order if k in source], *[k for k in source if k not in order]]:
        value = source[key]
        if isinstance(value, dict):
            if isinstance(target.get(key), CommentedMap):
                _update_map(target[key], value)
            else:
                target[key] = _flow(value) if key in ("epidemic_lead", "contact") else _block(value)
        elif isinstance(value, list):
            if key == "history":
                _update_history(target, value)
            else:
                items = CommentedSeq(_typed(key, v) for v in value)
                items.fa.set_flow_style()
                if list(target.get(key) or []) != list(items):
                    target[key] = items
        else:
            typed = _typed(key, value)
            if target.get(key) != typed or key not in target:
                if key in target:
                    target[key] = typed
                else:
                    target.insert(len(target), key, typed)


def _block(mapping: dict[str, Any]) -> CommentedMap:
    return CommentedMap((k, _typed(k, v)) for k, v in mapping.items() if v is not None)


def _update_history(target: CommentedMap, events: list[dict[str, Any]]) -> None:
    history = target.get("history")
    if not isinstance(history, CommentedSeq):
        history = CommentedSeq()
        target["history"] = history
    for event in events[len(history) :]:
        history.append(_flow(event))


def _apply(editable: EditableYaml, merged: dict[str, Any]) -> None:
    data = editable.data
    for name in ("rounds", "enterprises"):
        if name not in data:
            data[name] = CommentedSeq()
    for index, record in enumerate(merged.get("rounds") or []):
        if index < len(data["rounds"]):
            _update_map(data["rounds"][index], record, ("id", "title", "notice_start", "workdays"))
        else:
            data["rounds"].append(_block(record))
    for index, record in enumerate(merged.get("enterprises") or []):
        if index < len(data["enterprises"]):
            _update_map(data["enterprises"][index], record, ENTERPRISE_ORDER)
        else:
            entry = CommentedMap()
            _update_map(entry, record, ENTERPRISE_ORDER)
            data["enterprises"].append(entry)
