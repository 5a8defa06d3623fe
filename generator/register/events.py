"""The event vocabulary of a history: what can happen to an application, and in which order.

The one place that knows event names; everything else compares `EventKind` members.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    APPLIED = "applied"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REJECTED = "rejected"
    OBJECTION_UPHELD = "objection_upheld"
    REMOVED = "removed"

    @property
    def label(self) -> str:
        """The Chinese name staff use: 申报, 审核, …"""
        return _LABELS[self]

    def shown(self) -> str:
        """`approved（批准）`: the YAML word with its meaning, for messages."""
        return f"{self.value}（{self.label}）"


_LABELS = {
    EventKind.APPLIED: "申报",
    EventKind.REVIEWED: "审核",
    EventKind.APPROVED: "批准",
    EventKind.REJECTED: "不予批准",
    EventKind.OBJECTION_UPHELD: "异议成立",
    EventKind.REMOVED: "移出",
}

# The events that may follow each event (None: the start of a history).
ALLOWED_AFTER: dict[EventKind | None, frozenset[EventKind]] = {
    None: frozenset({EventKind.APPLIED}),
    EventKind.APPLIED: frozenset({EventKind.REVIEWED, EventKind.APPROVED, EventKind.REJECTED}),
    EventKind.REVIEWED: frozenset({EventKind.REVIEWED, EventKind.APPROVED, EventKind.REJECTED}),
    EventKind.APPROVED: frozenset({EventKind.OBJECTION_UPHELD, EventKind.REMOVED}),
    EventKind.REJECTED: frozenset({EventKind.APPLIED}),
    EventKind.OBJECTION_UPHELD: frozenset({EventKind.APPLIED}),
    EventKind.REMOVED: frozenset({EventKind.APPLIED}),
}

# Events that end an approval once its notice has been published.
ENDINGS = frozenset({EventKind.REMOVED, EventKind.OBJECTION_UPHELD})
