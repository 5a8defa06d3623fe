"""Approval rounds for staff: open the next round in register.yaml, and say what each round shows.

`new_round` appends one round to the file (ruamel.yaml, comments and order kept, nothing else
touched) after checking that the register is valid and the calendar knows the period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from generator.errors import InputError, Problem, display_path
from generator.guideline.parse import cn_numeral
from generator.inputs import REGISTER_FILE, Inputs, read_inputs
from generator.register.models import ROUND_ID_RE
from generator.register.status import Schedule, Status, standing
from generator.register.workdays import UnknownYear
from generator.staff.yamlfile import EditableYaml


@dataclass(frozen=True)
class NewRound:
    schedule: Schedule
    approved: int  # enterprises whose approved event names this round already


def _valid_inputs(data_dir: Path) -> Inputs:
    inputs, problems = read_inputs(data_dir)
    if inputs is None:
        raise InputError(problems)
    return inputs


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
) -> NewRound:
    """Append the next round to register.yaml; raises `InputError` and writes nothing on any problem."""
    inputs = _valid_inputs(data_dir)
    path = data_dir / REGISTER_FILE
    source = display_path(path)
    rounds = inputs.register.rounds
    calendar = inputs.calendar
    holidays = display_path(data_dir / "holidays.yaml")
    try:
        start = start or calendar.next_workday(today)
    except UnknownYear as unknown:
        raise InputError([Problem(source, 0, "rounds", unknown.message(holidays))]) from None
    round_id = round_id or next_round_id({r.id for r in rounds}, start)
    title = title or next_round_title({r.title for r in rounds}, len(rounds))
    problems = []
    if not ROUND_ID_RE.match(round_id):
        problems.append(f"批次编号只能由字母、数字和“-”组成（用于网址），实际为“{round_id}”")
    if round_id in {r.id for r in rounds}:
        problems.append(f"批次编号“{round_id}”已存在")
    if title in {r.title for r in rounds}:
        problems.append(f"批次名称“{title}”已存在")
    if rounds and start < max(r.notice_start for r in rounds):
        problems.append(f"公示日期 {start} 早于上一批次的公示日期 {max(r.notice_start for r in rounds)}")
    if problems:
        raise InputError([Problem(source, 0, "rounds", message) for message in problems])

    editable = EditableYaml.read(path)
    entry = CommentedMap()
    entry["id"] = DoubleQuotedScalarString(round_id)
    entry["title"] = title
    entry["notice_start"] = start
    if workdays is not None:
        entry["workdays"] = workdays
    allowed: set[int] = set()
    existing = editable.data.get("rounds")
    if existing is None:
        editable.data.insert(0, "rounds", CommentedSeq([entry]))
    else:
        if not existing:  # `rounds: []` becomes a block list: that one line may change
            existing.fa.set_block_style()
            allowed.add(existing.lc.line + 1)
        existing.append(entry)
    new_text = editable.dump()
    changed = editable.unexpected_changes(new_text, allowed)
    if changed:
        snippet = f'  - id: "{round_id}"\n    title: {title}\n    notice_start: {start}'
        raise InputError(
            [
                Problem(
                    source,
                    int(changed[0].split(":")[0]),
                    "rounds",
                    "自动写入会改动文件中已有的内容（缩进或引号风格与工具不同），未写入。"
                    f"请在 rounds 列表末尾手工添加：\n{snippet}",
                )
            ]
        )
    try:  # the period must be computable before the round is written
        calendar.notice_end(start, workdays or inputs.site.notice.workdays)
    except UnknownYear as unknown:
        raise InputError([Problem(source, 0, "rounds", unknown.message(holidays))]) from None
    editable.write(new_text)
    checked = _valid_inputs(data_dir)  # the file as written must still pass every rule
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
    inputs = _valid_inputs(data_dir)
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
                result = standing(enterprise, inputs.schedules, on)
                period = next((p for p in result.periods if p.schedule is schedule), None) if result else None
                if period is None:
                    continue
                key = (
                    Status.NOT_ADMITTED
                    if period.ended_by == "objection_upheld"
                    else Status.REMOVED
                    if period.ended_by == "removed"
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
