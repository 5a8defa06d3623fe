"""Pages: records → Markdown files for the site engine. Pure: the build date is an argument.

Templates live in `generator/templates/pages/`. Autoescape is on everywhere, so data shown
inside raw HTML is escaped; in Markdown context templates use `|md` or `|annotate`, which
escape Markdown syntax too.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from generator.guideline.model import Guideline, Part
from generator.guideline.parse import cn_numeral
from generator.guideline.zones import Zone
from generator.inputs import Inputs
from generator.render import charts
from generator.render.listing import Listing
from generator.render.output import OutputFile, root_of
from generator.render.text import Annotator, chinese_date, escape_markdown, title_string, yaml_string

# Which page shows which part of the guideline, and the anchor prefix of its sections.
PART_PAGES = {
    2: ("criteria.md", "criterion"),
    3: ("process.md", "process"),
    4: ("measures.md", "measure"),
}


@pass_context
def _annotate(context: Context, text: str) -> Markup:
    """Escaped Markdown with glossary tooltips and document links, relative to the page's root."""
    annotator: Annotator = context["annotator"]
    return annotator.annotate(text, context["root"])


@functools.cache
def environment() -> Environment:
    """One environment per process, so each template is compiled once however many pages use it."""
    env = Environment(
        loader=PackageLoader("generator", "templates/pages"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # `{#id}` is Markdown's attribute syntax for heading ids, so Jinja comments use `{##`.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters["md"] = escape_markdown
    env.filters["yaml"] = yaml_string
    env.filters["title"] = title_string
    env.filters["cn"] = cn_numeral
    env.filters["cn_date"] = chinese_date
    env.filters["annotate"] = _annotate
    return env


@dataclass(frozen=True)
class SiteModel:
    """Everything page renderers need, derived once per build."""

    inputs: Inputs
    today: date
    annotator: Annotator
    zones: tuple[Zone, ...]
    listings: tuple[Listing, ...] = ()
    home_blocks: tuple[Markup, ...] = ()
    extra_cards: tuple[dict[str, str], ...] = ()

    @property
    def guideline(self) -> Guideline:
        return self.inputs.guideline


def make_annotator(inputs: Inputs, documents: dict[str, str]) -> Annotator:
    terms = ((t.spellings, t.term, t.definition) for t in inputs.glossary.terms)
    return Annotator.build(terms, documents)


class PageRenderer:
    def __init__(self, model: SiteModel) -> None:
        self.model = model
        self.env = environment()

    def render(self, template: str, path: str, **context: Any) -> OutputFile:
        page = PurePosixPath(path)
        content = self.env.get_template(template).render(
            annotator=self.model.annotator,
            site=self.model.inputs.site,
            guideline=self.model.guideline,
            parts=self.model.guideline.parts,
            today=self.model.today,
            root=root_of(page),
            **context,
        )
        return OutputFile(page, content)


def guideline_pages(model: SiteModel) -> list[OutputFile]:
    """Home, the guideline, the three other parts and the glossary."""
    renderer = PageRenderer(model)
    guideline = model.guideline
    zones = model.zones
    files = [
        renderer.render(
            "index.md.j2",
            "index.md",
            home_blocks=model.home_blocks,
            extra_cards=model.extra_cards,
        ),
        renderer.render(
            "guide.md.j2",
            "guide/index.md",
            zones=zones,
            zones_article=zones[0].defined_in if zones else 0,
            zones_svg=charts.zones_diagram(zones) if zones else "",
            zones_sources="、".join(str(n) for n in sorted({n for z in zones for n in z.articles})),
        ),
    ]
    for number, (path, anchor) in PART_PAGES.items():
        figure, caption = "", ""
        if number == 3:
            figure = charts.flow_chart(process_steps(model))
            caption = "白名单企业申报、审核、公示和动态管理流程"
        files.append(
            renderer.render(
                "part.md.j2",
                path,
                part=guideline.parts[number - 1],
                anchor=anchor,
                figure=figure,
                figure_caption=caption,
            )
        )
    files.append(renderer.render("glossary.md.j2", "glossary.md", entries=glossary_entries(model)))
    return files


def process_steps(model: SiteModel) -> list[charts.FlowStep]:
    """The application flow of part 三 as the register models it (events applied → approved → removed)."""
    workdays = model.inputs.site.notice.workdays
    authority = model.inputs.site.authority.name
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
    for term in model.inputs.glossary.terms:

        def mentions(texts: Iterable[str], spellings: tuple[str, ...] = term.spellings) -> bool:
            return any(s in text for text in texts for s in spellings)

        articles = [a.number for a in guideline.articles if mentions([a.text])]
        pages = [
            {"href": path.replace(".md", ".html"), "title": part.title}
            for number, (path, _) in PART_PAGES.items()
            if mentions(part_texts(part := guideline.parts[number - 1]))
        ]
        entries.append({"term": term, "articles": articles, "pages": pages})
    return entries


def part_texts(part: Part) -> list[str]:
    return [part.title, *(p.text for p in part.intro)] + [
        text for s in part.sections for text in (s.title, *(b.text for b in s.blocks))
    ]


ORGANISATION_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "合作社", "集团", "公司")


def name_core(name: str, county: str) -> str:
    """The distinctive middle of an enterprise name: 新县青檀纺织有限公司 → 青檀纺织.

    Search matches word beginnings only, so the core is what must be one word: then 青檀 finds the
    enterprise, and the full name still splits into 新县 + 青檀纺织 + 有限公司.
    """
    core = name.removeprefix(county)
    for form in ORGANISATION_FORMS:
        if core.endswith(form) and len(core) > len(form):
            return core[: -len(form)]
    return core


def search_words(model: SiteModel) -> list[str]:
    """Words the search engine must keep whole: the jieba user dictionary.

    Glossary terms, the county and its townships, and the core of every published enterprise name.
    """
    county = model.inputs.site.county.name
    words = {term.term for term in model.inputs.glossary.terms}
    words.update(model.inputs.site.county.townships)
    words.add(county)
    words.update(name_core(listing.name, county) for listing in model.listings)
    return sorted(w for w in words if w and not any(ch.isspace() for ch in w))
