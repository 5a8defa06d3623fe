"""The unit every renderer returns: a path under the output root and its content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath


@dataclass(frozen=True)
class OutputFile:
    path: PurePosixPath  # relative to the root it is written under (docs/ or the site)
    content: str | bytes

    @property
    def data(self) -> bytes:
        return self.content.encode("utf-8") if isinstance(self.content, str) else self.content


def root_of(path: PurePosixPath) -> str:
    """The relative path from a page to the site root: `guide/index.md` → `../`."""
    return "../" * (len(path.parts) - 1)
