"""Imports: a workbook merged into the register, checked with every rule, written only when clean.

Enterprises are matched by credit code, rounds by id; history events the register lacks are
appended; nothing is deleted. Every value keeps the cell it came from, so each problem names the
workbook, sheet, cell and column header the clerk sees.

Time grows with the rows, not their square, and the register is read once: the workbook is read
in a second process meanwhile, the merged register is checked again only where it differs from
the register already checked, and only the changed records are written back (10,000 rows in about
8 s on two cores, most of it reading and checking the register itself).
"""

from __future__ import annotations

import marshal
import multiprocessing
from collections.abc import Callable, Iterator, MutableMapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from generator.errors import InputError, Problem, display_path
from generator.inputs import REGISTER_FILE, Inputs, load_inputs
from generator.register import uscc as uscc_rules
from generator.register.load import Loaded, PathKey, Place
from generator.register.validate import Known
from generator.staff.applications import label, read_application
from generator.staff.diff import Comparison, compare
from generator.staff.workbook import (
    ENTERPRISE_COLUMNS,
    EVENT_CODES,
    EVENT_COLUMNS,
    NO,
    ROUND_COLUMNS,
    YES,
    CellProblem,
    Column,
    Sheet,
    read_workbook,
)
from generator.staff.yamlfile import RegisterFile


def cell_place(source: str, sheet: Sheet, row: int, column: Column | None = None) -> Place:
    if column is None:
        return Place(source, row, f"{sheet.title}!{row}（第 {row} 行）")
    return Place(source, row, f"{sheet.title}!{sheet.letters[column]}{row}（{column.header}）", label="")


class Places(MutableMapping[PathKey, Place]):
    """Where each merged value came from. A cell is kept as (sheet, row, column) and made into a
    `Place` only when a message needs it: a 10,000-row workbook has 380,000 cells."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.cells: dict[PathKey, Place | tuple[Sheet, int, Column | None]] = {}

    def mark(self, path: PathKey, sheet: Sheet, row: int, column: Column | None = None) -> None:
        self.cells[path] = (sheet, row, column)

    def __getitem__(self, path: PathKey) -> Place:
        found = self.cells[path]
        return found if isinstance(found, Place) else cell_place(self.source, *found)

    def __setitem__(self, path: PathKey, place: Place) -> None:
        self.cells[path] = place

    def __delitem__(self, path: PathKey) -> None:
        del self.cells[path]

    def __contains__(self, path: object) -> bool:
        return path in self.cells

    def __iter__(self) -> Iterator[PathKey]:
        return iter(self.cells)

    def __len__(self) -> int:
        return len(self.cells)


@dataclass
class Merge:
    """The register as plain data with the workbook merged in, and where each imported value came from."""

    data: dict[str, Any]
    source: str
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.places = Places(self.source)
        self.by_code = {
            uscc_rules.normalise(e["uscc"]): index
            for index, e in enumerate(self.data.get("enterprises") or [])
            if isinstance(e, dict) and isinstance(e.get("uscc"), str)
        }
        rounds = self.data.get("rounds") or []
        self.by_round = {r["id"]: i for i, r in enumerate(rounds) if isinstance(r, dict) and "id" in r}

    def records(self, name: str) -> list[Any]:
        """The register's list `name`, made when the first record arrives."""
        if not isinstance(self.data.get(name), list):
            self.data[name] = []
        items: list[Any] = self.data[name]
        return items

    def report(self, sheet: Sheet, row: int, column: Column, code: str, message: str) -> None:
        place = cell_place(self.source, sheet, row, column)
        self.problems.append(Problem(self.source, row, "", message, place=place.cell, code=code))

    def value(self, sheet: Sheet, row: int, column: Column, text: str | CellProblem | None) -> str | None:
        """The cell as register text; one message for a cell that cannot be read, none later."""
        if isinstance(text, CellProblem):
            self.report(sheet, row, column, text.code, text.message)
            return None
        if text is None:
            return None
        if column.kind == "code":
            return uscc_rules.normalise(text)
        if column.kind == "count" and text.isascii() and text.isdigit():
            return str(int(text))
        if column.kind == "flag":
            if text in (YES, "true", "TRUE", "True"):
                return "true"
            if text in (NO, "false", "FALSE", "False"):
                return "false"
            self.report(sheet, row, column, "bool.invalid", f"应填“是”或“否”，实际为“{text}”")
            # The harmless value stands in so the rules add no second message for this cell.
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


