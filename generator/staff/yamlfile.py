"""Writing the register back as staff keep it, in time that grows with what changed.

The register is edited by hand, so a tool that writes it keeps every comment, blank line, quote
and line ending, and the file itself (a symbolic link stays a link to the same file). A write is
a few splices into the original text:

- a record that changed is round-tripped on its own through ruamel.yaml, which keeps its
  comments and quotes, and put back where it was;
- a new record is written in the register's own style at the end of its list;
- nothing else is touched.

Round-tripping the whole file through ruamel.yaml would take minutes for a province-sized
register; a record takes milliseconds. The new text is read back with the fast loader and must
give exactly the intended data, or nothing is written. Every write first keeps the previous
file in `.history/` beside it (the last 20).
"""

from __future__ import annotations

import io
import itertools
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from generator.errors import InputError, Problem, display_path
from generator.files import read_limited
from generator.register.load import MAX_BYTES, NULLS, Loaded, parse_yaml

HISTORY_FOLDER = ".history"
KEEP_BACKUPS = 20
LISTS = ("rounds", "enterprises")
# Keys whose values the register writes in double quotes (codes that must stay text).
QUOTED = frozenset({"uscc", "id", "round", "phone", "postcode", "division_code"})
DATES = frozenset({"date", "notice_start"})
COUNTS = frozenset({"employees", "workdays"})
FLAGS = frozenset(
    {
        "registered_in_county",
        "operating_normally",
        "good_credit",
        "environment_compliant",
        "safety_compliant",
        "follows_guideline",
        "fraud",
        "major_accident",
        "serious_dishonesty",
    }
)
# Mappings and lists written on one line, as the register does: {date: …, event: …}, [a, b].
FLOW_KEYS = frozenset({"epidemic_lead", "contact", "qualifications"})
ENTERPRISE_ORDER = (
    "uscc", "name", "sector", "qualifications", "township", "address", "industry", "legal_representative",
    "employees", "main_products", "epidemic_lead", "contact", "liaison", "declarations", "exclusions", "history",
)  # fmt: skip
ROUND_ORDER = ("id", "title", "notice_start", "workdays")

_ITEM_RE = re.compile(r"^( *)- ")
_PLAIN_RE = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#\n\r]*$")


def _yaml_for(text: str) -> YAML:
    """A round-trip YAML that indents sequences as this file does (`  - x` or `- x`)."""
    offset = next((len(match.group(1)) for line in text.splitlines() if (match := _ITEM_RE.match(line))), 2)
    handler = YAML()
    handler.preserve_quotes = True
    handler.width = 4096  # never fold a long line staff wrote on one
    handler.indent(mapping=2, sequence=offset + 2, offset=offset)
    return handler


def typed(key: str, value: Any) -> Any:
    """Register text as the YAML scalar staff write: quoted codes, plain dates, numbers and flags."""
    if value is None:
        return None
    if key in QUOTED:
        return DoubleQuotedScalarString(value)
    if key in DATES:
        return date.fromisoformat(value)
    if key in COUNTS:
        return int(value)
    if key in FLAGS:
        return value == "true"
    return value


def scalar(key: str, value: str) -> str:
    """One value as YAML text that the loader reads back as exactly `value`."""
    if key in (DATES | COUNTS | FLAGS):
        return value
    plain = (
        key not in QUOTED
        and value not in NULLS
        and value == value.strip()
        and _PLAIN_RE.match(value) is not None
        and not any(ch in value for ch in ",[]{}")
    )
    return value if plain else json.dumps(value, ensure_ascii=False)


def emit(value: Any, key: str, indent: int, offset: int) -> list[str]:
    """Lines of a new record in the register's style (flow mappings for events and people)."""
    if isinstance(value, dict):
        lines = []
        for child, item in value.items():
            if item is None:
                continue
            if isinstance(item, dict) and (child in FLOW_KEYS or key == "history"):
                lines.append(" " * indent + f"{child}: {_flow(child, item)}")
            elif isinstance(item, dict):
                lines.append(" " * indent + f"{child}:")
                lines += emit(item, child, indent + 2, offset)
            elif isinstance(item, list) and child in FLOW_KEYS:
                lines.append(" " * indent + f"{child}: [{', '.join(scalar(child, v) for v in item)}]")
            elif isinstance(item, list):
                lines.append(" " * indent + f"{child}:")
                lines += [" " * (indent + offset) + "- " + _flow(child, entry) for entry in item]
            else:
                lines.append(" " * indent + f"{child}: {scalar(child, item)}")
        return lines
    raise TypeError(f"cannot write {type(value).__name__} as a record")


