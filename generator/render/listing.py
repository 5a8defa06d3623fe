"""The public view of the register on a build date: what the site, exports and stats may show.

Renderers receive `Listing`s, never `Enterprise`s: the private fields (contact, phones, notes)
are not copied here, so no template or export can publish them by mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from generator.inputs import Inputs
from generator.register.status import Period, Standing, Status, standing
from generator.render.pinyin import sort_key


@dataclass(frozen=True)
class Listing:
    uscc: str
    name: str
    sector: str
    qualifications: tuple[str, ...]
    township: str
    address: str
    industry: str
    main_products: str
    legal_representative: str
    standing: Standing

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
        return f"whitelist/{self.uscc}.html"


def public_listings(inputs: Inputs, today: date) -> list[Listing]:
    """Every enterprise that has ever been in a published notice, in pinyin order of the name."""
    listings = []
    for enterprise in inputs.register.enterprises:
        result = standing(enterprise, inputs.schedules, today)
        if result is None or not result.is_public:
            continue
        listings.append(
            Listing(
                uscc=enterprise.uscc,
                name=enterprise.name,
                sector=enterprise.sector,
                qualifications=enterprise.qualifications,
                township=enterprise.township,
                address=enterprise.address,
                industry=enterprise.industry,
                main_products=enterprise.main_products,
                legal_representative=enterprise.legal_representative,
                standing=result,
            )
        )
    listings.sort(key=lambda listing: sort_key(listing.name))
    return listings


def listed(listings: list[Listing]) -> list[Listing]:
    """The whitelist proper: 已入库 on the build date."""
    return [listing for listing in listings if listing.status is Status.LISTED]
