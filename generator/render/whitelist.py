"""The published whitelist: directory, one verification page per enterprise, statistics, downloads.

Pure renderers over `Listing`s (the public view); the build date comes from the model.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from markupsafe import Markup, escape

from generator.register.models import QUALIFICATIONS, SECTORS
from generator.register.status import Period, Schedule, Status
from generator.render import charts, exports
from generator.render.listing import Listing, listed
from generator.render.output import OutputFile
from generator.render.pages import PageRenderer, SiteModel
from generator.render.text import chinese_date

RoundLink = Callable[[Schedule], Markup]


def round_label(schedule: Schedule) -> Markup:
    """The round as shown in tables; a link once notices are published."""
    return Markup(escape(schedule.round.title))


@dataclass(frozen=True)
class Facet:
    key: str
    label: str
    options: list[tuple[str, str, int]]  # value, label, count


def facets(model: SiteModel, rows: Sequence[Listing]) -> list[Facet]:
    """Filter choices in the order staff know them, each with its count in the directory."""
    sectors = Counter(r.sector for r in rows)
    qualifications = Counter(q for r in rows for q in r.qualifications)
    townships = Counter(r.township for r in rows)
    rounds = Counter(r.period.schedule.round.id for r in rows if r.period)
    titles = {r.id: r.title for r in model.inputs.register.rounds}
    return [
        Facet("sector", "行业类别", [(s, s, sectors[s]) for s in SECTORS if sectors[s]]),
        Facet("qualification", "入库条件", [(q, q, qualifications[q]) for q in QUALIFICATIONS if qualifications[q]]),
        Facet(
            "township", "所属乡镇", [(t, t, townships[t]) for t in model.inputs.site.county.townships if townships[t]]
        ),
        Facet("round", "批次", [(i, titles[i], rounds[i]) for i in titles if rounds[i]]),
    ]


def directory_page(model: SiteModel, round_link: RoundLink = round_label) -> OutputFile:
    rows = listed(list(model.listings))
    in_notice = sum(1 for listing in model.listings if listing.status is Status.NOTICE)
    return PageRenderer(model).render(
        "whitelist.md.j2",
        "whitelist/index.md",
        rows=rows,
        in_notice=in_notice,
        facets=facets(model, rows),
        round_link=round_link,
    )


def outcome(period: Period) -> str:
    """How one published approval ended (or stands), for the verification page's history table."""
    if period.ended_by == "objection_upheld":
        return "公示期内异议成立，未予入库"
    listed_from = period.listed_from
    assert listed_from is not None
    if period.ended_by == "removed" and period.ended_on is not None:
        reason = f"，原因：{period.reason}" if period.reason else ""
        return f"{chinese_date(listed_from)}入库，{chinese_date(period.ended_on)}移出{reason}"
    return f"{chinese_date(listed_from)}起入库"


def status_text(listing: Listing, county: str) -> str:
    period = listing.period
    assert period is not None
    schedule = period.schedule
    if listing.status is Status.LISTED:
        return f"本企业在{county}白名单内：{chinese_date(schedule.listed_from)}起入库（{schedule.round.title}）。"
    if listing.status is Status.NOTICE:
        return (
            f"本企业列入{schedule.round.title}白名单企业名单，正在公示：公示期 {chinese_date(schedule.start)}"
            f"至{chinese_date(schedule.end)}。公示期满无异议的，纳入白名单。"
        )
    if listing.status is Status.REMOVED and period.ended_on is not None:
        reason = f"移出原因：{period.reason}。" if period.reason else ""
        return f"本企业已于{chinese_date(period.ended_on)}移出{county}白名单。{reason}"
    return f"本企业曾列入{schedule.round.title}名单公示，公示期内异议成立，未纳入白名单。"


STATUS_CLASSES = {
    Status.LISTED: "listed",
    Status.NOTICE: "notice",
    Status.REMOVED: "removed",
    Status.NOT_ADMITTED: "removed",
}


def enterprise_pages(model: SiteModel, round_link: RoundLink = round_label) -> list[OutputFile]:
    """One verification page per enterprise ever published, whatever its status today."""
    renderer = PageRenderer(model)
    county = model.inputs.site.county.name
    return [
        renderer.render(
            "enterprise.md.j2",
            listing.page.replace(".html", ".md"),
            item=listing,
            status_class=STATUS_CLASSES.get(listing.status, "removed"),
            status_text=status_text(listing, county),
            round_link=round_link,
            outcome=outcome,
        )
        for listing in model.listings
    ]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    label: str
    svg: Markup
    rows: list[tuple[str, int, str]]  # label, count, link to the filtered directory


def _filter_link(facet: str, value: str) -> str:
    return f"whitelist/index.html?{facet}={quote(value)}"


def stats_page(model: SiteModel) -> OutputFile:
    rows = listed(list(model.listings))
    by = {
        "sector": Counter(r.sector for r in rows),
        "qualification": Counter(q for r in rows for q in r.qualifications),
        "township": Counter(r.township for r in rows),
        "round": Counter(r.period.schedule.round.id for r in rows if r.period),
    }
    rounds = model.inputs.register.rounds
    specs = [
        ("sector", "按行业类别", "行业类别", [(s, s) for s in SECTORS]),
        ("qualification", "按入库条件", "入库条件", [(q, q) for q in QUALIFICATIONS]),
        ("township", "按所属乡镇", "所属乡镇", [(t, t) for t in model.inputs.site.county.townships]),
        ("round", "按批次", "批次", [(r.id, r.title) for r in rounds]),
    ]
    colours = {"sector": "#1a5fb4", "qualification": "#1e7e34", "township": "#9a6700", "round": "#9b1c1c"}
    chart_list = []
    for key, title, label, values in specs:
        counts = by[key]
        data = [(shown, counts[value], _filter_link(key, value)) for value, shown in values]
        svg = charts.bar_chart([(shown, count) for shown, count, _ in data], f"chart-{key}", title, colours[key])
        chart_list.append(Chart(f"by-{key}", title, label, svg, data))
    return PageRenderer(model).render(
        "stats.md.j2",
        "stats.md",
        total=len(rows),
        in_notice=sum(1 for listing in model.listings if listing.status is Status.NOTICE),
        removed=sum(1 for listing in model.listings if listing.status is Status.REMOVED),
        charts=chart_list,
    )


def downloads(model: SiteModel) -> list[OutputFile]:
    """The directory's rows as CSV, XLSX and JSON, placed where the directory links to them."""
    rows = listed(list(model.listings))
    site = model.inputs.site
    folder = PurePosixPath("downloads")
    return [
        OutputFile(folder / "whitelist.csv", exports.whitelist_csv(rows, site.base_url)),
        OutputFile(
            folder / "whitelist.xlsx",
            exports.whitelist_xlsx(rows, site.base_url, model.today, f"{site.county.name}白名单企业名录"),
        ),
        OutputFile(
            folder / "whitelist.json", exports.whitelist_json(rows, site.base_url, model.today, site.county.name)
        ),
    ]
