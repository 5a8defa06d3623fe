"""The public record of an enterprise: the one door from the register to anything published.

`PublicEnterprise` holds the fields the public may see and nothing else; `public_view` refuses,
when this module is imported, a public class that names a field the register marks private. So
a contact or a note cannot reach a page, a download, a public PDF or the search index: no public
type can carry it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from generator import routes
from generator.register.history import Period, Standing, Status, Timeline
from generator.register.models import Enterprise, is_private

T = TypeVar("T")


def public_view(model: type[BaseModel], derived: Iterable[str] = ()) -> Callable[[type[T]], type[T]]:
    """Check a public dataclass against its register model: every field is one of the model's
    fields that is not private, or one of `derived` (computed, such as a status)."""

    def check(cls: type[T]) -> type[T]:
        allowed = set(derived)
        for item in dataclasses.fields(cls):  # type: ignore[arg-type]
            name = item.name
            if name in allowed:
                continue
            if name not in model.model_fields:
                raise TypeError(f"{cls.__name__}.{name} is not a field of {model.__name__}")
            if is_private(model, name):
                raise TypeError(f"{cls.__name__}.{name} is private in {model.__name__} and cannot be public")
        return cls

    return check


@public_view(Enterprise, derived=("timeline", "standing"))
@dataclasses.dataclass(frozen=True)
class PublicEnterprise:
    uscc: str
    name: str
    sector: str
    qualifications: tuple[str, ...]
    township: str
    address: str
    industry: str
    main_products: str
    legal_representative: str
    timeline: Timeline  # every approval and its ending: for status on the reader's date
    standing: Standing  # on the build date

    @property
    def status(self) -> Status:
        return self.standing.status

    @property
    def period(self) -> Period | None:
        return self.standing.period

    @property
    def listed_from(self) -> date | None:
        return self.period.listed_from if self.period else None

    @property
    def page(self) -> str:
        """The verification page, relative to the site root."""
        return routes.enterprise(self.uscc)


_RECORD_FIELDS = tuple(f.name for f in dataclasses.fields(PublicEnterprise) if f.name in Enterprise.model_fields)


def public_enterprises(
    enterprises: Iterable[Enterprise], timelines: Mapping[str, Timeline], today: date
) -> tuple[PublicEnterprise, ...]:
    """Every enterprise that has been in a published notice by `today`, in register order: the
    only function that turns register records into public ones."""
    public = []
    for enterprise in enterprises:
        timeline = timelines[enterprise.uscc]
        result = timeline.standing(today)
        if result is None or not result.is_public:
            continue
        fields: dict[str, Any] = {name: getattr(enterprise, name) for name in _RECORD_FIELDS}
        public.append(PublicEnterprise(**fields, timeline=timeline, standing=result))
    return tuple(public)


def listed(enterprises: Iterable[PublicEnterprise]) -> list[PublicEnterprise]:
    """The whitelist proper: 已入库 on the build date."""
    return [item for item in enterprises if item.status is Status.LISTED]
