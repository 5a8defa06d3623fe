"""The enterprise's pages: how to apply, "can I apply?", and the application typed in the browser.

The form checks what `wlsite check` checks, in the same words: the page carries the rule table
(`rules`) that the register's own parsers use — the message templates, townships, sectors and
qualifications, the phone pattern, the text limits — and its script applies it. Nothing is sent
anywhere: the enterprise prints the filled form and letter and saves the application file, which
staff import with `wlsite import`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from generator import routes
from generator.model.site import SiteModel
from generator.register.history import Schedule
from generator.register.messages import MESSAGES
from generator.register.models import (
    APPLICATION_FORMAT,
    DECLARATION_NAMES,
    EXCLUSION_NAMES,
    MAX_TEXT,
    PHONE_RE,
    QUALIFICATION_SECTORS,
    QUALIFICATIONS,
    SECTORS,
)
from generator.register.uscc import ALPHABET
from generator.register.validate import LIAISON_QUALIFICATION
from generator.render.letters import CLOSING, COMMITMENT_PARTS
from generator.render.markdown import page
from generator.render.registry import Job

QUALIFYING_LIST, EXCLUSION_LIST = 1, 2  # the lists of part 二 section (一), in the seed's order


@dataclass(frozen=True)
class Condition:
    key: str  # the register's name for it
    text: str
    route: str  # where the guideline says it
    sectors: tuple[str, ...] = ()  # qualifying conditions: the sectors that may claim it


def conditions() -> dict[str, list[Condition]]:
    return {
        "baseline": [Condition(key, text, routes.criterion_intro()) for key, text in DECLARATION_NAMES.items()],
        "qualifying": [
            Condition(name, name, routes.criterion_item(QUALIFYING_LIST, number), QUALIFICATION_SECTORS[name])
            for number, name in enumerate(QUALIFICATIONS, start=1)
        ],
        "exclusions": [
            Condition(key, text, routes.criterion_item(EXCLUSION_LIST, number))
            for number, (key, text) in enumerate(EXCLUSION_NAMES.items(), start=1)
        ],
    }


def next_round(model: SiteModel) -> Schedule | None:
    """The round being prepared: the first whose notice is not yet published."""
    upcoming = [s for s in model.schedules if s.start > model.today]
    return min(upcoming, key=lambda s: (s.start, s.round.id)) if upcoming else None


def rules(model: SiteModel) -> Markup:
    """The rule table for the page's script, as JSON safe inside a <script> element."""
    table: dict[str, Any] = {
        "format": APPLICATION_FORMAT,
        "messages": MESSAGES,
        "townships": list(model.site.county.townships),
        "sectors": list(SECTORS),
        "qualifications": {name: list(QUALIFICATION_SECTORS[name]) for name in QUALIFICATIONS},
        "liaison": LIAISON_QUALIFICATION,
        "declarations": DECLARATION_NAMES,
        "exclusions": EXCLUSION_NAMES,
        "phone": PHONE_RE.pattern,
        "maxText": MAX_TEXT,
        "alphabet": ALPHABET,
    }
    text = json.dumps(table, ensure_ascii=False, sort_keys=True)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def plan(model: SiteModel) -> list[Job]:
    found = conditions()
    authority = model.site.authority
    return [
        page(
            routes.APPLY,
            "apply_index.md.j2",
            conditions=found,
            next_round=next_round(model),
            authority=authority,
        ),
        page(routes.APPLY_CHECK, "apply_check.md.j2", conditions=found),
        page(
            routes.APPLY_FORM,
            "apply_form.md.j2",
            conditions=found,
            rules=rules(model),
            commitments=COMMITMENT_PARTS,
            closing=CLOSING,
            authority=authority,
        ),
    ]