def merge_rounds(merge: Merge, sheet: Sheet) -> None:
    for row, cells in sheet.rows:
        rounds = merge.records("rounds")
        round_id = merge.value(sheet, row, ROUND_COLUMNS[0], cells.get(ROUND_COLUMNS[0]))
        index = merge.by_round.get(round_id) if round_id else None
        if index is None:
            rounds.append({})
            index = len(rounds) - 1
            if round_id:
                merge.by_round[round_id] = index
            merge.places.mark(("rounds", index), sheet, row)
        for column, text in cells.items():
            _set(rounds[index], column.path, merge.value(sheet, row, column, text))
            merge.places.mark(("rounds", index, *column.path), sheet, row, column)


def merge_enterprises(merge: Merge, sheet: Sheet) -> None:
    code_column = ENTERPRISE_COLUMNS[0]
    for row, cells in sheet.rows:
        enterprises = merge.records("enterprises")
        code = merge.value(sheet, row, code_column, cells.get(code_column)) or ""
        index = merge.by_code.get(code) if code else None
        if index is None:
            enterprises.append({"history": []})
            index = len(enterprises) - 1
            if code:
                merge.by_code[code] = index
            merge.places.mark(("enterprises", index), sheet, row)
        record = enterprises[index]
        qualifications: list[str | None] = [None, None, None]
        touched_qualifications = False
        for column, text in cells.items():
            value = merge.value(sheet, row, column, text)
            if column.path[0] == "qualifications":
                qualifications[int(column.path[1])] = value
                if not touched_qualifications:
                    merge.places.mark(("enterprises", index, "qualifications"), sheet, row, column)
                touched_qualifications = True
                merge.places.mark(("enterprises", index, "qualifications", int(column.path[1])), sheet, row, column)
                continue
            _set(record, column.path, value)
            merge.places.mark(("enterprises", index, *column.path), sheet, row, column)
        if touched_qualifications:
            record["qualifications"] = [q for q in qualifications if q]


def merge_events(merge: Merge, sheet: Sheet) -> None:
    enterprises = merge.data.get("enterprises") or []
    code_column, name_column = EVENT_COLUMNS[0], EVENT_COLUMNS[1]
    for row, cells in sheet.rows:
        code = merge.value(sheet, row, code_column, cells.get(code_column)) or ""
        index = merge.by_code.get(code)
        if index is None:
            merge.report(
                sheet,
                row,
                code_column,
                "excel.unknown_enterprise",
                f"登记册和“企业”表中都没有统一社会信用代码为 {code} 的企业",
            )
            continue
        record = enterprises[index]
        name = merge.value(sheet, row, name_column, cells.get(name_column)) if name_column in cells else None
        if name and name != record.get("name"):
            merge.report(
                sheet,
                row,
                name_column,
                "excel.name_mismatch",
                f"企业名称与统一社会信用代码对应的企业（{record.get('name')}）不一致，请核对代码",
            )
            continue
        event: dict[str, Any] = {}
        for column, text in cells.items():
            if column.path[0] not in ("uscc", "name"):
                _set(event, column.path, merge.value(sheet, row, column, text))
        history = record.setdefault("history", [])
        if not isinstance(history, list):
            continue
        same = ("date", "event", "round")
        if any(isinstance(old, dict) and all(old.get(k) == event.get(k) for k in same) for old in history):
            continue
        history.append(event)
        position = ("enterprises", index, "history", len(history) - 1)
        merge.places.mark(position, sheet, row)
        for column in cells:
            if column.path[0] not in ("uscc", "name"):
                merge.places.mark((*position, *column.path), sheet, row, column)


_LABELS: dict[tuple[str, tuple[str, ...]], str] = {
    **{("enterprises", c.path): c.header for c in ENTERPRISE_COLUMNS if c.path[0] != "qualifications"},
    ("enterprises", ("qualifications",)): "入库条件1",
    ("enterprises", ("history",)): "“事件”表",
    **{("rounds", c.path): c.header for c in ROUND_COLUMNS},
    **{("history", c.path): c.header for c in EVENT_COLUMNS},
}


def clerk_label(path: PathKey) -> str:
    """The column header staff see for a register path (a field missing from an imported row);
    for a missing group (contact), every column of it."""
    if len(path) >= 5 and path[2] == "history":
        sheet, wanted = "history", tuple(str(p) for p in path[4:])
    elif len(path) >= 3:
        sheet, wanted = str(path[0]), tuple(str(p) for p in path[2:] if not isinstance(p, int))
    else:
        return ""
    if (sheet, wanted) in _LABELS:
        return _LABELS[(sheet, wanted)]
    return "、".join(label for (kind, at), label in _LABELS.items() if kind == sheet and at[: len(wanted)] == wanted)


@dataclass(frozen=True)
class ImportResult:
    comparison: Comparison
    backup: Path | None  # None when the register did not change and was not written


