"""Notices: the 公示 of each round, the 移出公告 of each removal date, their index and Atom feed.

A notice is a historical document: a round's notice lists every enterprise approved in it, as
published, whatever happened to them later. Only what is published by the build date appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from xml.sax.saxutils import escape as xml_escape

from markupsafe import Markup

from generator.register.status import Schedule
from generator.register.workdays import WorkCalendar
from generator.render.listing import Listing
from generator.render.output import OutputFile
from generator.render.pages import PageRenderer, SiteModel
from generator.render.text import chinese_date
from generator.render.whitelist import RoundLink


@dataclass(frozen=True)
class RoundNotice:
    schedule: Schedule
    listings: tuple[Listing, ...]  # as published, pinyin order
    refused: tuple[Listing, ...]  # objection upheld during the period

    @property
    def path(self) -> str:
        return f"notices/{self.schedule.round.id}.html"

    @property
    def date(self) -> date:
        return self.schedule.start


@dataclass(frozen=True)
class Removal:
    listing: Listing
    reason: str


@dataclass(frozen=True)
class RemovalNotice:
    day: date
    removals: tuple[Removal, ...]

    @property
    def path(self) -> str:
        return f"notices/removal-{self.day.isoformat()}.html"

    @property
    def date(self) -> date:
        return self.day


Notice = RoundNotice | RemovalNotice


def round_notices(model: SiteModel) -> list[RoundNotice]:
    """One notice per round published by the build date, newest first; a round nobody was
    approved in has nothing to announce and is not published."""
    notices = []
    for schedule in model.inputs.schedules.values():
        if schedule.start > model.today:
            continue
        listed = tuple(
            listing
            for listing in model.listings
            if any(p.schedule.round.id == schedule.round.id for p in listing.standing.periods)
        )
        refused = tuple(
            listing
            for listing in listed
            if any(
                p.schedule.round.id == schedule.round.id and p.ended_by == "objection_upheld"
                for p in listing.standing.periods
            )
        )
        if listed:
            notices.append(RoundNotice(schedule, listed, refused))
    return sorted(notices, key=lambda n: (n.date, n.schedule.round.id), reverse=True)


def removal_notices(model: SiteModel) -> list[RemovalNotice]:
    """One notice per removal date up to the build date, newest first."""
    by_day: dict[date, list[Removal]] = {}
    for listing in model.listings:
        for period in listing.standing.periods:
            if period.ended_by == "removed" and period.ended_on is not None:
                by_day.setdefault(period.ended_on, []).append(Removal(listing, period.reason or ""))
    return [RemovalNotice(day, tuple(by_day[day])) for day in sorted(by_day, reverse=True)]


def all_notices(model: SiteModel) -> list[Notice]:
    notices: list[Notice] = [*round_notices(model), *removal_notices(model)]
    return sorted(notices, key=lambda n: (n.date, n.path), reverse=True)


def notice_title(model: SiteModel, notice: Notice) -> str:
    county = model.inputs.site.county.name
    if isinstance(notice, RoundNotice):
        return f"关于{county}{notice.schedule.round.title}{model.inputs.site.notice.list_name}名单的公示"
    first = notice.removals[0].listing.name
    others = f"等{len(notice.removals)}家企业" if len(notice.removals) > 1 else ""
    return f"关于将{first}{others}移出{county}白名单的公告"


def workdays_left(calendar: WorkCalendar, today: date, end: date) -> int:
    """Working days from today (included) to the end of the period."""
    return calendar.workdays_between(today, end) if today <= end else 0


def notice_link(root: str) -> RoundLink:
    """Round titles in tables link to their notice, relative to the page at `root`."""

    def link(schedule: Schedule) -> Markup:
        return Markup('<a href="{}notices/{}.html">{}</a>').format(root, schedule.round.id, schedule.round.title)

    return link


def notice_pages(model: SiteModel) -> list[OutputFile]:
    renderer = PageRenderer(model)
    files = []
    notices = all_notices(model)
    for notice in notices:
        title = notice_title(model, notice)
        if isinstance(notice, RoundNotice):
            schedule = notice.schedule
            is_open = schedule.is_open(model.today)
            files.append(
                renderer.render(
                    "notice_round.md.j2",
                    notice.path.replace(".html", ".md"),
                    notice=notice,
                    title=title,
                    is_open=is_open,
                    left=workdays_left(model.inputs.calendar, model.today, schedule.end),
                    listed_count=sum(1 for listing in notice.listings if listing not in notice.refused),
                )
            )
        else:
            files.append(
                renderer.render(
                    "notice_removal.md.j2",
                    notice.path.replace(".html", ".md"),
                    notice=notice,
                    title=title,
                )
            )
    files.append(
        renderer.render(
            "notices.md.j2",
            "notices/index.md",
            notices=[(n, notice_title(model, n)) for n in notices],
            is_round=lambda n: isinstance(n, RoundNotice),
            is_open=lambda n: isinstance(n, RoundNotice) and n.schedule.is_open(model.today),
        )
    )
    return files


def open_notices_block(model: SiteModel) -> Markup:
    """For the home page: every round in its 公示 period on the build date, with the days left."""
    items = []
    for notice in round_notices(model):
        schedule = notice.schedule
        if not schedule.is_open(model.today):
            continue
        left = workdays_left(model.inputs.calendar, model.today, schedule.end)
        items.append(
            Markup(
                '<li><a href="{path}">{title}</a>：公示期 {start}至{end}，'
                "共 {count} 家企业，还剩 {left} 个工作日。</li>"
            ).format(
                path=notice.path,
                title=notice_title(model, notice),
                start=chinese_date(schedule.start),
                end=chinese_date(schedule.end),
                count=len(notice.listings),
                left=left,
            )
        )
    if not items:
        return Markup("")
    return Markup(
        '<div class="wl-open-notices" role="region" aria-label="正在公示"><h2>正在公示</h2><ul>{}</ul>'
        "<p>公示期间如有异议，请按公示中的方式书面实名反映。</p></div>"
    ).format(Markup("").join(items))


def _rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def atom_feed(model: SiteModel) -> OutputFile:
    """feed.xml: every notice, newest first; ids are the notices' stable URLs, dates from the data."""
    site = model.inputs.site
    base = site.base_url
    notices = all_notices(model)
    updated = notices[0].date if notices else model.today
    entries = []
    for notice in notices:
        url = base + notice.path
        if isinstance(notice, RoundNotice):
            summary = (
                f"公示期 {chinese_date(notice.schedule.start)}至{chinese_date(notice.schedule.end)}，"
                f"共 {len(notice.listings)} 家企业。"
            )
        else:
            summary = f"{chinese_date(notice.day)}移出 {len(notice.removals)} 家企业。"
        entries.append(
            "  <entry>\n"
            f"    <id>{xml_escape(url)}</id>\n"
            f"    <title>{xml_escape(notice_title(model, notice))}</title>\n"
            f'    <link rel="alternate" type="text/html" href="{xml_escape(url)}"/>\n'
            f"    <published>{_rfc3339(notice.date)}</published>\n"
            f"    <updated>{_rfc3339(notice.date)}</updated>\n"
            f"    <summary>{xml_escape(summary)}</summary>\n"
            "  </entry>\n"
        )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
        f"  <id>{xml_escape(base)}feed.xml</id>\n"
        f"  <title>{xml_escape(site.title)}：公示公告</title>\n"
        f"  <updated>{_rfc3339(updated)}</updated>\n"
        f"  <author><name>{xml_escape(site.authority.name)}</name></author>\n"
        f'  <link rel="self" type="application/atom+xml" href="{xml_escape(base)}feed.xml"/>\n'
        f'  <link rel="alternate" type="text/html" href="{xml_escape(base)}notices/index.html"/>\n'
        + "".join(entries)
        + "</feed>\n"
    )
    return OutputFile(PurePosixPath("feed.xml"), feed)
