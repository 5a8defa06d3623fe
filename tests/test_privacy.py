"""Privacy by construction: the public side of the build is typed so that no private field can
reach it; scanning outputs for private values (test_whitelist.py does too) is a second net."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from generator.model.public import PublicEnterprise, public_view
from generator.model.site import SiteModel
from generator.model.staff import StaffModel
from generator.register.models import PRIVATE, Contact, Enterprise, HistoryEvent, Register, is_private, private_paths
from generator.render import kit


def reachable(root: Any) -> set[type]:
    """Every class a value of type `root` can hold, through fields and containers."""
    seen: set[type] = set()
    stack = [root]
    while stack:
        current = stack.pop()
        origin = typing.get_origin(current)
        if origin is Annotated:
            stack.append(typing.get_args(current)[0])
        elif origin is not None or isinstance(current, types.UnionType):
            stack.extend(arg for arg in typing.get_args(current) if arg is not Ellipsis)
        elif isinstance(current, type) and current not in seen:
            seen.add(current)
            if dataclasses.is_dataclass(current):
                stack.extend(typing.get_type_hints(current).values())
            elif issubclass(current, BaseModel):
                stack.extend(info.annotation for info in current.model_fields.values())
    return seen


PUBLIC_ROOTS = (SiteModel, kit.CertificateData, kit.LetterData, kit.NoticeRow, kit.RemovalRow)


@pytest.mark.parametrize("root", PUBLIC_ROOTS, ids=lambda root: root.__name__)
def test_no_public_type_can_hold_a_private_field(root: type) -> None:
    found = reachable(root)
    assert PublicEnterprise in found or root is not SiteModel
    assert not found & {Enterprise, Contact, HistoryEvent, Register, StaffModel}
    for model in (t for t in found if issubclass(t, BaseModel)):
        assert not any(is_private(model, name) for name in model.model_fields), model


def test_the_staff_type_is_where_private_fields_go() -> None:
    assert Enterprise in reachable(StaffModel) and private_paths(Enterprise) == ["contact", "history.note"]


def test_marking_any_field_private_makes_a_public_type_that_shows_it_fail_to_define() -> None:
    """A field newly declared private anywhere in the register cannot stay on a public type: the
    public class no longer defines (so nothing can be built or published), not a scan later."""

    class Marked(BaseModel):
        uscc: str
        address: Annotated[str, Field(json_schema_extra=PRIVATE)]

    with pytest.raises(TypeError, match="address is private"):

        @public_view(Marked)
        @dataclasses.dataclass(frozen=True)
        class Shown:
            uscc: str
            address: str