def _open(data_dir: Path, source: str, problems: list[Problem]) -> tuple[RegisterFile, Inputs, Merge]:
    """The register read once, as text to write back and as data; checked whole before anything
    is merged into it."""
    try:
        register = RegisterFile(data_dir / REGISTER_FILE)
    except InputError:
        load_inputs(data_dir)  # raises with every problem of the data folder, the register's among them
        raise
    before = load_inputs(data_dir, register.loaded)
    # marshal copies fast and exactly what the loader makes: dicts, lists, strings and None.
    return register, before, Merge(marshal.loads(marshal.dumps(register.data)), source, problems=problems)


def _commit(
    data_dir: Path,
    before: Inputs,
    register: RegisterFile,
    merge: Merge,
    labels: Callable[[PathKey], str],
    today: date,
    now: datetime,
) -> ImportResult:
    """Check the merged register with every rule; write it (after a backup) only when clean."""
    loaded = register.loaded
    merged = Loaded(merge.data, loaded.source, loaded.lines, merge.places, labels=labels)
    try:
        after = load_inputs(data_dir, merged, Known(loaded.data, before.register))
    except InputError as error:
        raise InputError(merge.problems + error.problems) from None
    if merge.problems:
        raise InputError(merge.problems)
    backup = register.write(merge.data, now) if merge.data != register.data else None
    return ImportResult(compare(before, after, today), backup)


def _read_or_refuse(workbook: Path) -> tuple[dict[str, Sheet], list[Problem], bool]:
    """`read_workbook` for another process: an `InputError` does not survive pickling."""
    try:
        return (*read_workbook(workbook), False)
    except InputError as error:
        return {}, error.problems, True


@contextmanager
def _reading(workbook: Path) -> Iterator[Callable[[], tuple[dict[str, Sheet], list[Problem]]]]:
    """The workbook read in a forked process while this one reads and checks the register: each
    takes seconds at province scale, and the machine has two cores."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: read_workbook(workbook)
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        reading = pool.submit(_read_or_refuse, workbook)

        def result() -> tuple[dict[str, Sheet], list[Problem]]:
            sheets, problems, refused = reading.result()
            if refused:
                raise InputError(problems)
            return sheets, problems

        yield result


def import_workbook(
    workbook: Path, data_dir: Path, today: date, now: Callable[[], datetime] = datetime.now
) -> ImportResult:
    """Merge `workbook` into register.yaml, or raise `InputError` with every located problem and write nothing."""
    with _reading(workbook) as read:
        register, before, merge = _open(data_dir, display_path(workbook), [])
        sheets, problems = read()
    merge.problems += problems
    for title, merger in (("批次", merge_rounds), ("企业", merge_enterprises), ("事件", merge_events)):
        if title in sheets:
            merger(merge, sheets[title])
    return _commit(data_dir, before, register, merge, clerk_label, today, now())


def import_applications(
    files: list[Path], data_dir: Path, today: date, applied_on: date, now: Callable[[], datetime] = datetime.now
) -> ImportResult:
    """Add each application file's enterprise with an `applied` event on `applied_on` (an enterprise
    already in the register is updated and applies again), or raise `InputError` and write nothing."""
    problems: list[Problem] = []
    applications = []
    for path in files:
        try:
            application = read_application(path)
        except InputError as error:
            problems += error.problems
            continue
        applications.append(application)
        problems += application.problems
    register, before, merge = _open(data_dir, "", problems)
    seen: dict[str, str] = {}
    for application in applications:
        typed = application.record.get("uscc")
        code = uscc_rules.normalise(typed) if isinstance(typed, str) else ""
        if code in seen:
            message = f"与 {seen[code]} 是同一家企业（统一社会信用代码相同），一次只能导入其中一份"
            merge.problems.append(Problem(application.source, 0, "", message, code="application.duplicate"))
            continue
        if code:
            seen[code] = application.source
        enterprises = merge.records("enterprises")
        index = merge.by_code.get(code) if code else None
        event = {"date": applied_on.isoformat(), "event": "applied"}
        if index is None:
            enterprises.append({**application.record, "history": [event]})
            index = len(enterprises) - 1
        else:
            history = enterprises[index].get("history") or []
            enterprises[index] = {**enterprises[index], **application.record, "history": [*history, event]}
        record_place = Place(application.source, 0, "", None)
        merge.places[("enterprises", index)] = record_place
        merge.places[("enterprises", index, "history", len(enterprises[index]["history"]) - 1)] = record_place
        for at, place in application.places.items():
            merge.places[("enterprises", index, *at)] = place
    return _commit(data_dir, before, register, merge, lambda path: label(path[2:]), today, now())
