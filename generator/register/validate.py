"""Validate stage: loaded YAML → typed records plus every located problem. Writes nothing.

Every independent problem comes out in one run. A record that does not parse as a whole is still
read field by field (`valid_parts`), and each rule runs on every record whose fields that rule
reads are valid: a typo in a name does not hide an excluded enterprise that was approved, nor a
round that does not exist. Messages are Chinese, each with a stable rule code.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from generator.errors import Problem, Severity, did_you_mean
from generator.register import uscc as uscc_rules
from generator.register.events import EventKind
from generator.register.glyphs import missing_glyph
from generator.register.history import Schedule, Timeline, replay, schedule_round
from generator.register.load import Loaded, PathKey, field_path
from generator.register.messages import message
from generator.register.models import (
    DECLARATION_NAMES,
    EXCLUSION_NAMES,
    QUALIFICATION_SECTORS,
    Enterprise,
    Glossary,
    Register,
    Round,
    SiteSettings,
    nested_model,
    parse_date,
)
from generator.register.workdays import UnknownYear, WorkCalendar, YearOverride

M = TypeVar("M", bound=BaseModel)

LIAISON_QUALIFICATION = "万人助万企县领导包联企业"


def _model_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> type[BaseModel] | None:
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        model = nested_model(info.annotation) if info else None
    return model


_TYPE_MESSAGES = {
    "model_type": "应为映射（“键: 值”的形式）",
    "dict_type": "应为映射（“键: 值”的形式）",
    "list_type": "应为列表（每项以“- ”开头）",
    "tuple_type": "应为列表（每项以“- ”开头）",
    "string_type": "应为文字",
}


def _describe(error: Any, model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[str, str]:
    """(code, message) of one pydantic error; our own field errors carry their code as their type."""
    kind = error["type"]
    if "." in kind:
        return kind, str(error["msg"])
    if kind == "missing":
        return "field.missing", message("field.missing")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        return "field.unknown", f"未知字段“{loc[-1]}”" + did_you_mean(
            str(loc[-1]), parent.model_fields if parent else ()
        )
    if error.get("input") is None and kind in _TYPE_MESSAGES:
        return "field.empty", "不能为空"
    if kind in _TYPE_MESSAGES:
        return "field.type", _TYPE_MESSAGES[kind]
    if kind == "too_short":
        return "field.empty", "不能为空（至少一项）"
    return "field.invalid", f"内容无效（{error['msg']}）"


def to_model(model: type[M], data: Any, loaded: Loaded, prefix: PathKey = ()) -> tuple[M | None, list[Problem]]:
    """Validate `data` (found at `prefix` in `loaded`) as `model`; problems carry lines."""
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        details = error.errors(include_url=False)
        # A list with a bad item also fails its length check; the item's message is the useful one.
        item_locs = {tuple(d["loc"][:-1]) for d in details if d["loc"] and isinstance(d["loc"][-1], int)}
        problems = []
        for detail in details:
            loc = tuple(detail["loc"])
            if detail["type"] == "too_short" and loc in item_locs:
                continue
            full = (*prefix, *loc)
            where = full[:-1] if detail["type"] == "missing" else full
            code, message = _describe(detail, model, loc)
            problems.append(loaded.problem(where, code, message, field=full))
        return None, problems


@functools.cache
def _field_adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    info = model.model_fields[name]
    if not info.metadata:
        return TypeAdapter(info.annotation)
    return TypeAdapter(Annotated[info.annotation, *info.metadata])


def valid_parts(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """The fields of `data` that are valid on their own (nested models field by field), so rules
    can run on a record that fails elsewhere. Absent fields with a default take it."""
    if not isinstance(data, dict):
        return {}
    parts: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in data:
            if not info.is_required():
                parts[name] = info.get_default(call_default_factory=True)
            continue
        try:
            parts[name] = _field_adapter(model, name).validate_python(data[name])
        except ValidationError:
            nested = nested_model(info.annotation)
            if get_origin(info.annotation) is tuple:
                if isinstance(data[name], list):
                    parts[name] = _valid_items(get_args(info.annotation)[0], data[name])
            elif nested is not None and isinstance(data[name], dict):
                parts[name] = valid_parts(nested, data[name])
    return parts


def _valid_items(item_type: Any, items: list[Any]) -> list[Any]:
    """A list's items that parse, None where one does not, so indexes still match the file."""
    adapter: TypeAdapter[Any] = TypeAdapter(item_type)
    valid: list[Any] = []
    for item in items:
        try:
            valid.append(adapter.validate_python(item))
        except ValidationError:
            valid.append(None)
    return valid


