"""History stage: the one replay of an enterprise's history, and its status on any date.

Status is never stored in the register: it follows from the events (the source of truth), the
rounds' publication dates and the working-day calendar. `replay` reads a history once and gives
a `Timeline`, which every consumer reads: validation (its violations), the site (status on the
build date, and the dates a page needs to show status on the reader's date), notices, rounds and
the staff forms. Nothing else walks a history.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from generator.errors import Severity, did_you_mean
from generator.register.events import ALLOWED_AFTER, ENDINGS, EventKind
from generator.register.models import HistoryEvent, Round
from generator.register.workdays import WorkCalendar


class Status(StrEnum):
    APPLYING = "申报中"
    REVIEWING = "审核中"
    NOTICE = "公示中"
    LISTED = "已入库"
    REMOVED = "已移出"
    NOT_ADMITTED = "未予入库"


@dataclass(frozen=True)
class Schedule:
    """A round's 公示 period."""

    round: Round
    start: date
    end: date
    workdays: int

    @property
    def listed_from(self) -> date:
        """入库: the day after the period ends without an upheld objection."""
        return self.end + timedelta(days=1)

    def is_open(self, on: date) -> bool:
        return self.start <= on <= self.end


def schedule_round(round_: Round, default_workdays: int, calendar: WorkCalendar) -> Schedule:
    """The round's period; raises `UnknownYear` when the calendar cannot tell."""
    workdays = round_.workdays or default_workdays
    return Schedule(round_, round_.notice_start, calendar.notice_end(round_.notice_start, workdays), workdays)


def schedule_rounds(rounds: Iterable[Round], default_workdays: int, calendar: WorkCalendar) -> dict[str, Schedule]:
    """Every round's period; raises `UnknownYear` when the calendar cannot tell."""
    return {round_.id: schedule_round(round_, default_workdays, calendar) for round_ in rounds}


@dataclass(frozen=True)
class Period:
    """One approval in a round, and how it ended if it did (as far as the history goes)."""

    schedule: Schedule
    approved_on: date
    ended_on: date | None = None
    ended_by: EventKind | None = None  # REMOVED | OBJECTION_UPHELD
    reason: str | None = None  # public

    @property
    def listed_from(self) -> date | None:
        if self.ended_by is EventKind.OBJECTION_UPHELD:
            return None
        return self.schedule.listed_from

    @property
    def removed_on(self) -> date | None:
        return self.ended_on if self.ended_by is EventKind.REMOVED else None

    def as_of(self, on: date) -> Period:
        """The period as it stood on `on`: an ending after that date has not happened yet."""
        if self.ended_on is not None and self.ended_on > on:
            return replace(self, ended_on=None, ended_by=None, reason=None)
        return self

    def published_by(self, on: date) -> bool:
        return self.approved_on <= on and self.schedule.start <= on


@dataclass(frozen=True)
class Standing:
    status: Status
    period: Period | None  # the approval the status is about; None while applying or after a rejection
    periods: tuple[Period, ...]  # every approval published up to the date, oldest first

    @property
    def is_public(self) -> bool:
        """Whether the public may see this enterprise at all (it has been in a notice)."""
        return bool(self.periods)


@dataclass(frozen=True)
class Violation:
    """A rule of the event sequence that the history breaks, at one event."""

    index: int  # of the event in the history
    field: str  # the event's field at fault ("date", "round", …), or "" for the event itself
    code: str
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Mark:
    day: date
    kind: EventKind
    period: Period | None  # an approval's period, when its round is known and scheduled


@dataclass(frozen=True)
class Timeline:
    """An enterprise's history replayed: no private field (notes stay in the register)."""

    marks: tuple[Mark, ...]
    violations: tuple[Violation, ...] = ()

    @property
    def periods(self) -> tuple[Period, ...]:
        """Every scheduled approval with its ending, oldest first (published or not yet)."""
        return tuple(mark.period for mark in self.marks if mark.period is not None)

    @property
    def last_kind(self) -> EventKind | None:
        return self.marks[-1].kind if self.marks else None

    def pending_round(self, on: date) -> Round | None:
        """The round the current application is approved into by `on` (None before approval, or
        when the latest event is a new application after an earlier round ended)."""
        pending: Round | None = None
        for mark in self.marks:
            if mark.day > on:
                break
            if mark.kind is EventKind.APPROVED and mark.period is not None:
                pending = mark.period.schedule.round
            elif mark.kind in (EventKind.APPLIED, EventKind.REJECTED):
                pending = None
        return pending

    def application_day(self, on: date) -> date:
        """The day of the application in hand on `on`: its latest 申报 by then (or, for a history
        that starts later in the process, its first event)."""
        day = self.marks[0].day
        for mark in self.marks:
            if mark.day > on:
                break
            if mark.kind is EventKind.APPLIED:
                day = mark.day
        return day

    def standing(self, on: date) -> Standing | None:
        """The status on `on` (None before the first event)."""
        status: Status | None = None
        current: Period | None = None
        pending: Period | None = None
        for mark in self.marks:
            if mark.day > on:
                break
            if mark.kind is EventKind.APPLIED:
                status, pending, current = Status.APPLYING, None, None
            elif mark.kind is EventKind.REVIEWED:
                status = Status.REVIEWING
            elif mark.kind is EventKind.REJECTED:
                status, pending, current = Status.NOT_ADMITTED, None, None
            elif mark.kind is EventKind.APPROVED and mark.period is not None:
                status, pending = Status.REVIEWING, mark.period
            elif mark.kind in ENDINGS and pending is not None:
                current, pending = pending, None
                status = Status.REMOVED if mark.kind is EventKind.REMOVED else Status.NOT_ADMITTED
        if status is None:
            return None
        if pending is not None and pending.schedule.start <= on:
            current = pending.as_of(on)
            status = Status.NOTICE if on <= pending.schedule.end else Status.LISTED
        periods = tuple(p.as_of(on) for p in self.periods if p.published_by(on))
        return Standing(status, current, periods)


