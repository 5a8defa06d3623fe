"""Read every input in the data folder, validate it, and return typed records or all problems.

This is the one place that knows the data folder's layout; everything after it works on records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.errors import InputError, Problem, Severity, display_path
from generator.guideline.model import Guideline
from generator.guideline.parse import read_guideline
from generator.register.history import Schedule, Timeline
from generator.register.load import Loaded, load_yaml
from generator.register.models import Glossary, Register, SiteSettings
from generator.register.validate import Known, check_glossary, check_holidays, check_register, check_site
from generator.register.workdays import WorkCalendar

SITE_FILE = "site.yaml"
REGISTER_FILE = "register.yaml"
GLOSSARY_FILE = "glossary.yaml"
HOLIDAYS_FILE = "holidays.yaml"


@dataclass(frozen=True)
class Inputs:
    site: SiteSettings
    glossary: Glossary
    guideline: Guideline
    register: Register
    schedules: dict[str, Schedule]
    timelines: dict[str, Timeline]  # uscc → its history, replayed once for the whole build
    calendar: WorkCalendar
    warnings: tuple[Problem, ...] = ()


def holidays_source(data_dir: Path) -> str:
    """How messages name the holidays file of a data folder."""
    return display_path(data_dir / HOLIDAYS_FILE)


def load_inputs(data_dir: Path, register: Loaded | None = None, known: Known | None = None) -> Inputs:
    """Every input, validated, with its warnings; `InputError` with every problem when any is an error.

    `register` replaces data/register.yaml (a merged import, a register to compare); records it
    shares with `known` are not parsed again.
    """
    problems: list[Problem] = []

    def attempt(path: Path) -> Loaded | None:
        try:
            return load_yaml(path)
        except InputError as error:
            problems.extend(error.problems)
            return None

    site = glossary = None
    loaded = attempt(data_dir / SITE_FILE)
    if loaded is not None:
        site, found = check_site(loaded)
        problems.extend(found)

    calendar = WorkCalendar()
    holidays_path = data_dir / HOLIDAYS_FILE
    if holidays_path.exists():
        loaded = attempt(holidays_path)
        if loaded is not None:
            overrides, found = check_holidays(loaded)
            problems.extend(found)
            calendar = WorkCalendar(overrides)

    checked = None
    loaded = register if register is not None else attempt(data_dir / REGISTER_FILE)
    if loaded is not None:
        checked, found = check_register(loaded, site, calendar, holidays_source(data_dir), known)
        problems.extend(found)

    loaded = attempt(data_dir / GLOSSARY_FILE)
    if loaded is not None:
        glossary, found = check_glossary(loaded)
        problems.extend(found)

    guideline = None
    guideline_path = data_dir / (site.guideline if site else SiteSettings.model_fields["guideline"].default)
    try:
        guideline = read_guideline(guideline_path)
    except InputError as error:
        problems.extend(error.problems)

    if any(p.severity is Severity.ERROR for p in problems):
        raise InputError(problems)
    assert site is not None and glossary is not None and guideline is not None and checked is not None
    problems.sort(key=lambda p: p.sort_key)
    return Inputs(
        site, glossary, guideline, checked.register, checked.schedules, checked.timelines, calendar, tuple(problems)
    )
