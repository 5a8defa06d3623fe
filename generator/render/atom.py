"""The Atom feed of notices: ids are the notices' stable URLs, dates come from the data."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from xml.sax.saxutils import escape as xml_escape

from generator import routes
from generator.model.notices import Notice, RoundNotice
from generator.register.models import SiteSettings
from generator.render.registry import Format, Job, Run
from generator.render.text import chinese_date


def _rfc3339(day: date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def atom_feed(site: SiteSettings, notices: Sequence[Notice], today: date) -> bytes:
    """Every notice, newest first."""
    base = site.base_url
    updated = notices[0].date if notices else today
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
            f"    <title>{xml_escape(notice.title)}</title>\n"
            f'    <link rel="alternate" type="text/html" href="{xml_escape(url)}"/>\n'
            f"    <published>{_rfc3339(notice.date)}</published>\n"
            f"    <updated>{_rfc3339(notice.date)}</updated>\n"
            f"    <summary>{xml_escape(summary)}</summary>\n"
            "  </entry>\n"
        )
    feed = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n'
        f"  <id>{xml_escape(base + routes.FEED)}</id>\n"
        f"  <title>{xml_escape(site.title)}：公示公告</title>\n"
        f"  <updated>{_rfc3339(updated)}</updated>\n"
        f"  <author><name>{xml_escape(site.authority.name)}</name></author>\n"
        f'  <link rel="self" type="application/atom+xml" href="{xml_escape(base + routes.FEED)}"/>\n'
        f'  <link rel="alternate" type="text/html" href="{xml_escape(base + routes.NOTICES)}"/>\n'
        + "".join(entries)
        + "</feed>\n"
    )
    return feed.encode("utf-8")


class Atom(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        for job in jobs:
            yield atom_feed(job.data["site"], job.data["notices"], job.data["today"])


FORMAT = Atom()
