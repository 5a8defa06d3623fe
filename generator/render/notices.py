"""Notices on the site: a page and an official-layout PDF per notice, their index, the Atom feed."""

from __future__ import annotations

from typing import Any

from generator import routes
from generator.model.notices import RoundNotice
from generator.model.site import SiteModel, workdays_left
from generator.render.kit import TITLE_WIDTH, NoticeRow, RemovalRow, common_context
from generator.render.markdown import page
from generator.render.pdf import pdf
from generator.render.registry import Job
from generator.render.text import balanced_lines


def plan(model: SiteModel) -> list[Job]:
    jobs = []
    for notice in model.notices:
        if isinstance(notice, RoundNotice):
            schedule = notice.schedule
            jobs.append(
                page(
                    notice.path,
                    "notice_round.md.j2",
                    notice=notice,
                    title=notice.title,
                    is_open=schedule.is_open(model.today),
                    left=workdays_left(model.calendar, model.today, schedule.end),
                    listed_count=sum(1 for item in notice.listings if item not in notice.refused),
                )
            )
        else:
            jobs.append(page(notice.path, "notice_removal.md.j2", notice=notice, title=notice.title))
    jobs.append(
        page(
            routes.NOTICES,
            "notices.md.j2",
            notices=model.notices,
            is_round=lambda n: isinstance(n, RoundNotice),
            is_open=lambda n: isinstance(n, RoundNotice) and n.schedule.is_open(model.today),
        )
    )
    jobs.append(Job(routes.FEED, "atom", data={"site": model.site, "notices": model.notices, "today": model.today}))
    return jobs + notice_pdfs(model)


def notice_pdfs(model: SiteModel) -> list[Job]:
    """Every published notice as a PDF in official-document layout, next to its page."""
    site = model.site
    context = {
        **common_context(model),
        "phone": site.authority.phone,
        "address": site.authority.address,
        "postcode": site.authority.postcode,
        "email": site.authority.email,
    }
    jobs = []
    for notice in model.notices:
        own: dict[str, Any]
        if isinstance(notice, RoundNotice):
            attachment = f"{site.county.name}{notice.schedule.round.title}白名单企业名单"
            template = "notice.html.j2"
            schedule = notice.schedule
            rows = [NoticeRow(item.name, item.uscc, item.sector, item.township) for item in notice.listings]
            own = {"rows": rows, "start": schedule.start, "end": schedule.end, "workdays": schedule.workdays}
        else:
            attachment = f"移出{site.county.name}白名单的企业名单"
            template = "removal.html.j2"
            removals = [RemovalRow(r.listing.name, r.listing.uscc, r.reason) for r in notice.removals]
            own = {"rows": removals, "day": notice.day}
        context_of_notice = {
            **context,
            **own,
            "title": notice.title,
            "title_lines": balanced_lines(notice.title, TITLE_WIDTH),
            "attachment_title": attachment,
            "issued": notice.date,
            "document_date": notice.date,
        }
        jobs.append(pdf(notice.pdf, template, context_of_notice, style="gongwen"))
    return jobs
