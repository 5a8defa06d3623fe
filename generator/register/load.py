"""Load stage: a YAML file → plain data (every scalar as text) plus a line for every path.

Reads with libyaml's event parser (fast, and its marks carry line numbers); ruamel.yaml is kept
for the staff tools that write files back. No typing happens here: `0123`, `no` and `on` stay
the text staff wrote, so the model decides what they mean. Anchors, aliases, tags, duplicate
keys and absurd sizes or depths are refused with their line, so a hostile file cannot expand,
execute or exhaust memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import InputError, Problem, Severity, display_path
from generator.files import read_limited

MAX_BYTES = 32 * 1024 * 1024  # ~40,000 enterprises; a province-wide register fits
MAX_DEPTH = 24
NULLS = frozenset({"", "~", "null", "Null", "NULL"})

PathKey = tuple[str | int, ...]

_SYNTAX_HINTS = {
    "mapping values are not allowed": "此处不能出现“键: 值”（常见原因：值里有冒号却没加引号，或缩进不对）",
    "could not find expected ':'": "缺少冒号“:”",
    "found character that cannot start any token": "出现了不能作为开头的字符（常见原因：用了 Tab 缩进，请改用空格）",
    "did not find expected key": "缩进不一致，或列表项缺少“- ”",
    "did not find expected '-' indicator": "列表项缩进不一致，或缺少“- ”",
    "found unexpected end of stream": "文件意外结束（常见原因：引号或括号没有闭合）",
    "did not find expected ',' or ']'": "方括号列表没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号映射没有闭合，或缺少逗号",
    "found unknown escape character": "双引号里有无法识别的转义字符（如 \\x）",
    "expected <block end>, but found '<block mapping start>'": "缩进不一致",
    "expected <block end>, but found '-'": "列表项缩进不一致",
    "expected <block end>, but found '<scalar>'": "缩进不一致，或多了一行内容",
    "found unexpected ':'": "多余的冒号“:”（值里有冒号时请加引号）",
}


# libyaml's "while parsing …": the construct that was open when the parser gave up.
_CONTEXTS = {
    "while parsing a flow sequence": "方括号列表“[”",
    "while parsing a flow mapping": "花括号映射“{”",
    "while scanning a quoted scalar": "引号",
    "while parsing a block mapping": "映射",
    "while parsing a block collection": "列表",
    "while scanning a simple key": "键",
    "while parsing a flow node": "方括号或花括号",
    "while scanning a block scalar": "多行文字",
}


def _syntax_problem(error: yaml.MarkedYAMLError, source: str) -> Problem:
    """Located where the open construct began (where the mistake usually is) when the parser
    noticed it later, with the place it noticed it: an unclosed `[` on line 7 found on line 8."""
    problem = error.problem or "语法错误"
    for english, chinese in _SYNTAX_HINTS.items():
        if problem.startswith(english):
            problem = chinese
            break
    mark, context = error.problem_mark, error.context_mark
    line = mark.line + 1 if mark else 0
    column = mark.column + 1 if mark else 0
    opened = _CONTEXTS.get(error.context or "")
    if context is not None and opened and context.line + 1 < line:
        return Problem(
            source,
            context.line + 1,
            "",
            f"YAML 语法错误：第 {context.line + 1} 行第 {context.column + 1} 列开始的{opened}没有正确结束，"
            f"到第 {line} 行第 {column} 列时出错：{problem}。",
            code="yaml.syntax",
        )
    return Problem(source, line, "", f"YAML 语法错误（第 {column} 列）：{problem}。", code="yaml.syntax")


def field_path(loc: Iterable[str | int]) -> str:
    """('enterprises', 3, 'uscc') → `enterprises[3].uscc`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class Place:
    """Where a value came from when it was not this YAML file: a spreadsheet cell or row, a file."""

    source: str  # the workbook or application file, as staff know it
    row: int  # 0 when the source has no rows
    cell: str  # 企业!G5（所属乡镇）, or "" for a whole file
    # What a message calls the field: "" when `cell` already names it (a column header), None to
    # ask `Loaded.labels` (a field missing from a row), or the words to show.
    label: str | None = None