def _items(value: Any) -> Iterator[tuple[str, Any]]:
    """(name, value) of a parsed sub-model or of the valid parts of a broken one."""
    return iter(value) if isinstance(value, BaseModel) else iter(value.items())


def _strings(data: Any, path: PathKey, skip: Collection[PathKey]) -> Iterator[tuple[PathKey, str]]:
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key), skip)
    elif isinstance(data, list):
        for index, value in enumerate(data):
            child = (*path, index)
            if child not in skip:
                yield from _strings(value, child, skip)


def _texts(data: Any, found: list[str]) -> None:
    if type(data) is str:
        found.append(data)
    elif type(data) is dict:
        for value in data.values():
            _texts(value, found)
    elif type(data) is list:
        for value in data:
            _texts(value, found)


def _unchecked_text(data: Any, checked: Collection[PathKey]) -> str:
    """Every value outside the records in `checked` (which are items of top-level lists), joined."""
    found: list[str] = []
    for key, value in data.items() if isinstance(data, dict) else [("", data)]:
        if isinstance(value, list):
            for index, item in enumerate(value):
                if (key, index) not in checked:
                    _texts(item, found)
        else:
            _texts(value, found)
    return "".join(found)


def glyph_problems(loaded: Loaded, known: Iterable[Problem], checked: Collection[PathKey] = ()) -> list[Problem]:
    """Characters no installed font can draw (an emoji, a rare ideograph): the PDFs print these
    values, and WeasyPrint would fail the build on an empty box. Fields already reported for
    another reason are left to that message, and records in `checked` were read before."""
    if missing_glyph(_unchecked_text(loaded.data, checked)) is None:  # one search of it all, the usual answer
        return []
    reported = {problem.field for problem in known}
    problems = []
    for path, text in _strings(loaded.data, (), checked):
        ch = missing_glyph(text)
        if ch is not None and field_path(path) not in reported:
            message = (
                f"含有打印字体中没有的字符“{ch}”（U+{ord(ch):04X}），证明、公示和表格的 PDF 无法显示它；"
                "请删除，或改用文字表达"
            )
            problems.append(loaded.problem(path, "text.glyph", message))
    return problems


def _mapping(loaded: Loaded, allowed: tuple[str, ...], what: str) -> tuple[dict[str, Any], list[Problem]]:
    """The top level of a file must be a mapping with known keys."""
    if loaded.data is None:
        return {}, []
    if not isinstance(loaded.data, dict):
        return {}, [loaded.problem((), "file.shape", f"文件顶层应为映射（“键: 值”的形式）：{what}")]
    problems = [
        loaded.problem((key,), "field.unknown", f"未知字段“{key}”" + did_you_mean(key, allowed))
        for key in loaded.data
        if key not in allowed
    ]
    return loaded.data, problems


def check_site(loaded: Loaded) -> tuple[SiteSettings | None, list[Problem]]:
    if not isinstance(loaded.data, dict):
        return None, [loaded.problem((), "file.shape", "文件顶层应为映射（“键: 值”的形式）。")]
    site, problems = to_model(SiteSettings, loaded.data, loaded)
    problems += glyph_problems(loaded, problems)
    if site is not None:
        seen: dict[str, int] = {}
        for index, township in enumerate(site.county.townships):
            path: PathKey = ("county", "townships", index)
            if township in seen:
                problems.append(
                    loaded.problem(path, "township.duplicate", f"乡镇“{township}”重复（第 {seen[township]} 行）")
                )
            seen.setdefault(township, loaded.line(path))
    return site, problems


def check_glossary(loaded: Loaded) -> tuple[Glossary | None, list[Problem]]:
    if not isinstance(loaded.data, dict):
        return None, [loaded.problem((), "file.shape", "文件顶层应为映射（“键: 值”的形式）。")]
    glossary, problems = to_model(Glossary, loaded.data, loaded)
    if glossary is not None:
        seen: set[str] = set()
        for index, term in enumerate(glossary.terms):
            if term.term in seen:
                problems.append(
                    loaded.problem(("terms", index, "term"), "glossary.duplicate", f"术语“{term.term}”重复")
                )
            seen.add(term.term)
    return glossary, problems


