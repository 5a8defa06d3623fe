"""Approval rounds for staff: open the next round in register.yaml, and say what each round shows.

`new_round` appends one round to the file (nothing else touched, comments and line endings kept)
after checking the whole register with the new round in it: a title with markup or a period the
calendar does not know is refused before anything is written.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from generator.errors import InputError, Problem, display_path
from generator.guideline.parse import cn_numeral
from generator.inputs import REGISTER_FILE, holidays_source, load_inputs
from generator.register.events import EventKind
from generator.register.history import Schedule, Status
from generator.register.load import Loaded, parse_yaml
from generator.register.workdays import UnknownYear


@dataclass(frozen=True)
class NewRound:
    schedule: Schedule
    approved: int  # enterprises whose approved event names this round already


def next_round_id(existing: set[str], start: date) -> str:
    number = 1 + sum(1 for round_id in existing if re.fullmatch(rf"{start.year}-\d+", round_id))
    while f"{start.year}-{number:02d}" in existing:
        number += 1
    return f"{start.year}-{number:02d}"


def next_round_title(existing: set[str], count: int) -> str:
    number = count + 1
    while f"第{cn_numeral(number)}批" in existing:
        number += 1
    return f"第{cn_numeral(number)}批"


def new_round(
    data_dir: Path,
    today: date,
    start: date | None = None,
    round_id: str | None = None,
    title: str | None = None,
    workdays: int | None = None,
    now: Callable[[], datetime] = datetime.now,
) -> NewRound:
    """Append the next round to register.yaml; raises `InputError` and writes nothing on any problem."""
    inputs = load_inputs(data_dir)
    path = data_dir / REGISTER_FILE
    source = display_path(path)
    rounds = inputs.register.rounds
    try:
        start = start or inputs.calendar.next_workday(today)
    except UnknownYear as unknown:
        problem = Problem(source, 0, "rounds", unknown.message(holidays_source(data_dir)), code="round.calendar")
        raise InputError([problem]) from None
    round_id = round_id or next_round_id({r.id for r in rounds}, start)
    title = title or next_round_title({r.title for r in rounds}, len(rounds))
    problems = []
    if round_id in {r.id for r in rounds}:
        problems.append(Problem(source, 0, "rounds", f"批次编号“{round_id}”已存在", code="round.id_duplicate"))
    if rounds and start < max(r.notice_start for r in rounds):
        latest = max(r.notice_start for r in rounds)
        message = f"公示日期 {start} 早于上一批次的公示日期 {latest}"
        problems.append(Problem(source, 0, "rounds", message, code="round.start_order"))
    if problems:
        raise InputError(problems)

    from generator.staff.yamlfile import RegisterFile  # ruamel.yaml only when a round is written

    register = RegisterFile(path)
    loaded = parse_yaml(register.text, source)
    merged = copy.deepcopy(loaded.data or {})
    entry = {"id": round_id, "title": title, "notice_start": start.isoformat()}
    if workdays is not None:
        entry["workdays"] = str(workdays)
    merged["rounds"] = [*(merged.get("rounds") or []), entry]
    checked = load_inputs(data_dir, Loaded(merged, source, loaded.lines))  # every rule, before writing
    register.write(merged, now())
    schedule = checked.schedules[round_id]
    approved = sum(1 for e in checked.register.enterprises for ev in e.history if ev.round == round_id)
    return NewRound(schedule, approved)


@dataclass(frozen=True)
class RoundState:
    schedule: Schedule
    approved: int
    state: str  # what the site shows on the date


def round_status(data_dir: Path, on: date) -> list[RoundState]:
    """Every round, oldest first, with what the site shows about it on `on`."""
    inputs = load_inputs(data_dir)
    states = []
    for schedule in sorted(inputs.schedules.values(), key=lambda s: (s.start, s.round.id)):
        members = [e for e in inputs.register.enterprises if any(ev.round == schedule.round.id for ev in e.history)]
        if not members:
            state = "没有企业的 approved 事件写明本批次：网站不会发布它的公示"
        elif on < schedule.start:
            state = f"未发布：{schedule.start} 起公示"
        elif on <= schedule.end:
            left = inputs.calendar.workdays_between(on, schedule.end)
            state = f"公示中：还剩 {left} 个工作日（含当天）"
        else:
            counts: dict[Status, int] = {}
            for enterprise in members:
                result = inputs.timelines[enterprise.uscc].standing(on)
                period = next((p for p in result.periods if p.schedule is schedule), None) if result else None
                if period is None:
                    continue
                key = (
                    Status.NOT_ADMITTED
                    if period.ended_by is EventKind.OBJECTION_UPHELD
                    else Status.REMOVED
                    if period.ended_by is EventKind.REMOVED
                    else Status.LISTED
                )
                counts[key] = counts.get(key, 0) + 1
            parts = [f"{counts.get(Status.LISTED, 0)} 家在库"]
            if counts.get(Status.REMOVED):
                parts.append(f"{counts[Status.REMOVED]} 家已移出")
            if counts.get(Status.NOT_ADMITTED):
                parts.append(f"{counts[Status.NOT_ADMITTED]} 家异议成立")
            state = "公示已结束：" + "，".join(parts)
        states.append(RoundState(schedule, len(members), state))
    return states
