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
from generator.model.search import keywords
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


def directory_rows(model: SiteModel) -> list[PublicEnterprise]:
    """The directory: enterprises listed or in their 公示 period on the build date, pinyin order.
    The seed's order is 审核批准 → 入库 → 向社会公示, so an enterprise in its notice period is
    in the directory too (badged 公示中), and a search for it never says "not found"."""
    return [item for item in model.enterprises if item.status in DIRECTORY_STATUSES]


DIRECTORY_STATUSES = (Status.LISTED, Status.NOTICE)


def facets(model: SiteModel, rows: Sequence[PublicEnterprise]) -> list[Facet]:
    """Filter choices in the order staff know them, each with its count in the directory."""
    statuses = Counter(r.status for r in rows)
    sectors = Counter(r.sector for r in rows)
    qualifications = Counter(q for r in rows for q in r.qualifications)
    townships = Counter(r.township for r in rows)
    rounds = Counter(r.period.schedule.round.id for r in rows if r.period)
    titles = {s.round.id: s.round.title for s in model.schedules}
    return [
        Facet("status", "状态", [(s.value, s.value, statuses[s]) for s in DIRECTORY_STATUSES]),
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


def status_text(status: Status, period: Period, county: str) -> str:
    schedule = period.schedule
    if status is Status.LISTED:
        return f"本企业在{county}白名单内：{chinese_date(schedule.listed_from)}起入库（{schedule.round.title}）。"
    if status is Status.NOTICE:
        return (
            f"本企业列入{schedule.round.title}白名单企业名单，正在公示：公示期 {chinese_date(schedule.start)}"
            f"至{chinese_date(schedule.end)}。公示期满无异议的，纳入白名单。"
        )
    if status is Status.REMOVED and period.removed_on is not None:
        reason = f"移出原因：{period.reason}。" if period.reason else ""
        return f"本企业已于{chinese_date(period.removed_on)}移出{county}白名单。{reason}"
    return f"本企业曾列入{schedule.round.title}名单公示，公示期内异议成立，未纳入白名单。"


@dataclass(frozen=True)
class StatusView:
    """One status a verification page may show: the one on the build date, and the one the
    reader's date may bring without a rebuild (公示中 → 已入库 once the period is over)."""

    status: Status
    css: str
    text: str
    downloads: bool  # the certificate exists: made for enterprises listed on the build date


def status_views(item: PublicEnterprise, county: str) -> list[StatusView]:
    period = item.period
    assert period is not None
    css, text = STATUS_CLASSES[item.status], status_text(item.status, period, county)
    views = [StatusView(item.status, css, text, item.status is Status.LISTED)]
    if item.status is Status.NOTICE:
        views.append(StatusView(Status.LISTED, "listed", status_text(Status.LISTED, period, county), False))
    return views


STATUS_CLASSES = {
    Status.LISTED: "listed",
    Status.NOTICE: "notice",
    Status.REMOVED: "removed",
    Status.NOT_ADMITTED: "removed",
}


@dataclass(frozen=True)
class ChartRow:
    label: str
    listed: int
    in_notice: int  # in the 公示 period on the build date: counted apart, not yet listed
    facet: str
    value: str

    def link(self, status: Status) -> str:
        """The directory filtered to this row's enterprises of one status."""
        return f"{routes.WHITELIST}?{self.facet}={quote(self.value)}&status={quote(status.value)}"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    label: str
    svg: Markup
    rows: list[ChartRow]
    note: str = ""  # what the counts mean where they could mislead

    @property
    def shows_notice(self) -> bool:
        return any(row.in_notice for row in self.rows)


def charts_of(model: SiteModel, rows: Sequence[PublicEnterprise]) -> list[Chart]:
    """Listed enterprises by sector, qualification, township and round; the round chart also
    counts the enterprises in their 公示 period, so the newest round does not read as empty."""
    listed = [r for r in rows if r.status is Status.LISTED]
    noticed = [r for r in rows if r.status is Status.NOTICE]

    def rounds(items: Sequence[PublicEnterprise]) -> Counter[str]:
        return Counter(r.period.schedule.round.id for r in items if r.period)

    by = {
        "sector": (Counter(r.sector for r in listed), Counter[str]()),
        "qualification": (Counter(q for r in listed for q in r.qualifications), Counter[str]()),
        "township": (Counter(r.township for r in listed), Counter[str]()),
        "round": (rounds(listed), rounds(noticed)),
    }
    specs = [
        ("sector", "按行业类别", "行业类别", [(s, s) for s in SECTORS]),
        ("qualification", "按入库条件", "入库条件", [(q, q) for q in QUALIFICATIONS]),
        ("township", "按所属乡镇", "所属乡镇", [(t, t) for t in model.site.county.townships]),
        ("round", "按批次", "批次", [(s.round.id, s.round.title) for s in model.schedules]),
    ]
    qualified = sum(by["qualification"][0].values())
    several = f"一家企业可符合多项入库条件，所以各项之和（{qualified}）大于已入库企业数（{len(listed)}）。"
    notes = {
        "qualification": several if qualified > len(listed) else "",
        "round": "公示中的企业在公示期满无异议后入库，另列。" if noticed else "",
    }
    colours = {"sector": "#1a5fb4", "qualification": "#1e7e34", "township": "#9a6700", "round": "#9b1c1c"}
    found = []
    for key, title, label, values in specs:
        counts, pending = by[key]
        data = [ChartRow(shown, counts[value], pending[value], key, value) for value, shown in values]
        bars = [(row.label, row.listed, row.in_notice) for row in data]
        svg = charts.bar_chart(bars, f"chart-{key}", title, colours[key])
        found.append(Chart(f"by-{key}", title, label, svg, data, notes.get(key, "")))
    return found


def removal_counts(model: SiteModel) -> dict[str, int]:
    """Removals counted three ways, each named on the page: enterprises removed now, removal
    events (an enterprise removed, re-admitted and removed again counts twice) and notices."""
    events = [p for item in model.enterprises for p in item.standing.periods if p.removed_on is not None]
    removed_once = {item.uscc for item in model.enterprises for p in item.standing.periods if p.removed_on}
    return {
        "removed": sum(1 for item in model.enterprises if item.status is Status.REMOVED),
        "events": len(events),
        "notices": len({p.removed_on for p in events}),
        "readmitted": sum(
            1 for item in model.enterprises if item.uscc in removed_once and item.status in DIRECTORY_STATUSES
        ),
    }


def plan(model: SiteModel) -> list[Job]:
    rows = directory_rows(model)
    listed = [item for item in rows if item.status is Status.LISTED]
    county = model.site.county.name
    jobs = [
        page(routes.WHITELIST, "whitelist.md.j2", rows=rows, listed_count=len(listed), facets=facets(model, rows)),
        *(
            page(
                item.page,
                "enterprise.md.j2",
                item=item,
                views=status_views(item, county),
                outcome=outcome,
                keywords=keywords(item, county),
            )
            for item in model.enterprises
        ),
        page(
            routes.STATS,
            "stats.md.j2",
            total=len(listed),
            in_notice=model.in_notice,
            removals=removal_counts(model),
            charts=charts_of(model, rows),
            Status=Status,
        ),
    ]
    # The downloads hold the whitelist proper (listed on the build date); the page says so.
    data = {"rows": listed, "base_url": model.site.base_url, "today": model.today, "county": county}
    jobs += [
        Job(routes.WHITELIST_CSV, "csv", data=data),
        Job(routes.WHITELIST_XLSX, "xlsx", data=data),
        Job(routes.WHITELIST_JSON, "json", data=data),
    ]
    return jobs