def _transition_message(state: EventKind | None, event: EventKind) -> str:
    if state is None:
        return f"第一条事件应为 applied（申报），实际为 {event.shown()}"
    if event in (EventKind.REVIEWED, EventKind.APPROVED, EventKind.REJECTED):
        return f"{event.shown()}之前需要先有 applied（申报）；上一条是 {state.shown()}"
    if event in ENDINGS:
        return f"{event.shown()}只能在 approved（批准）之后；上一条是 {state.shown()}"
    return f"{event.shown()}不能紧跟在 {state.shown()}之后：重新申报前应先移出或不予批准"


_Violate = Callable[..., None]


def replay(
    history: Sequence[HistoryEvent],
    rounds: Mapping[str, Schedule | None],
    reviewers: Collection[str] | None = None,
) -> Timeline:
    """Read a history once: its marks, and every rule of the sequence it breaks.

    `rounds` maps every round id to its schedule (None when the calendar could not compute it);
    `reviewers` are the names a `reviewed` event may give as `by` (None: not checked).
    """
    violations: list[Violation] = []

    def violate(index: int, field: str, code: str, message: str, severity: Severity = Severity.ERROR) -> None:
        violations.append(Violation(index, field, code, message, severity))

    state: EventKind | None = None
    previous: date | None = None
    approvals: dict[int, Period] = {}  # event index → its period, ending filled in below
    open_approval: int | None = None
    for index, event in enumerate(history):
        kind = event.event
        if previous is not None and event.date < previous:
            violate(index, "date", "history.order", f"日期 {event.date} 早于上一条事件（{previous}）：请按时间顺序排列")
        previous = event.date
        if kind not in ALLOWED_AFTER[state]:
            violate(index, "event", "history.transition", _transition_message(state, kind))
        if event.round is not None and kind is not EventKind.APPROVED:
            violate(index, "round", "history.round_not_allowed", "只有 approved（批准）事件可以写 round")
        if kind is EventKind.REVIEWED and event.by is not None and reviewers is not None and event.by not in reviewers:
            violate(
                index,
                "by",
                "history.reviewer_unknown",
                f"审核单位“{event.by}”不是本县的乡镇，也不是主管部门（见 site.yaml）"
                + did_you_mean(event.by, reviewers, cutoff=0.5),
            )
        if kind is EventKind.APPROVED:
            open_approval = None
            schedule = _approval_schedule(index, event, rounds, violate)
            if schedule is not None:
                approvals[index] = Period(schedule, event.date)
                open_approval = index
        if kind is EventKind.REMOVED and not event.reason:
            violate(index, "", "history.reason_missing", "移出事件必须写明公开的移出原因（reason）")
        if kind in ENDINGS and open_approval is not None:
            period = approvals[open_approval]
            _check_ending(index, kind, event.date, period.schedule, violate)
            approvals[open_approval] = replace(period, ended_on=event.date, ended_by=kind, reason=event.reason)
        if kind in ENDINGS or kind in (EventKind.REJECTED, EventKind.APPLIED):
            open_approval = None
        state = kind
    marks = tuple(Mark(event.date, event.event, approvals.get(index)) for index, event in enumerate(history))
    return Timeline(marks, tuple(violations))


def _approval_schedule(
    index: int, event: HistoryEvent, rounds: Mapping[str, Schedule | None], violate: _Violate
) -> Schedule | None:
    if event.round is None:
        violate(index, "", "history.round_missing", "批准事件必须写明批次（round）")
        return None
    if event.round not in rounds:
        known = "、".join(rounds) or "（无）"
        violate(
            index,
            "round",
            "round.unknown",
            f"批次“{event.round}”不存在；已有批次：{known}" + did_you_mean(event.round, rounds),
        )
        return None
    schedule = rounds[event.round]
    if schedule is not None and event.date > schedule.start:
        violate(
            index,
            "date",
            "history.approved_after_notice",
            f"批准日期 {event.date} 晚于批次“{event.round}”的公示日期 {schedule.start}",
        )
    return schedule


def _check_ending(index: int, kind: EventKind, day: date, schedule: Schedule, violate: _Violate) -> None:
    if day < schedule.start:
        violate(
            index,
            "date",
            "history.ended_before_notice",
            f"{day} 早于公示开始日期 {schedule.start}：公示前撤回应使用 rejected（不予批准）",
        )
    elif kind is EventKind.OBJECTION_UPHELD and day > schedule.end:
        violate(
            index,
            "date",
            "history.objection_after_notice",
            f"异议成立日期 {day} 晚于公示期结束日期 {schedule.end}：公示期满后发现问题应使用 removed（移出）",
            Severity.WARNING,
        )