def _flow(key: str, value: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{k}: {scalar(k, v)}" for k, v in value.items() if v is not None) + "}"


def _ordered(record: Mapping[str, Any], order: Iterable[str]) -> dict[str, Any]:
    keys = [*[k for k in order if k in record], *[k for k in record if k not in order]]
    return {k: record[k] for k in keys}


@dataclass
class _List:
    """Where a top-level list is in the text: its items' spans and where a new item goes."""

    items: list[tuple[int, int]]  # [start, end) of each item's lines
    column: int  # of the items' dashes
    insert: int  # index where a new item's lines go
    replace: tuple[int, int] | None = None  # an empty or flow value to replace (`rounds: []`)


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _layout(text: str) -> dict[str, _List]:
    """The spans of the register's lists and their items, from libyaml's marks.

    Only scalars and flow collections have exact end marks (a block collection ends where the
    next token starts, after any comments), so an item ends with the last of those in it.
    """
    found: dict[str, _List] = {}
    depth = 0
    flows: list[bool] = []
    key: str | None = None
    current: str | None = None  # the block list being read
    item: list[int] | None = None  # [start, end] of the item being read
    pending_key = True
    events: Iterable[Any] = yaml.parse(text, Loader=yaml.CSafeLoader)
    for event in events:
        kind = type(event)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            flow = bool(event.flow_style)
            if depth == 1 and key in LISTS and kind is yaml.SequenceStartEvent:
                found[key] = _List([], 2, 0, (event.start_mark.index, -1) if flow else None)
                current = None if flow else key
            elif depth == 2 and current is not None:
                dash = text.rfind("-", 0, event.start_mark.index)
                item = [_line_start(text, dash), event.end_mark.index]
                found[current].column = dash - _line_start(text, dash)
            flows.append(flow)
            depth += 1
            pending_key = True
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            flow = flows.pop()
            depth -= 1
            if item is not None and flow:
                item[1] = max(item[1], event.end_mark.index)
            if depth == 2 and item is not None and current is not None:
                found[current].items.append((item[0], _line_end(text, item[1] - 1)))
                item = None
            elif depth == 1 and key in found:
                listing = found[key]
                if listing.replace is not None and listing.replace[1] < 0:
                    listing.replace = (listing.replace[0], event.end_mark.index)
                elif listing.items:
                    listing.insert = listing.items[-1][1]
                current = None
            pending_key = True
        elif kind is yaml.ScalarEvent:
            if item is not None:
                item[1] = max(item[1], event.end_mark.index)
            if depth == 1:
                if pending_key:
                    key = event.value
                elif key in LISTS:  # `rounds:` with nothing after it
                    found[key] = _List([], 2, 0, (event.start_mark.index, event.end_mark.index))
                pending_key = not pending_key
    return found


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _is_content(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _block_layout(text: str, lines: list[str], offsets: list[int], loaded: Loaded, name: str) -> _List | None:
    """The spans of a block list's items from the lines the loader already recorded, without
    reading the file's events again: from each item's dash to the next one's, less the comments
    and blank lines between them. None when the list is not laid out that way (`_layout` then
    reads the events); what a span holds is checked by `_holds` before it is used. `lines` is the
    text split at line ends, `offsets` where each line starts.
    """
    items = loaded.data.get(name) if isinstance(loaded.data, dict) else None
    if not isinstance(items, list) or not items or (name,) not in loaded.lines:
        return None
    starts: list[int] = []
    column = -1
    for index in range(len(items)):
        number = loaded.lines.get((name, index), 0) - 1
        match = _ITEM_RE.match(lines[number]) if 0 <= number < len(lines) else None
        if match is None or column not in (-1, len(match.group(1))):
            return None  # a dash on a line of its own, or items at different columns
        column = len(match.group(1))
        starts.append(number)
    ends = []
    for here, following in zip(starts, [*starts[1:], None], strict=True):
        end = here + 1
        while end < len(lines) and end != following and (not _is_content(lines[end]) or _indent(lines[end]) > column):
            end += 1
        while end > here + 1 and not _is_content(lines[end - 1]):
            end -= 1
        ends.append(end)
    spans = [(offsets[start], min(offsets[end], len(text))) for start, end in zip(starts, ends, strict=True)]
    return _List(spans, column, spans[-1][1])


def _wrapped(chunk: str) -> str:
    """List items cut from the register, as a document of their own (the items keep their column)."""
    return "x:\n" + chunk


def _holds(chunk: str, records: list[Any], column: int) -> bool:
    """Whether `chunk` is exactly list items at `column` that read as `records`."""
    lines = [line for line in chunk.split("\n") if _is_content(line)]
    if not lines or _ITEM_RE.match(lines[0]) is None or _indent(lines[0]) != column:
        return False
    if any(_indent(line) < column or (_indent(line) == column and not line[column:].startswith("-")) for line in lines):
        return False
    try:
        return bool(parse_yaml(_wrapped(chunk), "").data == {"x": records})
    except InputError:
        return False


class RegisterFile:
    """A register as staff keep it: its real path (through a link), text and line endings."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.real = path.resolve()
        raw = read_limited(path, MAX_BYTES)
        try:
            decoded = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            problem = Problem(display_path(path), 0, "", "文件不是 UTF-8 编码：请用 UTF-8 保存。", code="file.encoding")
            raise InputError([problem]) from None
        self.bom = raw.startswith(b"\xef\xbb\xbf")
        self.newline = "\r\n" if "\r\n" in decoded else "\n"
        self.text = decoded.replace("\r\n", "\n")
        self.loaded = parse_yaml(self.text, display_path(path))
        self.data = self.loaded.data or {}

    def render(self, merged: dict[str, Any]) -> tuple[str, bool]:
        """The file's text with `merged` in it: changed records re-written, new ones appended; and
        whether every piece written was read back as intended (else the caller reads the whole text)."""
        lines = self.text.split("\n")
        offsets = [0, *itertools.accumulate(len(line) + 1 for line in lines)]
        quick = {name: _block_layout(self.text, lines, offsets, self.loaded, name) for name in LISTS}
        changed = [name for name in LISTS if (merged.get(name) or []) != (self.data.get(name) or [])]
        if all(quick[name] is not None for name in changed):
            text, verified = self._spliced(merged, {name: listing for name, listing in quick.items() if listing})
            if verified:
                return text, True
        return self._spliced(merged, _layout(self.text))[0], False

    def _spliced(self, merged: dict[str, Any], layout: dict[str, _List]) -> tuple[str, bool]:
        handler = _yaml_for(self.text)
        edits: list[tuple[int, int, str]] = []
        appended_keys: list[str] = []
        verified = True
        for name, order in (("rounds", ROUND_ORDER), ("enterprises", ENTERPRISE_ORDER)):
            old = self.data.get(name) or []
            new = merged.get(name) or []
            listing = layout.get(name)
            for index, record in enumerate(new[: len(old)]):
                if record != old[index]:
                    assert listing is not None and listing.items, "a changed record has a place in the file"
                    start, end = listing.items[index]
                    written = _round_trip(handler, self.text[start:end], record, order)
                    edits.append((start, end, written))
                    verified = (
                        verified
                        and _holds(self.text[start:end], [old[index]], listing.column)
                        and _holds(written, [record], listing.column)
                    )
            added = new[len(old) :]
            if not added:
                continue
            column = listing.column if listing else 2
            if listing is not None and listing.replace is not None:
                added = new  # an empty or one-line list becomes a block list of every record
            lines: list[str] = []
            for record in added:
                body = emit(_ordered(record, order), "", column + 2, 2 if column else 0)
                lines += [" " * column + "- " + body[0].lstrip(), *body[1:]]
            block = "\n".join(lines) + "\n"
            if listing is None:
                appended_keys.append(f"{name}:\n{block}")
                verified = False
            elif listing.replace is not None:
                start, end = listing.replace
                edits.append((start, end, "\n" + block.rstrip("\n")))
                verified = False
            else:
                edits.append((listing.insert, listing.insert, block))
                start, end = listing.items[-1]
                verified = verified and _holds(self.text[start:end], [old[-1]], column) and _holds(block, added, column)
        pieces, cursor = [], 0
        for start, end, replacement in sorted(edits):
            pieces += [self.text[cursor:start], replacement]
            cursor = end
        text = "".join([*pieces, self.text[cursor:]])
        if appended_keys:
            text = text + ("" if text.endswith("\n") or not text else "\n") + "".join(appended_keys)
        return text, verified

    def write(self, merged: dict[str, Any], now: datetime) -> Path:
        """Write `merged` (after keeping a backup); refuses if the text would not read back as it.

        Each spliced piece was read back on its own when the lists' layout came from the loader's
        lines; otherwise the whole new text is read, which takes seconds for a province register.
        """
        text, verified = self.render(merged)
        source = display_path(self.path)
        if not verified and parse_yaml(text, source).data != merged:
            problem = Problem(
                source,
                0,
                "",
                "自动写入无法保证与原文件格式一致，未写入；请把导入的内容手工加入登记册，或联系技术人员。",
                code="yaml.write_changes",
            )
            raise InputError([problem])
        backup = self.keep_backup(now)
        data = ("\ufeff" if self.bom else "") + text.replace("\n", self.newline)
        mode = self.real.stat().st_mode & 0o777
        handle, temporary = tempfile.mkstemp(prefix=f".{self.real.name}.", dir=self.real.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(data)
            os.chmod(temporary, mode)
            os.replace(temporary, self.real)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.text = text
        return backup

    def keep_backup(self, now: datetime) -> Path:
        """Copy the file as it is now to `.history/` beside it; keep the newest 20."""
        folder = self.path.parent / HISTORY_FOLDER
        folder.mkdir(exist_ok=True)
        stem = f"{self.path.stem}-{now:%Y%m%d-%H%M%S}"
        target = folder / f"{stem}{self.path.suffix}"
        number = 2
        while target.exists():
            target = folder / f"{stem}-{number}{self.path.suffix}"
            number += 1
        target.write_bytes(self.real.read_bytes())
        backups = sorted(folder.glob(f"{self.path.stem}-*{self.path.suffix}"), key=lambda p: p.stat().st_mtime_ns)
        for old in backups[:-KEEP_BACKUPS]:
            old.unlink(missing_ok=True)
        return target


def _round_trip(handler: YAML, chunk: str, record: dict[str, Any], order: tuple[str, ...]) -> str:
    """One list item's lines, re-written by ruamel.yaml with `record`'s values."""
    document = handler.load(_wrapped(chunk))
    item = document["x"][0]
    _update_map(item, record, order)
    buffer = io.StringIO()
    handler.dump(document, buffer)
    dumped = buffer.getvalue()
    return dumped.removeprefix("x:\n")


def _flow_map(mapping: dict[str, Any]) -> CommentedMap:
    result = CommentedMap((k, typed(k, v)) for k, v in mapping.items() if v is not None)
    result.fa.set_flow_style()
    return result


def _update_map(target: CommentedMap, source: dict[str, Any], order: Iterable[str] = ()) -> None:
    """Set what changed in place (comments and order stay); new keys follow `order`."""
    for key in [k for k in list(target) if k not in source]:
        del target[key]
    for key in [*[k for k in order if k in source], *[k for k in source if k not in order]]:
        value = source[key]
        if isinstance(value, dict):
            if isinstance(target.get(key), CommentedMap):
                _update_map(target[key], value)
            elif key in FLOW_KEYS:
                target[key] = _flow_map(value)
            else:
                target[key] = CommentedMap((k, typed(k, v)) for k, v in value.items() if v is not None)
        elif isinstance(value, list) and key == "history":
            history = target.get(key)
            if not isinstance(history, CommentedSeq):
                history = CommentedSeq()
                target[key] = history
            for index, event in enumerate(value):
                if index < len(history) and isinstance(history[index], CommentedMap):
                    _update_map(history[index], event)
                elif index >= len(history):
                    history.append(_flow_map(event))
        elif isinstance(value, list):
            items = CommentedSeq(typed(key, v) for v in value)
            items.fa.set_flow_style()
            if list(target.get(key) or []) != list(items):
                target[key] = items
        else:
            new = typed(key, value)
            if key not in target:
                target.insert(len(target), key, new)
            elif target[key] != new or str(target[key]) != str(new):
                target[key] = new