@dataclass
class Loaded:
    """Plain data from one YAML file, with the line of every path in it.

    Data merged in from elsewhere (an imported workbook) carries `places`, so its problems point
    at the cell staff typed them in, not at the YAML file that does not contain them yet.
    """

    data: Any
    source: str
    lines: dict[PathKey, int] = field(default_factory=dict)
    places: Mapping[PathKey, Place] = field(default_factory=dict)
    # The clerk's name for a field of imported data with no cell of its own (a missing column).
    labels: Callable[[PathKey], str] | None = None

    def line(self, path: PathKey) -> int:
        """The line of `path`, or of its nearest ancestor that has one (a missing field → its parent)."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def place(self, path: PathKey) -> Place | None:
        if not self.places:
            return None
        while path:
            if path in self.places:
                return self.places[path]
            path = path[:-1]
        return None

    def problem(
        self,
        path: PathKey,
        code: str,
        message: str,
        severity: Severity = Severity.ERROR,
        field: PathKey | None = None,
    ) -> Problem:
        """A problem about `field` (default: `path`), located at `path`: its YAML line, or the
        cell it was imported from (a missing field is located at its record)."""
        field = path if field is None else field
        place = self.place(path)
        if place is not None:
            label = place.label
            if label is None:
                label = self.labels(field) if self.labels is not None else ""
            return Problem(place.source, place.row, label, message, severity, place.cell, code=code)
        return Problem(self.source, self.line(path), field_path(field), message, severity, code=code)


class _Refused(Exception):
    def __init__(self, line: int, code: str, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.code = code
        self.message = message


def _line(event: yaml.Event) -> int:
    return int(event.start_mark.line) + 1 if event.start_mark else 0


def _refuse_decorations(event: yaml.ScalarEvent | yaml.CollectionStartEvent) -> None:
    if event.anchor is not None:
        raise _Refused(_line(event), "yaml.anchor", f"不允许使用锚点（&{event.anchor}）：请把内容直接写出来。")
    if event.tag is not None:
        shown = event.tag.replace("tag:yaml.org,2002:", "!!")
        raise _Refused(_line(event), "yaml.tag", f"不允许使用 YAML 标签（{shown}）：只写普通的文字、列表和映射。")


_NO_KEY = object()


def _build(events: Iterator[Any], lines: dict[PathKey, int]) -> Any:
    """Turn the event stream of one document into dicts, lists and strings.

    This loop sees every event of an 8 MB register (~900,000), so it dispatches on exact types
    (events are `Any`: `type(x) is` does not narrow for the type checker, and isinstance is
    slower) and keeps each open container in a small frame: [container, path, pending key, key line].
    """
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    stack: list[list[Any]] = []
    root: Any = None

    def place(value: Any, line: int) -> PathKey | None:
        """Put a value into the open container; None when it was a mapping key."""
        nonlocal root
        if not stack:
            root = value
            lines[()] = line
            return ()
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if type(container) is list:
            child: PathKey = (*path, len(container))
            container.append(value)
            lines[child] = line
            return child
        key = frame[2]
        if key is _NO_KEY:
            if type(value) is not str:
                raise _Refused(line, "yaml.key_type", "映射的键必须是简单文字。")
            if value in container:
                raise _Refused(
                    line, "yaml.duplicate_key", f"重复的键“{value}”（第 {lines.get((*path, value), 0)} 行已经出现过）。"
                )
            frame[2], frame[3] = value, line
            return None
        child = (*path, key)
        container[key] = value
        lines[child] = frame[3]
        frame[2] = _NO_KEY
        return child

    for event in events:
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or event.tag is not None:
                _refuse_decorations(event)
            value = event.value
            if not event.style and value in NULLS:
                value = None
            frame = stack[-1] if stack else None
            # Fast path for the commonest event, a value under a pending key (inlines `place`).
            if frame is not None and frame[2] is not _NO_KEY and type(frame[0]) is dict:
                key = frame[2]
                frame[0][key] = value
                lines[(*frame[1], key)] = frame[3]
                frame[2] = _NO_KEY
            else:
                place(value, event.start_mark.line + 1)
        elif kind is mapping_start or kind is sequence_start:
            if event.anchor is not None or event.tag is not None:
                _refuse_decorations(event)
            if len(stack) >= MAX_DEPTH:
                raise _Refused(_line(event), "yaml.depth", f"嵌套层次超过 {MAX_DEPTH} 层。")
            container: dict[str, Any] | list[Any] = {} if kind is mapping_start else []
            if stack and type(stack[-1][0]) is dict and stack[-1][2] is _NO_KEY:
                raise _Refused(_line(event), "yaml.key_type", "映射的键必须是简单文字。")
            path = place(container, event.start_mark.line + 1)
            stack.append([container, path, _NO_KEY, 0])
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
        elif kind is yaml.AliasEvent:
            raise _Refused(_line(event), "yaml.alias", f"不允许使用别名（*{event.anchor}）：请把内容直接写出来。")
        elif kind is yaml.DocumentEndEvent:
            return root
    return root


def parse_yaml(text: str | bytes, source: str) -> Loaded:
    """Parse YAML text into a `Loaded`; every refusal is an `InputError` with the line."""
    lines: dict[PathKey, int] = {}
    try:
        events = yaml.parse(text, Loader=yaml.CSafeLoader)
        data: Any = None
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused(_line(event), "yaml.documents", "一个文件只能有一个 YAML 文档（去掉多余的“---”）。")
                data = _build(events, lines)
    except _Refused as refused:
        raise InputError([Problem(source, refused.line, "", refused.message, code=refused.code)]) from None
    except yaml.MarkedYAMLError as error:
        raise InputError([_syntax_problem(error, source)]) from None
    except yaml.YAMLError as error:
        raise InputError([Problem(source, 0, "", f"YAML 无法读取：{error}", code="yaml.syntax")]) from None
    return Loaded(data, source, lines)


def load_yaml(path: Path, *, max_bytes: int = MAX_BYTES) -> Loaded:
    """Read one YAML file; size, encoding and syntax problems are located `InputError`s."""
    source = display_path(path)
    data = read_limited(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(
            [Problem(source, line, "", "文件不是 UTF-8 编码：请用 UTF-8 保存。", code="file.encoding")]
        ) from None
    return parse_yaml(text, source)
