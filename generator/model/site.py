"""The site model: everything public renderers read, gathered once before anything is written.

Built from the validated inputs by `gather`, through `public_enterprises` (the only door from
register records to public ones). It holds no register, no record with a private field, and
nothing rendered: renderers make every output from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator import routes
from generator.guideline.model import Guideline
from generator.guideline.zones import Zone, find_zones
from generator.inputs import Inputs
from generator.model.notices import Notice, RoundNotice, gather_notices
from generator.model.public import PublicEnterprise, listed, public_enterprises
from generator.register.history import Schedule, Status
from generator.register.models import Glossary, SiteSettings
from generator.register.workdays import WorkCalendar
from generator.render.pinyin import sort_key
from generator.render.text import Annotator

# Documents the guideline names in 《》, linked to their blank form.
GUIDELINE_DOCUMENTS = {
    "落实疫情防控主体责任承诺书": routes.blank_form("commitment", "pdf"),
    "工业企业白名单申请表": routes.blank_form("application", "pdf"),
}


@dataclass(frozen=True)
class OpenNotice:
    """A round in its 公示 period on the build date, for the home page."""

    notice: RoundNotice
    workdays_left: int  # from the build date, that day included


@dataclass(frozen=True)
class SiteModel:
    today: date
    site: SiteSettings
    guideline: Guideline
    glossary: Glossary
    calendar: WorkCalendar
    schedules: tuple[Schedule, ...]  # every round, in register order
    enterprises: tuple[PublicEnterprise, ...]  # public on the build date, pinyin order
    notices: tuple[Notice, ...]  # published by the build date, newest first
    annotator: Annotator
    zones: tuple[Zone, ...]

    @property
    def listed(self) -> list[PublicEnterprise]:
        return listed(self.enterprises)

    @property
    def in_notice(self) -> int:
        return sum(1 for e in self.enterprises if e.status is Status.NOTICE)

    def page_calendar(self) -> dict[str, object]:
        """What the page script needs to tell status on the reader's date: the build date (the
        reader's date is never earlier) and the working-day calendar of the years the published
        periods touch, as the days that break the Monday–Friday rule."""
        published = [s for s in self.schedules if s.start <= self.today]
        first = min((s.start.year for s in published), default=self.today.year)
        last = max((s.end.year for s in published), default=self.today.year)
        holidays, workdays = self.calendar.departures(first, last)
        return {
            "built": self.today.isoformat(),
            "holidays": [day.isoformat() for day in holidays],
            "workdays": [day.isoformat() for day in workdays],
        }

    @property
    def open_notices(self) -> list[OpenNotice]:
        return [
            OpenNotice(n, workdays_left(self.calendar, self.today, n.schedule.end))
            for n in self.notices
            if isinstance(n, RoundNotice) and n.schedule.is_open(self.today)
        ]


def workdays_left(calendar: WorkCalendar, today: date, end: date) -> int:
    """Working days from today (included) to the end of the period."""
    return calendar.workdays_between(today, end) if today <= end else 0


def gather(inputs: Inputs, today: date) -> SiteModel:
    """The public model of the site on `today`."""
    glossary = inputs.glossary
    annotator = Annotator.build(((t.spellings, t.term, t.definition) for t in glossary.terms), GUIDELINE_DOCUMENTS)
    public = public_enterprises(inputs.register.enterprises, inputs.timelines, today)
    enterprises = tuple(sorted(public, key=lambda item: sort_key(item.name)))
    schedules = tuple(inputs.schedules[r.id] for r in inputs.register.rounds)
    return SiteModel(
        today=today,
        site=inputs.site,
        guideline=inputs.guideline,
        glossary=glossary,
        calendar=inputs.calendar,
        schedules=schedules,
        enterprises=enterprises,
        notices=gather_notices(inputs.site, schedules, enterprises, today),
        annotator=annotator,
        zones=find_zones(inputs.guideline),
    )
