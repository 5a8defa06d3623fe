"""The route table: every path the build publishes, in one place.

These are the site's stable public URLs: printed QR codes and links depend on them, so they
never change once published.
Python code and templates both ask here; no path is made by editing another path's string.
Pages are named by the URL readers see (`.html`); the site engine decides where their sources go.
"""

from __future__ import annotations

import posixpath
from datetime import date
from functools import lru_cache

HOME = "index.html"
GUIDE = "guide/index.html"
CRITERIA = "criteria.html"
PROCESS = "process.html"
MEASURES = "measures.html"
GLOSSARY = "glossary.html"
ABOUT = "about.html"
STATS = "stats.html"
WHITELIST = "whitelist/index.html"
NOTICES = "notices/index.html"
FORMS = "forms/index.html"
FEED = "feed.xml"
APPLY = "apply/index.html"
APPLY_CHECK = "apply/check.html"
APPLY_FORM = "apply/form.html"

WHITELIST_CSV = "downloads/whitelist.csv"
WHITELIST_XLSX = "downloads/whitelist.xlsx"
WHITELIST_JSON = "downloads/whitelist.json"
FORM_KIT = "downloads/form-kit.zip"
# The build date and the working-day calendar, read by every page's status script.
CALENDAR_SCRIPT = "assets/js/calendar.js"


def article(number: int) -> str:
    return f"{GUIDE}#article-{number}"


def part_section(page: str, anchor: str, number: int) -> str:
    """A section of criteria, process or measures: `criteria.html#criterion-1`."""
    return f"{page}#{anchor}-{number}"


def criterion_intro() -> str:
    """The baseline conditions every applicant must meet (part 二's opening paragraph)."""
    return f"{CRITERIA}#criterion-intro-1"


def criterion_item(list_number: int, number: int) -> str:
    """An item of part 二 section (一): list 1 holds the qualifying conditions, list 2 the exclusions."""
    return f"{CRITERIA}#criterion-1-{list_number}-{number}"


def glossary_term(term: str) -> str:
    return f"{GLOSSARY}#term-{term}"


def enterprise(uscc: str) -> str:
    """The verification page of an enterprise (its QR code points here)."""
    return f"whitelist/{uscc}.html"


def certificate(uscc: str) -> str:
    return f"whitelist/{uscc}-certificate.pdf"


def round_notice(round_id: str) -> str:
    return f"notices/{round_id}.html"


def round_notice_pdf(round_id: str) -> str:
    return f"notices/{round_id}.pdf"


def removal_notice(day: date) -> str:
    return f"notices/removal-{day.isoformat()}.html"


def removal_notice_pdf(day: date) -> str:
    return f"notices/removal-{day.isoformat()}.pdf"


def blank_form(slug: str, kind: str) -> str:
    """A blank form of the kit: `forms/application.pdf`, its `.png` preview."""
    return f"forms/{slug}.{kind}"


# Reserved by the pages above inside notices/: a round id may not take these names.
NOTICE_PAGE_NAMES = ("index",)
REMOVAL_PREFIX = "removal-"


def staff_application(uscc: str) -> str:
    """In the staff folder, outside the site: a pre-filled form with private details."""
    return f"applications/{uscc}.pdf"


def staff_commitment(uscc: str) -> str:
    """In the staff folder: the commitment letter pre-filled with what the register knows."""
    return f"commitments/{uscc}.pdf"


def relative(page: str, target: str) -> str:
    """The link from `page` to `target`, both routes: works from `file://` and under any prefix."""
    path, _, fragment = target.partition("#")
    link = _relative_path(posixpath.dirname(page) or ".", path) if path else ""
    return f"{link}#{fragment}" if fragment else link


# Pages sit in a handful of folders and link to the same few targets: every build of 10,000
# enterprise pages would otherwise spend seconds in posixpath.relpath.
@lru_cache(maxsize=4096)
def _relative_path(start: str, path: str) -> str:
    return posixpath.relpath(path, start)


def root_of(page: str) -> str:
    """The relative path from a page to the site root: `guide/index.html` → `../`."""
    return "../" * page.count("/")
