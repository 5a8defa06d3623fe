"""Problems found in the input, and the errors that carry them to the CLI.

Messages are for county staff: Chinese, with the file, line and field spelled as in the file,
so that an editor can jump to them.
"""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One located problem: `file:line: field: message`.

    `code` names the rule (`uscc.checksum`, `township.unknown`, …): stable for tools, `--json`
    readers and tests, while the Chinese message is for people and may be reworded.
    """

    file: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR
    place: str = ""  # instead of the line, for spreadsheets: `企业!G5（所属乡镇）`
    code: str = dataclasses.field(kw_only=True)

    def __str__(self) -> str:
        where = f"{self.file}:{self.place or self.line}" if self.place or self.line else self.file
        prefix = "警告：" if self.severity is Severity.WARNING else ""
        if self.field:
            return f"{where}: {self.field}: {prefix}{self.message}"
        return f"{where}: {prefix}{self.message}"

    @property
    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, self.field, self.message)

    def as_dict(self) -> dict[str, str | int]:
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "place": self.place,
            "field": self.field,
            "severity": self.severity.value,
            "message": self.message,
        }


def did_you_mean(value: str, candidates: Iterable[str], cutoff: float = 0.6) -> str:
    """`；是不是“x”？` for a near miss from a closed list (field names, townships, round ids):
    the list is the truth there. Never used for values a clerk must copy from a document."""
    close = difflib.get_close_matches(value, list(candidates), n=1, cutoff=cutoff)
    return f"；是不是“{close[0]}”？" if close else ""


def display_path(path: Path) -> str:
    """The path as staff typed it (relative stays relative), with forward slashes."""
    return path.as_posix()


class InputError(Exception):
    """The input cannot be published; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = sorted(problems, key=lambda p: p.sort_key)


class BuildError(Exception):
    """The build itself failed (a template, a renderer, the site engine), not the data."""


def summary(problems: list[Problem], *, written: bool) -> str:
    """The closing line of a problem report, e.g. `共 3 个错误、1 个警告；未生成任何文件。`."""
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    counts = f"共 {errors} 个错误、{warnings} 个警告"
    if written:
        return f"{counts}。"
    return f"{counts}；未生成任何文件。"
