"""The published whitelist: directory, one verification page per enterprise, statistics, downloads.

Plans jobs over `PublicEnterprise`s (the public view); the build date comes from the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup

from generator import routes
from generator.model.public import PublicEnterprise
from generator.model.site import SiteModel
from generator.register.events import EventKind
from generator.register.history import Period, Status
from generator.register.models import QUALIFICATIONS, SECTORS
from generator.render import charts
from generator.render.markdown import page
from generator.render.registry import Job
from generator.render.text import chinese_date


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    options: list[tuple[str, str, int]]  # value, label, count


def facets(model: SiteModel, rows: Sequence[PublicEnterprise]) -> list[Facet]:
    """Filter choices in the order staff know them, each with its count in the directory."""
    sectors = Counter(r.sector for r in rows)
    qualifications = Counter(q for r in rows for q in r.qualifications)
    townships = Counter(r.township for r in rows)
    rounds = Counter(r.period.schedule.round.id for r in rows if r.period)
    titles = {s.round.id: s.round.title for s in model.schedules}
    return [
        Facet("sector", "行业类别", [(s, s, sectors[s]) for s in SECTORS if sectors[s]]),
        Facet("qualification", "入库条件", [(q, q, qualifications[q]) for q in QUALIFICATIONS if qualifications[q]]),
        Facet("township", "所属乡镇", [(t, t, townships[t]) for t in model.site.county.townships if townships[t]]),
        Facet("round", "批次", [(i, titles[i], rounds[i]) for i in titles if rounds[i]]),
    ]


def outcome(period: Period) -> str:
    """How one published approval ended (or stands), for the verification page's history table."""
    if period.ended_by is EventKind.OBJECTION_UPHELD:
        return "公示期内异议成立，未予入库"
    listed_from = period.listed_from
    assert listed_from is not None
    if period.removed_on is not None:
        reason = f"，原因：{period.reason}" if period.reason else ""
        return f"{chinese_date(listed_from)}入库，{chinese_date(period.removed_on)}移出{reason}"
    return f"{chinese_date(listed_from)}起入库"


def status_text(item: PublicEnterprise, county: str) -> str:
    period = item.period
    assert period is not None
    schedule = period.schedule
    if item.status is Status.LISTED:
        return f"本企业在{county}白名单内：{chinese_date(schedule.listed_from)}起入库（{schedule.round.title}）。"
    if item.status is Status.NOTICE:
        return (
            f"本企业列入{schedule.round.title}白名单企业名单，正在公示：公示期 {chinese_date(schedule.start)}"
            f"至{chinese_date(schedule.end)}。公示期满无异议的，纳入白名单。"
        )
    if item.status is Status.REMOVED and period.removed_on is not None:
        reason = f"移出原因：{period.reason}。" if period.reason else ""
        return f"本企业已于{chinese_date(period.removed_on)}移出{county}白名单。{reason}"
    return f"本企业曾列入{schedule.round.title}名单公示，公示期内异议成立，未纳入白名单。"


STATUS_CLASSES = {
    Status.LISTED: "listed",
    Status.NOTICE: "notice",
    Status.REMOVED: "removed",
    Status.NOT_ADMITTED: "removed",
}


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    label: str
    svg: Markup
    rows: list[tuple[str, int, str]]  # label, count, link to the filtered directory


def _filter_link(facet: str, value: str) -> str:
    return f"{routes.WHITELIST}?{facet}={quote(value)}"


def charts_of(model: SiteModel, rows: Sequence[PublicEnterprise]) -> list[Chart]:
    by = {
        "sector": Counter(r.sector for r in rows),
        "qualification": Counter(q for r in rows for q in r.qualifications),
        "township": Counter(r.township for r in rows),
        "round": Counter(r.period.schedule.round.id for r in rows if r.period),
    }
    specs = [
        ("sector", "按行业类别", "行业类别", [(s, s) for s in SECTORS]),
        ("qualification", "按入库条件", "入库条件", [(q, q) for q in QUALIFICATIONS]),
        ("township", "按所属乡镇", "所属乡镇", [(t, t) for t in model.site.county.townships]),
        ("round", "按批次", "批次", [(s.round.id, s.round.title) for s in model.schedules]),
    ]
    colours = {"sector": "#1a5fb4", "qualification": "#1e7e34", "township": "#9a6700", "round": "#9b1c1c"}
    found = []
    for key, title, label, values in specs:
        counts = by[key]
        data = [(shown, counts[value], _filter_link(key, value)) for value, shown in values]
        svg = charts.bar_chart([(shown, count) for shown, count, _ in data], f"chart-{key}", title, colours[key])
        found.append(Chart(f"by-{key}", title, label, svg, data))
    return found


def plan(model: SiteModel) -> list[Job]:
    rows = model.listed
    county = model.site.county.name
    jobs = [
        page(routes.WHITELIST, "whitelist.md.j2", rows=rows, in_notice=model.in_notice, facets=facets(model, rows)),
        *(
            page(
                item.page,
                "enterprise.md.j2",
                item=item,
                status_class=STATUS_CLASSES.get(item.status, "removed"),
                status_text=status_text(item, county),
                outcome=outcome,
            )
            for item in model.enterprises
        ),
        page(
            routes.STATS,
            "stats.md.j2",
            total=len(rows),
            in_notice=model.in_notice,
            removed=sum(1 for item in model.enterprises if item.status is Status.REMOVED),
            charts=charts_of(model, rows),
        ),
    ]
    data = {"rows": rows, "base_url": model.site.base_url, "today": model.today, "county": county}
    jobs += [
        Job(routes.WHITELIST_CSV, "csv", data=data),
        Job(routes.WHITELIST_XLSX, "xlsx", data=data),
        Job(routes.WHITELIST_JSON, "json", data=data),
    ]
    return jobs