HOLIDAYS_SHAPE = (
    '每个年份下写 holidays（放假日期）和 workdays（调休上班日期），例如 "2027": {holidays: [2027-01-01], workdays: []}'
)


def check_holidays(loaded: Loaded) -> tuple[dict[int, YearOverride], list[Problem]]:
    """`data/holidays.yaml`: {year: {holidays: [dates], workdays: [dates]}} for years chinesecalendar lacks."""
    if loaded.data is not None and not isinstance(loaded.data, dict):
        return {}, [loaded.problem((), "holidays.shape", f"文件顶层应为按年份的映射：{HOLIDAYS_SHAPE}")]
    problems: list[Problem] = []
    overrides: dict[int, YearOverride] = {}
    for key, value in (loaded.data or {}).items():
        where: PathKey = (key,)
        if not re.fullmatch(r"\d{4}", key):
            problems.append(loaded.problem(where, "holidays.year", f"应为四位年份（例如 2027），实际为“{key}”"))
            continue
        year = int(key)
        if not isinstance(value, dict):
            problems.append(loaded.problem(where, "holidays.shape", f"应为映射：{HOLIDAYS_SHAPE}"))
            continue
        days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
        for name, items in value.items():
            path: PathKey = (key, name)
            if name not in days:
                problems.append(loaded.problem(path, "field.unknown", f"未知字段“{name}”" + did_you_mean(name, days)))
                continue
            if not isinstance(items, list):
                problems.append(loaded.problem(path, "holidays.shape", "应为日期列表"))
                continue
            for index, item in enumerate(items):
                item_path: PathKey = (*path, index)
                try:
                    day = parse_date(item)
                except Exception as error:  # pydantic's custom error carries the Chinese text and code
                    problems.append(loaded.problem(item_path, getattr(error, "type", "date.format"), str(error)))
                    continue
                if day.year != year:
                    problems.append(loaded.problem(item_path, "holidays.year_mismatch", f"{day} 不在 {year} 年"))
                days[name].add(day)
        for day in sorted(days["holidays"] & days["workdays"]):
            problems.append(loaded.problem(where, "holidays.both", f"{day} 同时出现在 holidays 和 workdays 中"))
        overrides[year] = YearOverride(frozenset(days["holidays"]), frozenset(days["workdays"]))
    return overrides, problems


def normalise_name(name: str) -> str:
    """For duplicate detection: full/half-width forms, bracket styles and spaces do not count."""
    text = unicodedata.normalize("NFKC", name)
    text = text.translate(str.maketrans("〔〕［］【】", "()[][]"))
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class CheckedRegister:
    register: Register
    schedules: dict[str, Schedule]
    timelines: dict[str, Timeline]  # uscc → its history replayed, once


@dataclass(frozen=True)
class Known:
    """A register checked without an error and the records it parsed to (the register an import
    merges into). A record identical to the one at its index there is not parsed or searched for
    missing glyphs again; every rule still runs on it, as rules read other records too."""

    data: Any
    register: Register

    def record(self, name: str, index: int, item: Any) -> BaseModel | None:
        items = self.data.get(name) if isinstance(self.data, dict) else None
        if isinstance(items, list) and index < len(items) and items[index] == item:
            parsed: tuple[BaseModel, ...] = getattr(self.register, name)
            return parsed[index]
        return None


