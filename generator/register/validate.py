"""Validate stage: loaded YAML → typed records plus every located problem. Writes nothing.

Records are validated one by one, so a broken enterprise does not hide the problems of the
others, and the cross-record rules (duplicates, history, rounds) run on every record that
parsed. Messages are Chinese, with field paths spelled as in the YAML.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import Problem, Severity
from generator.register import uscc as uscc_rules
from generator.register.load import Loaded, PathKey, field_path
from generator.register.models import (
    DECLARATION_NAMES,
    EVENT_NAMES,
    EXCLUSION_NAMES,
    QUALIFICATION_SECTORS,
    Enterprise,
    Glossary,
    Register,
    Round,
    SiteSettings,
    parse_date,
)
from generator.register.status import ALLOWED_AFTER, Schedule, schedule_rounds
from generator.register.uscc import region
from generator.register.workdays import UnknownYear, WorkCalendar, YearOverride

M = TypeVar("M", bound=BaseModel)


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _model_at(model: type[BaseModel] | None, loc: Sequence[str | int]) -> type[BaseModel] | None:
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        model = _nested_model(info.annotation) if info else None
    return model


def _did_you_mean(key: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return f"；是不是“{close[0]}”？" if close else ""


_TYPE_MESSAGES = {
    "model_type": "应为映射（“键: 值”的形式）",
    "dict_type": "应为映射（“键: 值”的形式）",
    "list_type": "应为列表（每项以“- ”开头）",
    "tuple_type": "应为列表（每项以“- ”开头）",
    "string_type": "应为文字",
}


def _message(error: Any, model: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    kind = error["type"]
    if kind == "wlsite":
        return str(error["msg"])
    if kind == "missing":
        return "缺少必填字段"
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        return f"未知字段“{loc[-1]}”" + _did_you_mean(str(loc[-1]), parent.model_fields if parent else ())
    if error.get("input") is None and kind in _TYPE_MESSAGES:
        return "不能为空"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    if kind == "too_short":
        return "不能为空（至少一项）"
    return f"内容无效（{error['msg']}）"


def to_model(
    model: type[M], data: Any, loaded: Loaded, prefix: PathKey = (), context: dict[str, Any] | None = None
) -> tuple[M | None, list[Problem]]:
    """Validate `data` (found at `prefix` in `loaded`) as `model`; problems carry lines."""
    try:
        return model.model_validate(data, context=context), []
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
            problem = loaded.problem(where, _message(detail, model, loc), name=field_path(full))
            problems.append(problem)
        return None, problems


def _mapping(loaded: Loaded, allowed: tuple[str, ...]) -> tuple[dict[str, Any], list[Problem]]:
    """The top level of a file must be a mapping with known keys."""
    if loaded.data is None:
        return {}, []
    if not isinstance(loaded.data, dict):
        return {}, [Problem(loaded.source, loaded.line(()), "", "文件顶层应为映射（“键: 值”的形式）。")]
    problems = [
        loaded.problem((key,), f"未知字段“{key}”" + _did_you_mean(key, allowed))
        for key in loaded.data
        if key not in allowed
    ]
    return loaded.data, problems


def check_site(loaded: Loaded) -> tuple[SiteSettings | None, list[Problem]]:
    if not isinstance(loaded.data, dict):
        return None, [Problem(loaded.source, loaded.line(()), "", "文件顶层应为映射（“键: 值”的形式）。")]
    site, problems = to_model(SiteSettings, loaded.data, loaded)
    if site is not None:
        seen: dict[str, int] = {}
        for index, township in enumerate(site.county.townships):
            path: PathKey = ("county", "townships", index)
            if township in seen:
                problems.append(
                    Problem(
                        loaded.source,
                        loaded.line(path),
                        field_path(path),
                        f"乡镇“{township}”重复（第 {seen[township]} 行）",
                    )
                )
            seen.setdefault(township, loaded.line(path))
    return site, problems


def check_glossary(loaded: Loaded) -> tuple[Glossary | None, list[Problem]]:
    if not isinstance(loaded.data, dict):
        return None, [Problem(loaded.source, loaded.line(()), "", "文件顶层应为映射（“键: 值”的形式）。")]
    glossary, problems = to_model(Glossary, loaded.data, loaded)
    if glossary is not None:
        seen: set[str] = set()
        for index, term in enumerate(glossary.terms):
            if term.term in seen:
                path: PathKey = ("terms", index, "term")
                problems.append(Problem(loaded.source, loaded.line(path), field_path(path), f"术语“{term.term}”重复"))
            seen.add(term.term)
    return glossary, problems


def check_holidays(loaded: Loaded) -> tuple[dict[int, YearOverride], list[Problem]]:
    """`data/holidays.yaml`: {year: {holidays: [dates], workdays: [dates]}} for years chinesecalendar lacks."""
    top, problems = _mapping(loaded, ())
    problems = []  # every top-level key is a year, not a field name
    overrides: dict[int, YearOverride] = {}
    for key, value in top.items():
        where: PathKey = (key,)
        if not re.fullmatch(r"\d{4}", key):
            problems.append(
                Problem(loaded.source, loaded.line(where), key, f"应为四位年份（例如 2027），实际为“{key}”")
            )
            continue
        year = int(key)
        if not isinstance(value, dict):
            problems.append(
                Problem(
                    loaded.source,
                    loaded.line(where),
                    key,
                    "应为映射：holidays（放假日期）和 workdays（调休上班日期）",
                )
            )
            continue
        days: dict[str, set[date]] = {"holidays": set(), "workdays": set()}
        for name, items in value.items():
            path: PathKey = (key, name)
            if name not in days:
                problems.append(
                    Problem(
                        loaded.source,
                        loaded.line(path),
                        field_path(path),
                        f"未知字段“{name}”" + _did_you_mean(name, days),
                    )
                )
                continue
            if not isinstance(items, list):
                problems.append(Problem(loaded.source, loaded.line(path), field_path(path), "应为日期列表"))
                continue
            for index, item in enumerate(items):
                item_path: PathKey = (*path, index)
                try:
                    day = parse_date(item)
                except Exception as error:  # pydantic's custom error carries the Chinese text
                    problems.append(Problem(loaded.source, loaded.line(item_path), field_path(item_path), str(error)))
                    continue
                if day.year != year:
                    problems.append(
                        Problem(
                            loaded.source,
                            loaded.line(item_path),
                            field_path(item_path),
                            f"{day} 不在 {year} 年",
                        )
                    )
                days[name].add(day)
        both = days["holidays"] & days["workdays"]
        for day in sorted(both):
            problems.append(
                Problem(loaded.source, loaded.line(where), key, f"{day} 同时出现在 holidays 和 workdays 中")
            )
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
    lines: dict[str, int]  # uscc → line of the enterprise, for later messages


class _RegisterRules:
    """Cross-record rules over the records that parsed. Each rule appends located problems."""

    def __init__(self, loaded: Loaded, site: SiteSettings | None) -> None:
        self.loaded = loaded
        self.site = site
        self.problems: list[Problem] = []

    def add(self, path: PathKey, message: str, severity: Severity = Severity.ERROR) -> None:
        self.problems.append(self.loaded.problem(path, message, severity))

    def rounds(self, rounds: list[tuple[int, Round]]) -> dict[str, Round]:
        by_id: dict[str, Round] = {}
        for index, round_ in rounds:
            if round_.id in by_id:
                first = self.loaded.line(("rounds", self._index_of(rounds, round_.id), "id"))
                self.add(("rounds", index, "id"), f"批次编号“{round_.id}”重复（第 {first} 行已使用）")
                continue
            by_id[round_.id] = round_
        titles: dict[str, int] = {}
        for index, round_ in rounds:
            if round_.title in titles:
                self.add(("rounds", index, "title"), f"批次名称“{round_.title}”与第 {titles[round_.title]} 行重复")
            titles.setdefault(round_.title, self.loaded.line(("rounds", index, "title")))
        return by_id

    @staticmethod
    def _index_of(rounds: list[tuple[int, Round]], round_id: str) -> int:
        return next(index for index, r in rounds if r.id == round_id)

    def schedules(
        self,
        rounds: list[tuple[int, Round]],
        by_id: dict[str, Round],
        calendar: WorkCalendar,
        holidays_file: str,
    ) -> dict[str, Schedule]:
        default = self.site.notice.workdays if self.site else 5
        schedules: dict[str, Schedule] = {}
        for index, round_ in rounds:
            if by_id.get(round_.id) is not round_:
                continue
            try:
                schedules.update(schedule_rounds([round_], default, calendar))
            except UnknownYear as unknown:
                self.add(("rounds", index, "notice_start"), unknown.message(holidays_file))
        return schedules

    def enterprise(
        self, index: int, enterprise: Enterprise, by_id: dict[str, Round], schedules: dict[str, Schedule]
    ) -> None:
        at = ("enterprises", index)
        seen: set[str] = set()
        for q_index, qualification in enumerate(enterprise.qualifications):
            path = (*at, "qualifications", q_index)
            if qualification in seen:
                self.add(path, f"入库条件“{qualification}”重复")
            seen.add(qualification)
            if enterprise.sector not in QUALIFICATION_SECTORS[qualification]:
                fits = "、".join(QUALIFICATION_SECTORS[qualification])
                self.add(path, f"“{qualification}”只适用于{fits}类企业，本企业行业类别为“{enterprise.sector}”")
        if "万人助万企县领导包联企业" in seen and not enterprise.liaison:
            self.add(
                (*at, "qualifications"),
                "“万人助万企县领导包联企业”应在 liaison 中写明包联的县领导",
                Severity.WARNING,
            )
        approved = self.history(at, enterprise, by_id, schedules)
        if approved:
            for name, value in enterprise.declarations:
                if not value:
                    self.add(
                        (*at, "declarations", name),
                        f"已批准入库的企业必须满足“{DECLARATION_NAMES[name]}”（当前为 false）；"
                        "如情况有变，请添加 removed 事件移出",
                    )
            for name, value in enterprise.exclusions:
                if value:
                    self.add(
                        (*at, "exclusions", name),
                        f"已批准入库的企业不得有“{EXCLUSION_NAMES[name]}”的情形（当前为 true）；"
                        "如已查实，请添加 removed 事件移出",
                    )

    def history(
        self, at: PathKey, enterprise: Enterprise, by_id: dict[str, Round], schedules: dict[str, Schedule]
    ) -> bool:
        """Check the event sequence; True when it ends approved (listed or in notice)."""
        state: str | None = None
        previous: date | None = None
        approval: Schedule | None = None
        for e_index, event in enumerate(enterprise.history):
            path = (*at, "history", e_index)
            if previous is not None and event.date < previous:
                self.add((*path, "date"), f"日期 {event.date} 早于上一条事件（{previous}）：请按时间顺序排列")
            previous = event.date
            if event.event not in ALLOWED_AFTER[state]:
                self.add((*path, "event"), self._transition_message(state, event.event))
            if event.round is not None and event.event != "approved":
                self.add((*path, "round"), "只有 approved（批准）事件可以写 round")
            if event.event == "approved":
                approval = self._approval(path, event.round, event.date, by_id, schedules)
            if event.event == "removed" and not event.reason:
                self.add(path, "移出事件必须写明公开的移出原因（reason）")
            if event.event in ("removed", "objection_upheld") and approval is not None:
                self._after_approval(path, event.event, event.date, approval)
            if event.event in ("removed", "objection_upheld", "rejected", "applied"):
                approval = None
            state = event.event
        return state == "approved"

    @staticmethod
    def _transition_message(state: str | None, event: str) -> str:
        name = EVENT_NAMES.get(event, event)
        if state is None:
            return f"第一条事件应为 applied（申报），实际为 {event}（{name}）"
        if event in ("reviewed", "approved", "rejected"):
            return f"{event}（{name}）之前需要先有 applied（申报）；上一条是 {state}（{EVENT_NAMES[state]}）"
        if event in ("removed", "objection_upheld"):
            return f"{event}（{name}）只能在 approved（批准）之后；上一条是 {state}（{EVENT_NAMES[state]}）"
        return f"{event}（{name}）不能紧跟在 {state}（{EVENT_NAMES[state]}）之后：重新申报前应先移出或不予批准"

    def _approval(
        self,
        path: PathKey,
        round_id: str | None,
        day: date,
        by_id: dict[str, Round],
        schedules: dict[str, Schedule],
    ) -> Schedule | None:
        if round_id is None:
            self.add(path, "批准事件必须写明批次（round）")
            return None
        if round_id not in by_id:
            known = "、".join(by_id) or "（无）"
            self.add(
                (*path, "round"),
                f"批次“{round_id}”不存在；已有批次：{known}" + _did_you_mean(round_id, by_id),
            )
            return None
        schedule = schedules.get(round_id)
        if schedule is not None and day > schedule.start:
            self.add((*path, "date"), f"批准日期 {day} 晚于批次“{round_id}”的公示日期 {schedule.start}")
        return schedule

    def _after_approval(self, path: PathKey, event: str, day: date, schedule: Schedule) -> None:
        if day < schedule.start:
            self.add(
                (*path, "date"),
                f"{day} 早于公示开始日期 {schedule.start}：公示前撤回应使用 rejected（不予批准）",
            )
        elif event == "objection_upheld" and day > schedule.end:
            self.add(
                (*path, "date"),
                f"异议成立日期 {day} 晚于公示期结束日期 {schedule.end}：公示期满后发现问题应使用 removed（移出）",
                Severity.WARNING,
            )

    def raw_rules(self, items: list[Any]) -> None:
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
                    self.add(("enterprises", index, "uscc"), f"统一社会信用代码与第 {codes[code]} 行的企业重复")
                codes.setdefault(code, line)
                county = self.site.county if self.site else None
                if county is not None and region(code) != county.division_code:
                    self.add(
                        ("enterprises", index, "uscc"),
                        f"行政区划码 {region(code)} 不是{county.name}（{county.division_code}），"
                        "请核对企业是否在县内注册",
                        Severity.WARNING,
                    )
            if isinstance(raw_name, str) and raw_name.strip():
                key = normalise_name(raw_name)
                if key in names:
                    self.add(
                        ("enterprises", index, "name"),
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
    loaded: Loaded, site: SiteSettings | None, calendar: WorkCalendar, holidays_file: str
) -> tuple[CheckedRegister | None, list[Problem]]:
    """Every problem of the register; the checked register when there is none that is an error."""
    top, problems = _mapping(loaded, tuple(Register.model_fields))
    rules = _RegisterRules(loaded, site)
    rounds: list[tuple[int, Round]] = []
    enterprises: list[tuple[int, Enterprise]] = []
    context = {"county": site.county} if site else None
    for name, model, bucket in (("rounds", Round, rounds), ("enterprises", Enterprise, enterprises)):
        items = top.get(name)
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(loaded.problem((name,), "应为列表（每项以“- ”开头）"))
            continue
        for index, item in enumerate(items):
            record, found = to_model(model, item, loaded, (name, index), context)
            problems.extend(found)
            if record is not None:
                bucket.append((index, record))  # type: ignore[arg-type]
    by_id = rules.rounds(rounds)
    schedules = rules.schedules(rounds, by_id, calendar, holidays_file)
    raw_enterprises = top.get("enterprises")
    rules.raw_rules(raw_enterprises if isinstance(raw_enterprises, list) else [])
    for index, enterprise in enterprises:
        rules.enterprise(index, enterprise, by_id, schedules)
    problems.extend(rules.problems)
    if any(p.severity is Severity.ERROR for p in problems):
        return None, problems
    register = Register(rounds=tuple(r for _, r in rounds), enterprises=tuple(e for _, e in enterprises))
    lines = {e.uscc: loaded.line(("enterprises", i)) for i, e in enterprises}
    return CheckedRegister(register, schedules, lines), problems
