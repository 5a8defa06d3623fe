"""Notices: the 公示 of each round and the 移出公告 of each removal date, gathered once per build.

A notice is a historical document: a round's notice lists every enterprise approved in it, as
published, whatever happened to them later. Only what is published by the build date appears.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from generator import routes
from generator.model.public import PublicEnterprise
from generator.register.events import EventKind
from generator.register.history import Schedule
from generator.register.models import SiteSettings


@dataclass(frozen=True)
class RoundNotice:
    schedule: Schedule
    title: str
    listings: tuple[PublicEnterprise, ...]  # as published, pinyin order
    refused: tuple[PublicEnterprise, ...]  # objection upheld during the period

    @property
    def path(self) -> str:
        return routes.round_notice(self.schedule.round.id)

    @property
    def pdf(self) -> str:
        return routes.round_notice_pdf(self.schedule.round.id)

    @property
    def date(self) -> date:
        return self.schedule.start


@dataclass(frozen=True)
class Removal:
    listing: PublicEnterprise
    reason: str


@dataclass(frozen=True)
class RemovalNotice:
    day: date
    title: str
    removals: tuple[Removal, ...]

    @property
    def path(self) -> str:
        return routes.removal_notice(self.day)

    @property
    def pdf(self) -> str:
        return routes.removal_notice_pdf(self.day)

    @property
    def date(self) -> date:
        return self.day


Notice = RoundNotice | RemovalNotice


def round_title(site: SiteSettings, schedule: Schedule) -> str:
    return f"关于{site.county.name}{schedule.round.title}{site.notice.list_name}名单的公示"


def removal_title(site: SiteSettings, removals: Sequence[Removal]) -> str:
    first = removals[0].listing.name
    others = f"等{len(removals)}家企业" if len(removals) > 1 else ""
    return f"关于将{first}{others}移出{site.county.name}白名单的公告"


def round_notices(
    site: SiteSettings, schedules: Iterable[Schedule], enterprises: Sequence[PublicEnterprise], today: date
) -> list[RoundNotice]:
    """One notice per round published by the build date; a round nobody was approved in has
    nothing to announce and is not published."""
    notices = []
    for schedule in schedules:
        if schedule.start > today:
            continue
        round_id = schedule.round.id
        members = tuple(e for e in enterprises if any(p.schedule.round.id == round_id for p in e.standing.periods))
        refused = tuple(
            e
            for e in members
            if any(
                p.schedule.round.id == round_id and p.ended_by is EventKind.OBJECTION_UPHELD for p in e.standing.periods
            )
        )
        if members:
            notices.append(RoundNotice(schedule, round_title(site, schedule), members, refused))
    return notices


def removal_notices(site: SiteSettings, enterprises: Sequence[PublicEnterprise]) -> list[RemovalNotice]:
    """One notice per removal date up to the build date."""
    by_day: dict[date, list[Removal]] = {}
    for enterprise in enterprises:
        for period in enterprise.standing.periods:
            if period.removed_on is not None:
                by_day.setdefault(period.removed_on, []).append(Removal(enterprise, period.reason or ""))
    return [RemovalNotice(day, removal_title(site, by_day[day]), tuple(by_day[day])) for day in by_day]


def gather_notices(
    site: SiteSettings, schedules: Iterable[Schedule], enterprises: Sequence[PublicEnterprise], today: date
) -> tuple[Notice, ...]:
    """Every published notice, newest first."""
    notices: list[Notice] = [
        *round_notices(site, schedules, enterprises, today),
        *removal_notices(site, enterprises),
    ]
    return tuple(sorted(notices, key=lambda n: (n.date, n.path), reverse=True))
