"""Render stage: outputs described as jobs, made by the renderer registered for their format.

A `Job` says what one output is (its path, its format, its template and data); it is planned from
the model before anything is rendered. `FORMATS` maps each format to the module that renders it,
imported only when a build needs it: commands that build nothing never load WeasyPrint.

Adding a format is one new module with a `Format` subclass and one line in `FORMATS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

if TYPE_CHECKING:
    from generator.model.site import SiteModel

# format → the module whose `FORMAT` renders it
FORMATS = {
    "md": "generator.render.markdown",
    "pdf": "generator.render.pdf",
    "png": "generator.render.thumbnail",
    "zip": "generator.render.archive",
    "csv": "generator.render.tables",
    "xlsx": "generator.render.tables",
    "json": "generator.render.tables",
    "atom": "generator.render.atom",
    "docx": "generator.render.docx",
    "js": "generator.render.script",
}


@dataclass(frozen=True)
class Job:
    """One output to make. `path` is its route under the root it is published in (site or staff)."""

    path: str
    format: str
    template: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
    style: str = ""  # PDF: which stylesheet set
    sources: tuple[str, ...] = ()  # paths of other jobs whose bytes this one reads (a zip, a thumbnail)


@dataclass
class Run:
    """What renderers may use besides their jobs: all inputs, no clock."""

    forms_dir: Path
    sample: bool
    model: SiteModel | None = None  # the public model, for pages
    workers: int | None = None
    sources: dict[str, bytes] = field(default_factory=dict)  # rendered bytes of jobs others read
    progress: Callable[[int], object] | None = None
    memo: dict[str, Any] = field(default_factory=dict)  # renderers' state for this run (parsed templates)


class Format:
    """A renderer for one or more output formats."""

    # Pooled formats are expensive: rendered over processes, cached by `key`, written away as done.
    pooled: ClassVar[bool] = False

    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        """Each job's bytes, in job order."""
        raise NotImplementedError

    def key(self, job: Job, run: Run) -> object:
        """Everything the job's bytes depend on besides the renderer's own code (pooled formats)."""
        raise NotImplementedError


def renderer(kind: str) -> Format:
    """The renderer of a format, importing its module on first use."""
    try:
        module = importlib.import_module(FORMATS[kind])
    except KeyError:
        raise ValueError(f"no renderer for format {kind!r}") from None
    found: Format = module.FORMAT
    return found


def render_jobs(jobs: Sequence[Job], run: Run) -> Iterator[tuple[Job, bytes]]:
    """Render jobs of any formats, grouped by format, each group in job order."""
    groups: dict[str, list[Job]] = {}
    for job in jobs:
        groups.setdefault(job.format, []).append(job)
    for kind, group in groups.items():
        yield from zip(group, renderer(kind).render(group, run), strict=True)
