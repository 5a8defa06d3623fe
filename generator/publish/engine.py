"""The site engine behind one small interface: Markdown pages and docs/ in, a static site out.

MkDocs builds the site today; its successor (or any engine that reads the same docs/) plugs in
as one new module that provides `ENGINE`, and one line in `ENGINES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from generator.publish.write import Staging

ENGINES = {
    "mkdocs": "generator.publish.mkdocs_engine",
}


@dataclass(frozen=True)
class SiteFacts:
    """What the data decides in an engine's configuration."""

    title: str
    base_url: str
    description: str
    footer: str  # plain text; never the build date, so that unchanged pages stay the same bytes
    sample: bool
    search_words: tuple[str, ...]  # words the search must keep whole (names, townships, terms)
    today: date
    contact: tuple[tuple[str, str], ...] = ()  # whom readers contact: name, address, postcode, phone, email


@dataclass(frozen=True)
class Earlier:
    """The site published by the previous build, untouched since, and what the engine kept of it."""

    site: Path
    state: bytes


class Running(Protocol):
    """An engine building in the background (PDFs render meanwhile)."""

    seconds: float  # its own run time, known once it has finished
    reused: int  # pages taken from the earlier site instead of rendered
    state: bytes  # what the engine keeps of this build for the next one, known once it has finished

    def wait(self) -> None:
        """Block until the site is built; raise `BuildError` if it failed."""

    def stop(self) -> None:
        """Stop it if the build failed elsewhere."""


class SiteEngine(Protocol):
    def source(self, route: str) -> str:
        """Where the Markdown of the page at `route` goes under docs/."""

    def fingerprint(self, project: Path, facts: SiteFacts) -> object:
        """Everything besides the docs that shapes the engine's output: versions and configuration."""

    def start(self, project: Path, stage: Staging, facts: SiteFacts, earlier: Earlier | None) -> Running:
        """Build `stage.docs` into `stage.site`, taking what it can from `earlier`; the output is
        the same bytes as a build without it."""


def site_engine(name: str) -> SiteEngine:
    engine: SiteEngine = importlib.import_module(ENGINES[name]).ENGINE
    return engine
