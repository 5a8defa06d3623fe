"""Status stage: an enterprise's standing on a date, derived from its history and the rounds.

Status is never stored in the register: it follows from the events (the source of truth), the
rounds' publication dates and the working-day calendar, so the same register gives the right
answer on every build date.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from generator.register.models import Enterprise, Round
from generator.register.workdays import WorkCalendar

# The state after each event, and the events that may follow it.
ALLOWED_AFTER: dict[str | None, frozenset[str]] = {
    None: frozenset({"applied"}),
    "applied": frozenset({"reviewed", "approved", "rejected"}),
    "reviewed": frozenset({"reviewed", "approved", "rejected"}),
    "approved": frozenset({"objection_upheld", "removed"}),
    "rejected": frozenset({"applied"}),
    "objection_upheld": frozenset({"applied"}),
    "removed": frozenset({"applied"}),
}


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


def schedule_rounds(rounds: Iterable[Round], default_workdays: int, calendar: WorkCalendar) -> dict[str, Schedule]:
    """Every round's period; raises `UnknownYear` when the calendar cannot tell."""
    schedules = {}
    for round_ in rounds:
        workdays = round_.workdays or default_workdays
        end = calendar.notice_end(round_.notice_start, workdays)
        schedules[round_.id] = Schedule(round_, round_.notice_start, end, workdays)
    return schedules


@dataclass(frozen=True)
class Period:
    """One approval that has been published (公示), and how it ended if it did."""

    schedule: Schedule
    approved_on: date
    ended_on: date | None = None
    ended_by: str | None = None  # "removed" | "objection_upheld"
    reason: str | None = None  # public

    @property
    def listed_from(self) -> date | None:
        if self.ended_by == "objection_upheld":
            return None
        return self.schedule.listed_from


@dataclass(frozen=True)
class Standing:
    status: Status
    period: Period | None  # the approval the status is about; None while applying or after a rejection
    periods: tuple[Period, ...]  # every approval published up to the date, oldest first

    @property
    def is_public(self) -> bool:
        """Whether the public may see this enterprise at all (it has been in a notice)."""
        return bool(self.periods)


def standing(enterprise: Enterprise, schedules: Mapping[str, Schedule], on: date) -> Standing | None:
    """The enterprise's status on `on` (None before its first event): replay its validated history."""
    status: Status | None = None
    periods: list[Period] = []
    approval: tuple[Schedule, date] | None = None
    closed: Period | None = None
    for event in enterprise.history:
        if event.date > on:
            break
        if event.event == "applied":
            status, approval, closed = Status.APPLYING, None, None
        elif event.event == "reviewed":
            status = Status.REVIEWING
        elif event.event == "rejected":
            status, approval, closed = Status.NOT_ADMITTED, None, None
        elif event.event == "approved" and event.round is not None and event.round in schedules:
            status, approval = Status.REVIEWING, (schedules[event.round], event.date)
        elif event.event in ("removed", "objection_upheld") and approval is not None:
            schedule, approved_on = approval
            closed = Period(schedule, approved_on, event.date, event.event, event.reason)
            periods.append(closed)
            status = Status.REMOVED if event.event == "removed" else Status.NOT_ADMITTED
            approval = None
    if status is None:
        return None
    current = closed
    if approval is not None:
        schedule, approved_on = approval
        if schedule.start <= on:
            current = Period(schedule, approved_on)
            periods.append(current)
            status = Status.NOTICE if on <= schedule.end else Status.LISTED
    return Standing(status, current, tuple(periods))