class _RegisterRules:
    """Rules over the register. Each appends located problems and runs wherever its fields are valid."""

    def __init__(self, loaded: Loaded, site: SiteSettings | None, calendar: WorkCalendar, holidays: str) -> None:
        self.loaded = loaded
        self.site = site
        self.calendar = calendar
        self.holidays = holidays
        self.problems: list[Problem] = []

    def add(self, path: PathKey, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(self.loaded.problem(path, code, message, severity))

    def rounds(self, items: list[tuple[int, dict[str, Any]]]) -> dict[str, Schedule | None]:
        """Round ids (first of each) → schedule; None where the round's own fields or the calendar fail."""
        found: dict[str, Schedule | None] = {}
        first_line: dict[str, int] = {}
        folded: dict[str, tuple[str, int]] = {}
        titles: dict[str, int] = {}
        default = self.site.notice.workdays if self.site else 5
        for index, parts in items:
            round_id, title = parts.get("id"), parts.get("title")
            at = ("rounds", index)
            duplicate = round_id is not None and round_id in found
            if round_id is not None and duplicate:
                self.add(
                    (*at, "id"), "round.id_duplicate", f"批次编号“{round_id}”重复（第 {first_line[round_id]} 行已使用）"
                )
            elif round_id is not None:
                line = self.loaded.line((*at, "id"))
                other = folded.get(round_id.casefold())
                if other is not None:
                    self.add(
                        (*at, "id"),
                        "round.id_case",
                        f"批次编号“{round_id}”与第 {other[1]} 行的“{other[0]}”只有大小写不同："
                        "在 Windows、macOS 和 U 盘上它们是同一个文件，请改用不同的编号",
                    )
                folded.setdefault(round_id.casefold(), (round_id, line))
                first_line[round_id] = line
                found[round_id] = None
            if title is not None:
                if title in titles:
                    self.add((*at, "title"), "round.title_duplicate", f"批次名称“{title}”与第 {titles[title]} 行重复")
                titles.setdefault(title, self.loaded.line((*at, "title")))
            if round_id is not None and not duplicate and len(parts) == len(Round.model_fields):
                try:
                    found[round_id] = schedule_round(Round.model_construct(**parts), default, self.calendar)
                except UnknownYear as unknown:
                    self.add((*at, "notice_start"), "round.calendar", unknown.message(self.holidays))
        return found

    def enterprise(self, index: int, parts: dict[str, Any], rounds: dict[str, Schedule | None]) -> Timeline | None:
        """Every rule of one enterprise on its valid fields; its replayed history when that parsed."""
        at: PathKey = ("enterprises", index)
        if self.site is not None and "township" in parts:
            county = self.site.county
            township = parts["township"]
            if township not in county.townships:
                self.add(
                    (*at, "township"),
                    "township.unknown",
                    f"“{township}”不是{county.name}的乡镇（见 site.yaml 的 county.townships）"
                    + did_you_mean(township, county.townships, cutoff=0.5),  # short CJK names
                )
        qualifications = parts.get("qualifications", ())
        seen: set[str] = set()
        for q_index, qualification in enumerate(qualifications):
            if qualification is None:
                continue
            path = (*at, "qualifications", q_index)
            if qualification in seen:
                self.add(
                    path, "qualification.duplicate", message("qualification.duplicate", qualification=qualification)
                )
            seen.add(qualification)
            sector = parts.get("sector")
            if sector is not None and sector not in QUALIFICATION_SECTORS[qualification]:
                fits = "、".join(QUALIFICATION_SECTORS[qualification])
                text = message("qualification.sector", qualification=qualification, fits=fits, sector=sector)
                self.add(path, "qualification.sector", text)
        if LIAISON_QUALIFICATION in seen and "liaison" in parts and not parts["liaison"]:
            self.add(
                (*at, "qualifications"),
                "liaison.missing",
                message("liaison.missing", qualification=LIAISON_QUALIFICATION),
                Severity.WARNING,
            )
        if "history" not in parts or None in parts["history"]:
            return None  # the replay reads every event
        timeline = replay(parts["history"], rounds, self._reviewers())
        for violation in timeline.violations:
            path = (*at, "history", violation.index)
            self.add(
                (*path, violation.field) if violation.field else path,
                violation.code,
                violation.message,
                violation.severity,
            )
        if timeline.last_kind is EventKind.APPROVED:
            self._approved(at, parts)
        return timeline

    def _reviewers(self) -> tuple[str, ...] | None:
        if self.site is None:
            return None
        return (*self.site.county.townships, self.site.authority.name)

    def _approved(self, at: PathKey, parts: dict[str, Any]) -> None:
        """An approved enterprise must still meet every declaration and have no exclusion."""
        for name, value in _items(parts.get("declarations", {})):
            if value is False:
                self.add(
                    (*at, "declarations", name),
                    "approved.declaration",
                    f"已批准入库的企业必须满足“{DECLARATION_NAMES[name]}”（当前为 false）；"
                    "如情况有变，请添加 removed 事件移出",
                )
        for name, value in _items(parts.get("exclusions", {})):
            if value is True:
                self.add(
                    (*at, "exclusions", name),
                    "approved.exclusion",
                    f"已批准入库的企业不得有“{EXCLUSION_NAMES[name]}”的情形（当前为 true）；"
                    "如已查实，请添加 removed 事件移出",
                )

    def duplicates(self, items: list[Any]) -> None:
        """Rules on the raw values, so they hold even for records with other broken fields:
        duplicate codes and names, and codes registered outside the county."""
        codes: dict[str, int] = {}
        names: dict[str, int] = {}
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            line = self.loaded.line(("enterprises", index))
            raw_code, raw_name = item.get("uscc"), item.get("name")
            code = _valid_code(raw_code)
            if code is not None:
                if code in codes:
                    self.add(
                        ("enterprises", index, "uscc"),
                        "uscc.duplicate",
                        f"统一社会信用代码与第 {codes[code]} 行的企业重复",
                    )
                codes.setdefault(code, line)
                county = self.site.county if self.site else None
                if county is not None and uscc_rules.region(code) != county.division_code:
                    self.add(
                        ("enterprises", index, "uscc"),
                        "uscc.region",
                        f"行政区划码 {uscc_rules.region(code)} 不是{county.name}（{county.division_code}），"
                        "请核对企业是否在县内注册",
                        Severity.WARNING,
                    )
            if isinstance(raw_name, str) and raw_name.strip():
                key = normalise_name(raw_name)
                if key in names:
                    self.add(
                        ("enterprises", index, "name"),
                        "name.duplicate",
                        f"企业名称与第 {names[key]} 行的企业重复（已忽略全半角、括号和空格的差别）",
                    )
                names.setdefault(key, line)


def _valid_code(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    try:
        return uscc_rules.validate(raw)
    except uscc_rules.UsccError:
        return None


def check_register(
    loaded: Loaded, site: SiteSettings | None, calendar: WorkCalendar, holidays_file: str, known: Known | None = None
) -> tuple[CheckedRegister | None, list[Problem]]:
    """Every problem of the register; the checked register when there is none that is an error."""
    top, problems = _mapping(loaded, tuple(Register.model_fields), "rounds（批次）和 enterprises（企业）")
    rules = _RegisterRules(loaded, site, calendar, holidays_file)
    parsed: dict[str, list[tuple[int, Any]]] = {"rounds": [], "enterprises": []}
    checked: set[PathKey] = set()
    partial: dict[str, list[tuple[int, dict[str, Any]]]] = {"rounds": [], "enterprises": []}
    for name, model in (("rounds", Round), ("enterprises", Enterprise)):
        items = top.get(name)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(loaded.problem((name,), "field.type", "应为列表（每项以“- ”开头）"))
            continue
        for index, item in enumerate(items):
            record = known.record(name, index, item) if known is not None else None
            if record is not None:
                checked.add((name, index))
                found: list[Problem] = []
            else:
                record, found = to_model(model, item, loaded, (name, index))
            problems.extend(found)
            if record is not None:
                parsed[name].append((index, record))
                partial[name].append((index, dict(record)))
            else:
                partial[name].append((index, valid_parts(model, item)))
    rounds = rules.rounds(partial["rounds"])
    raw_enterprises = top.get("enterprises")
    rules.duplicates(raw_enterprises if isinstance(raw_enterprises, list) else [])
    timelines: dict[int, Timeline] = {}
    for index, parts in partial["enterprises"]:
        timeline = rules.enterprise(index, parts, rounds)
        if timeline is not None:
            timelines[index] = timeline
    problems.extend(rules.problems)
    problems += glyph_problems(loaded, problems, checked)
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    register = Register(
        rounds=tuple(r for _, r in parsed["rounds"]), enterprises=tuple(e for _, e in parsed["enterprises"])
    )
    schedules = {round_id: schedule for round_id, schedule in rounds.items() if schedule is not None}
    by_code = {e.uscc: timelines[i] for i, e in parsed["enterprises"]}
    return CheckedRegister(register, schedules, by_code), problems
