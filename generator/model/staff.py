"""The staff model: the applications staff are handling, with their private details.

Never given to a public renderer; its outputs go to the staff folder, outside the site.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.inputs import Inputs
from generator.register.history import Status
from generator.register.models import Enterprise

IN_HAND = (Status.APPLYING, Status.REVIEWING, Status.NOTICE)


@dataclass(frozen=True)
class StaffApplication:
    enterprise: Enterprise  # the whole record, contact included
    round_title: str  # the round it is approved in, "" before approval
    applied_on: date  # the day of its application: the forms' own date


@dataclass(frozen=True)
class StaffModel:
    today: date
    applications: tuple[StaffApplication, ...]


def gather_staff(inputs: Inputs, today: date) -> StaffModel:
    """Enterprises applying, under review or in their notice period on `today`."""
    applications = []
    for enterprise in inputs.register.enterprises:
        timeline = inputs.timelines[enterprise.uscc]
        result = timeline.standing(today)
        if result is None or result.status not in IN_HAND:
            continue
        pending = timeline.pending_round(today)
        applications.append(
            StaffApplication(enterprise, pending.title if pending else "", timeline.application_day(today))
        )
    return StaffModel(today, tuple(applications))
