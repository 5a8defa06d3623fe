"""Markdown pages for the site engine: a Jinja template per page kind, over the public model.

Templates live in `generator/templates/pages/`. Autoescape is on everywhere, so data shown
inside raw HTML is escaped; in Markdown context templates use `|md` or `|annotate`, which
escape Markdown syntax too. Every template gets the model's common parts, the route table as
`routes`, and `url(route)`: the link to a route from the page being rendered.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from generator import routes
from generator.guideline.parse import cn_numeral
from generator.register.history import Period, Schedule
from generator.render.registry import Format, Job, Run
from generator.render.text import chinese_date, escape_markdown, title_string, yaml_string


@pass_context
def _annotate(context: Context, text: str) -> Markup:
    """Escaped Markdown with glossary tooltips and document links, relative to the page's root."""
    return context["annotator"].annotate(text, context["root"])  # type: ignore[no-any-return]


@pass_context
def _url(context: Context, route: str) -> str:
    return routes.relative(context["page"], route)


def period_dates(periods: Iterable[Period | Schedule]) -> str:
    """The dates the page script tells status from (assets/js/status.js), as JSON for a
    `data-wl-periods` attribute: each 公示 period's start and end, and how it ended if it did."""
    found: list[dict[str, str]] = []
    for period in periods:
        schedule = period.schedule if isinstance(period, Period) else period
        dates = {"start": schedule.start.isoformat(), "end": schedule.end.isoformat()}
        if isinstance(period, Period) and period.ended_on is not None and period.ended_by is not None:
            dates |= {"ended_on": period.ended_on.isoformat(), "ended_by": period.ended_by.value}
        found.append(dates)
    return json.dumps(found, ensure_ascii=False, separators=(",", ":"))


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
    env.filters["periods"] = period_dates
    env.filters["kb"] = lambda data: round(len(data) / 1024)
    env.globals["routes"] = routes
    env.globals["url"] = _url
    return env


def page(route: str, template: str, **data: Any) -> Job:
    """A page job: `route` is its URL (`whitelist/index.html`)."""
    return Job(route, "md", template, data)


class Markdown(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        model = run.model
        assert model is not None, "pages are rendered from the public model"
        env = environment()
        common = {
            "annotator": model.annotator,
            "site": model.site,
            "guideline": model.guideline,
            "parts": model.guideline.parts,
            "today": model.today,
        }
        for job in jobs:
            template = env.get_template(job.template)
            text = template.render(
                **common, page=job.path, root=routes.root_of(job.path), sources=run.sources, **job.data
            )
            yield text.encode("utf-8")


FORMAT = Markdown()
