"""Forms: Jinja2 templates in forms/ → PDF with WeasyPrint. The only module that imports WeasyPrint.

- One `FontConfiguration` and pre-parsed stylesheets per process (measured: bounds memory and
  saves the CSS parse per document); PDFs are rendered over a process pool when there are many.
- WeasyPrint logs problems instead of raising: every warning it logs while rendering fails the
  build with the form's name. It may only read files under forms/ (and data: URIs).
- A PDF is a pure function of its template, its job's data and the sample flag: identical input
  gives identical bytes, and dates come from the data (`document_date`), never the clock.
"""

from __future__ import annotations

import logging
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError
from markupsafe import Markup
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError

from generator.errors import BuildError
from generator.render.output import OutputFile
from generator.render.text import chinese_date

STYLESHEETS = {"form": ("css/common.css", "css/print.css"), "gongwen": ("css/common.css", "css/gongwen.css")}
POOL_THRESHOLD = 12  # below this, starting workers costs more than it saves


@dataclass(frozen=True)
class PdfJob:
    template: str  # e.g. "application.html.j2", relative to forms/
    path: PurePosixPath  # where the PDF goes, relative to its output root
    context: dict[str, Any] = field(default_factory=dict)
    style: str = "form"  # which stylesheet set: "form" or "gongwen"


class _LocalOnly(URLFetcher):  # type: ignore[misc]
    """Fetches files under forms/ and data: URIs; anything else would make the kit depend on a network."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if not path.is_relative_to(self.root):
                raise ValueError(f"outside forms/: {url}")
        return super().fetch(url, headers)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_warnings() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def qr_svg(url: str) -> Markup:
    """A QR code as inline SVG (vector: crisp at any size and print resolution)."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=1, border=4, omitsize=True, dark="#000000"))


def forms_environment(forms_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(forms_dir),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = chinese_date
    env.globals["qr_svg"] = qr_svg
    return env


class FormRenderer:
    """WeasyPrint state for one process: fonts configured and stylesheets parsed once."""

    def __init__(self, forms_dir: Path, sample: bool) -> None:
        self.forms_dir = forms_dir
        self.sample = sample
        self.env = forms_environment(forms_dir)
        self.fonts = FontConfiguration()
        self.fetcher = _LocalOnly(forms_dir)
        self.stylesheets = {
            name: [
                CSS(filename=str(forms_dir / path), font_config=self.fonts, url_fetcher=self.fetcher) for path in paths
            ]
            for name, paths in STYLESHEETS.items()
        }

    def html(self, job: PdfJob) -> str:
        try:
            template = self.env.get_template(job.template)
            return template.render(sample=self.sample, **job.context)
        except TemplateError as error:
            raise BuildError(f"表格模板出错（{_template_location(error, job.template)}）：{error}") from None

    def pdf(self, job: PdfJob) -> bytes:
        html = self.html(job)
        with _weasyprint_warnings() as warnings:
            document = HTML(string=html, base_url=str(self.forms_dir) + "/", url_fetcher=self.fetcher)
            try:
                data: bytes = document.write_pdf(stylesheets=self.stylesheets[job.style], font_config=self.fonts)
            except FatalURLFetchingError as error:
                raise BuildError(f"生成 {job.path} 时无法读取模板 {job.template} 引用的文件：{error}") from None
        if warnings:
            raise BuildError(f"生成 {job.path} 时 WeasyPrint 报告问题（模板 {job.template}）：" + "；".join(warnings))
        return data


def _template_location(error: TemplateError, template: str) -> str:
    """`file:line` of a template error; Jinja puts runtime errors' lines only in the traceback."""
    lineno = getattr(error, "lineno", None)
    if lineno:
        return f"{getattr(error, 'name', None) or template}:{lineno}"
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else template


_worker: FormRenderer | None = None


def _start_worker(forms_dir: Path, sample: bool) -> None:
    global _worker
    _worker = FormRenderer(forms_dir, sample)


def _render_in_worker(job: PdfJob) -> bytes:
    assert _worker is not None
    return _worker.pdf(job)


def iter_pdfs(
    jobs: Sequence[PdfJob],
    forms_dir: Path,
    sample: bool,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> Iterator[OutputFile]:
    """Every job's PDF, in job order, as each is done: callers write it away at once, so
    20,000 certificates never sit in memory together. Over a process pool when there are many.

    `progress(n)` is called as documents finish, for a progress bar.
    """
    if not jobs:
        return
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < POOL_THRESHOLD:
        renderer = FormRenderer(forms_dir, sample)
        for job in jobs:
            yield OutputFile(job.path, renderer.pdf(job))
            if progress:
                progress(1)
        return
    chunk = max(1, min(16, len(jobs) // (workers * 8)))
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=get_context("fork"),
        initializer=_start_worker,
        initargs=(forms_dir, sample),
    ) as pool:
        for job, data in zip(jobs, pool.map(_render_in_worker, jobs, chunksize=chunk), strict=True):
            yield OutputFile(job.path, data)
            if progress:
                progress(1)


def render_pdfs(jobs: Sequence[PdfJob], forms_dir: Path, sample: bool, workers: int | None = None) -> list[OutputFile]:
    """All of `iter_pdfs` at once, for a handful of documents."""
    return list(iter_pdfs(jobs, forms_dir, sample, workers))
