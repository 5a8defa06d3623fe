"""What a change to the register does: records added or changed, and the published site on a date.

`compare` is the one summary that `wlsite diff` and every import print, so the two always agree:
first the register (enterprises added or changed, events and rounds added), then the site as the
public sees it on the date (enterprises added, no longer public, changed), grouped by round.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from generator.inputs import Inputs, load_inputs
from generator.model.public import PublicEnterprise, public_enterprises
from generator.register.load import load_yaml
from generator.register.models import Enterprise, HistoryEvent, is_private

FIELDS = (
    ("name", "企业名称"),
    ("sector", "行业类别"),
    ("qualifications", "入库条件"),
    ("township", "所属乡镇"),
    ("address", "企业地址"),
    ("industry", "所属行业"),
    ("main_products", "主要产品"),
    ("legal_representative", "法定代表人"),
    ("employees", "从业人数"),
    ("epidemic_lead", "疫情防控负责人"),
    ("contact", "联系人"),
    ("liaison", "包联县领导"),
    ("declarations", "申报条件"),
    ("exclusions", "不得纳入的情形"),
)


# The fields the public sees, of those above: the site's changes are about these.
SITE_FIELDS = tuple(
    (name, label) for name, label in FIELDS if name in {f.name for f in dataclasses.fields(PublicEnterprise)}
)


@dataclass(frozen=True)
class Change:
    kind: str  # "+" added, "-" removed, "~" changed
    group: str  # the round (site) or "" (register)
    name: str
    uscc: str
    details: tuple[str, ...] = ()

    def __str__(self) -> str:
        detail = "；".join(self.details)
        return f"  {self.kind} {self.name}（{self.uscc}）" + (f"：{detail}" if detail else "")


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "、".join(map(str, value))
    if value is None:
        return "（空）"
    return str(value)


def _event(event: HistoryEvent) -> str:
    round_ = f"（批次 {event.round}）" if event.round else ""
    return f"{event.date} {event.event.label}{round_}"


def _record_changes(before: Enterprise, after: Enterprise, on: date, status: Callable[[], str]) -> list[str]:
    if before is after:  # a record the import left as it was keeps its parsed form
        return []
    details = []
    for name, label in FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if is_private(Enterprise, name):
            details.append(f"{label}（内部）已修改")
        else:
            details.append(f"{label} {_show(old)} → {_show(new)}")
    added = after.history[len(before.history) :] if after.history[: len(before.history)] == before.history else ()
    if added:
        details.append("新增事件 " + "、".join(_event(e) for e in added))
    elif after.history != before.history:
        details.append("事件记录已修改")
    if details:
        details.append(f"{on} 的状态：{status()}")
    return details


def _status(inputs: Inputs, uscc: str, on: date) -> str:
    standing = inputs.timelines[uscc].standing(on)
    return standing.status.value if standing else "尚未申报"


def _public_status(item: PublicEnterprise) -> str:
    period = item.period
    if period is not None and period.ended_by and period.reason:
        return f"{item.status.value}（{period.reason}）"
    return item.status.value


@dataclass(frozen=True)
class Comparison:
    on: date
    register: tuple[Change, ...]
    events_added: int
    rounds_added: tuple[str, ...]
    site: tuple[Change, ...]

    def count(self, changes: tuple[Change, ...], kind: str) -> int:
        return sum(1 for change in changes if change.kind == kind)

    def lines(self) -> list[str]:
        """Printable lines: the register, then the site on the date, each with its counts."""
        lines = []
        if self.register or self.rounds_added:
            lines.append(
                f"登记册：新增企业 {self.count(self.register, '+')} 家，修改 {self.count(self.register, '~')} 家，"
                f"删除 {self.count(self.register, '-')} 家；新增事件 {self.events_added} 条；"
                f"新增批次 {len(self.rounds_added)} 个。"
            )
            lines += [f"  + 批次 {title}" for title in self.rounds_added]
            lines += [str(change) for change in self.register]
        else:
            lines.append("登记册没有变化。")
        if not self.site:
            lines.append(f"按 {self.on} 生成的网站：公开内容没有变化。")
            return lines
        lines.append(
            f"按 {self.on} 生成的网站：新增 {self.count(self.site, '+')} 家，"
            f"不再公开 {self.count(self.site, '-')} 家，变化 {self.count(self.site, '~')} 家。"
        )
        groups: dict[str, list[Change]] = {}
        for change in self.site:
            groups.setdefault(change.group, []).append(change)
        for title, items in groups.items():
            lines.append(f"{title}：")
            lines.extend(str(item) for item in sorted(items, key=lambda c: (c.kind, c.name)))
        return lines


def compare(before: Inputs, after: Inputs, on: date) -> Comparison:
    """What changed from `before` to `after`, and what the site built on `on` shows differently."""
    old = {e.uscc: e for e in before.register.enterprises}
    register: list[Change] = []
    events = 0
    for enterprise in after.register.enterprises:
        previous = old.get(enterprise.uscc)
        if previous is None:
            status = _status(after, enterprise.uscc, on)
            register.append(Change("+", "", enterprise.name, enterprise.uscc, (f"{on} 的状态：{status}",)))
            events += len(enterprise.history)
            continue
        details = _record_changes(previous, enterprise, on, partial(_status, after, enterprise.uscc, on))
        if details:
            register.append(Change("~", "", enterprise.name, enterprise.uscc, tuple(details)))
            events += max(0, len(enterprise.history) - len(previous.history))
    new_codes = {e.uscc for e in after.register.enterprises}
    register += [Change("-", "", e.name, e.uscc) for e in before.register.enterprises if e.uscc not in new_codes]
    old_rounds = {r.id for r in before.register.rounds}
    rounds = tuple(
        f"{r.id}（{r.title}，{r.notice_start} 起公示）" for r in after.register.rounds if r.id not in old_rounds
    )
    return Comparison(on, tuple(register), events, rounds, tuple(_site_changes(before, after, on)))


def _site_changes(before: Inputs, after: Inputs, on: date) -> list[Change]:
    """Changes grouped by round, as the public sees the site built on `on`."""
    shown = {item.uscc: item for item in public_enterprises(before.register.enterprises, before.timelines, on)}
    now = {item.uscc: item for item in public_enterprises(after.register.enterprises, after.timelines, on)}
    changes = []
    for code, item in now.items():
        group = item.period.schedule.round.title if item.period else "（无批次）"
        if code not in shown:
            changes.append(Change("+", group, item.name, code, (item.status.value,)))
            continue
        previous = shown[code]
        details = []
        if _public_status(previous) != _public_status(item):
            details.append(f"{_public_status(previous)} → {_public_status(item)}")
        for name, label in SITE_FIELDS:
            if getattr(previous, name) != getattr(item, name):
                details.append(f"{label} {_show(getattr(previous, name))} → {_show(getattr(item, name))}")
        if details:
            changes.append(Change("~", group, item.name, code, tuple(details)))
    for code, item in shown.items():
        if code not in now:
            group = item.period.schedule.round.title if item.period else "（无批次）"
            changes.append(Change("-", group, item.name, code, ("不再公开",)))
    return changes


def compare_files(data_dir: Path, old: Path, new: Path, on: date) -> Comparison:
    """`wlsite diff`: two register files, with the site settings and calendar of `data_dir`."""
    return compare(load_inputs(data_dir, load_yaml(old)), load_inputs(data_dir, load_yaml(new)), on)
