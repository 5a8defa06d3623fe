"""What a change to the register does to the published site: enterprises added, removed, changed.

Both registers are checked with the same site settings and calendar, then compared as the
public sees them on one date, so the answer is about the site, not about YAML lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from generator.errors import InputError
from generator.inputs import Inputs, holidays_source, read_inputs
from generator.register.load import load_yaml
from generator.register.validate import check_register
from generator.render.listing import Listing, public_listings

FIELDS = (
    ("name", "企业名称"),
    ("sector", "行业类别"),
    ("qualifications", "入库条件"),
    ("township", "所属乡镇"),
    ("address", "企业地址"),
    ("industry", "所属行业"),
    ("main_products", "主要产品"),
    ("legal_representative", "法定代表人"),
)


@dataclass(frozen=True)
class Change:
    kind: str  # "+" added, "-" removed, "~" changed
    round_title: str
    name: str
    uscc: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = "；".join(self.details)
        return f"  {self.kind} {self.name}（{self.uscc}）" + (f"：{detail}" if detail else "")


def _listings(base: Inputs, data_dir: Path, path: Path, on: date) -> dict[str, Listing]:
    checked, problems = check_register(load_yaml(path), base.site, base.calendar, holidays_source(data_dir))
    if checked is None:
        raise InputError(problems)
    inputs = replace(base, register=checked.register, schedules=checked.schedules)
    return {listing.uscc: listing for listing in public_listings(inputs, on)}


def _round_title(listing: Listing) -> str:
    return listing.period.schedule.round.title if listing.period else "（无批次）"


def _show(value: object) -> str:
    return "、".join(value) if isinstance(value, tuple) else str(value)


def _status(listing: Listing) -> str:
    period = listing.period
    if period is not None and period.ended_by and period.reason:
        return f"{listing.status.value}（{period.reason}）"
    return listing.status.value


def diff_registers(data_dir: Path, old: Path, new: Path, on: date) -> list[Change]:
    """Changes grouped by round (in order of the new register's rounds), then by name."""
    base, problems = read_inputs(data_dir)
    if base is None:
        raise InputError(problems)
    before = _listings(base, data_dir, old, on)
    after = _listings(base, data_dir, new, on)
    changes = []
    for code, listing in after.items():
        if code not in before:
            changes.append(Change("+", _round_title(listing), listing.name, code, (listing.status.value,)))
            continue
        previous = before[code]
        details = []
        if _status(previous) != _status(listing):
            details.append(f"{_status(previous)} → {_status(listing)}")
        for field, label in FIELDS:
            old_value, new_value = getattr(previous, field), getattr(listing, field)
            if old_value != new_value:
                details.append(f"{label} {_show(old_value)} → {_show(new_value)}")
        if details:
            changes.append(Change("~", _round_title(listing), listing.name, code, tuple(details)))
    for code, listing in before.items():
        if code not in after:
            changes.append(Change("-", _round_title(listing), listing.name, code, ("不再公开",)))
    return changes


def format_changes(changes: list[Change]) -> list[str]:
    """Printable lines: a heading per round, then a count."""
    if not changes:
        return ["网站内容没有变化。"]
    lines = []
    rounds: dict[str, list[Change]] = {}
    for change in changes:
        rounds.setdefault(change.round_title, []).append(change)
    for title, items in rounds.items():
        lines.append(f"{title}：")
        lines.extend(str(item) for item in sorted(items, key=lambda c: (c.kind, c.name)))
    counts = {kind: sum(1 for c in changes if c.kind == kind) for kind in "+-~"}
    lines.append(f"网站变化：新增 {counts['+']} 家，不再公开 {counts['-']} 家，变化 {counts['~']} 家。")
    return lines
