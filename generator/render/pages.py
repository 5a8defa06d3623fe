"""The guideline's pages: home, the guideline, the three other parts and the glossary."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from generator import routes
from generator.guideline.model import Part
from generator.model.site import SiteModel
from generator.render import charts
from generator.render.markdown import page
from generator.render.registry import Job

# Which page shows which part of the guideline, and the anchor prefix of its sections.
PART_PAGES = {
    2: (routes.CRITERIA, "criterion"),
    3: (routes.PROCESS, "process"),
    4: (routes.MEASURES, "measure"),
}


def plan(model: SiteModel) -> list[Job]:
    guideline = model.guideline
    zones = model.zones
    jobs = [
        page(
            routes.HOME,
            "index.md.j2",
            open_notices=model.open_notices,
            directory_count=len(model.listed) + model.in_notice,
        ),
        page(
            routes.GUIDE,
            "guide.md.j2",
            zones=zones,
            zones_article=zones[0].defined_in if zones else 0,
            zones_svg=charts.zones_diagram(zones) if zones else "",
            zones_sources="、".join(str(n) for n in sorted({n for z in zones for n in z.articles})),
        ),
    ]
    for number, (route, anchor) in PART_PAGES.items():
        figure, caption = "", ""
        if number == 3:
            figure = charts.flow_chart(process_steps(model))
            caption = "白名单企业申报、审核、公示和动态管理流程"
        jobs.append(
            page(
                route,
                "part.md.j2",
                part=guideline.parts[number - 1],
                anchor=anchor,
                figure=figure,
                figure_caption=caption,
            )
        )
    jobs.append(page(routes.GLOSSARY, "glossary.md.j2", entries=glossary_entries(model)))
    jobs.append(Job(routes.CALENDAR_SCRIPT, "js", data={"calendar": model.page_calendar()}))
    return jobs


def process_steps(model: SiteModel) -> list[charts.FlowStep]:
    """The application flow of part 三 as the register models it (events applied → approved → removed)."""
    workdays = model.site.notice.workdays
    authority = model.site.authority.name
    return [
        charts.FlowStep("企业自主申报", "对照遴选标准，提交《工业企业白名单申请表》和承诺书"),
        charts.FlowStep(
            "乡镇（街道）初审", "核实企业材料，签署审核意见后报县主管部门", "材料不全或不符合条件：不予批准"
        ),
        charts.FlowStep("县主管部门审核批准", f"{authority}逐级审核，批准后编入批次"),
        charts.FlowStep("向社会公示", f"公示 {workdays} 个工作日，书面实名提出异议", "异议成立：不予入库"),
        charts.FlowStep("入库白名单", "公示期满无异议，纳入白名单，享受“四保”举措"),
        charts.FlowStep("动态管理", "监测生产经营状况，应入尽入", "违反法律法规和政策规定：移出并公告"),
    ]


def glossary_entries(model: SiteModel) -> list[dict[str, Any]]:
    """Each term with the articles and the other pages where it occurs."""
    guideline = model.guideline
    entries = []
    for term in model.glossary.terms:

        def mentions(texts: Iterable[str], spellings: tuple[str, ...] = term.spellings) -> bool:
            return any(s in text for text in texts for s in spellings)

        articles = [a.number for a in guideline.articles if mentions([a.text])]
        pages = [
            {"route": route, "title": part.title}
            for number, (route, _) in PART_PAGES.items()
            if mentions(part_texts(part := guideline.parts[number - 1]))
        ]
        entries.append({"term": term, "articles": articles, "pages": pages})
    return entries


def part_texts(part: Part) -> list[str]:
    return [part.title, *(p.text for p in part.intro)] + [
        text for s in part.sections for text in (s.title, *(b.text for b in s.blocks))
    ]
