"""PDF: Jinja2 templates in forms/ → PDF with WeasyPrint. The only module that imports WeasyPrint.

- One `FontConfiguration` and pre-parsed stylesheets per process (measured: bounds memory and
  saves the CSS parse per document); PDFs are rendered over a process pool when there are many.
- WeasyPrint logs problems instead of raising: every warning it logs while rendering fails the
  build with the form's name. It may only read files under forms/ (and data: URIs).
- A PDF is a pure function of its template, its job's data and the sample flag: identical input
  gives identical bytes, and dates come from the data (`document_date`), never the clock.
- Every PDF leaves here with its fonts compacted (`compact`), in the worker that rendered it, so
  the cache stores and the site publishes compacted bytes. Compaction rewrites the fonts and
  compresses every stream, so WeasyPrint is asked for neither: it writes uncompressed streams and
  subsets each font in one HarfBuzz pass instead of two (`_one_pass_subset`), which together take
  about a third off a certificate's time (measured).
"""

from __future__ import annotations

import gc
import logging
import os
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import segno
import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateError, meta
from markupsafe import Markup
from weasyprint import CSS, HTML, URLFetcher
from weasyprint.pdf.fonts import Font
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import FontConfiguration, get_hb_object_data
from weasyprint.urls import FatalURLFetchingError

from generator.errors import BuildError
from generator.render.compact import compact
from generator.render.registry import Format, Job, Run
from generator.render.text import chinese_date

STYLESHEETS = {"form": ("css/common.css", "css/print.css"), "gongwen": ("css/common.css", "css/gongwen.css")}
POOL_THRESHOLD = 12  # below this, starting workers costs more than it saves
# The WeasyPrint whose HarfBuzz subsetting `_one_pass_subset` follows: its first pass, with the
# hinting flag its second pass would have applied.
ONE_PASS_FOR = "70.0"
TWO_PASS_SUBSET = Font.subset


def pdf(path: str, template: str, data: dict[str, Any], style: str = "form") -> Job:
    """A PDF job: `template` under forms/, `style` the stylesheet set ("form" or "gongwen")."""
    return Job(path, "pdf", template, data, style)


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


def _one_pass_subset(font: Font, to_unicode: dict[int, Any], hinting: bool) -> None:
    """WeasyPrint's font subsetting without its second pass.

    WeasyPrint subsets with HarfBuzz twice: the glyphs drawn, keeping their ids (empty slots up
    to the last glyph drawn, tens of thousands in a CJK font), then again to drop whatever lies
    after the last glyph drawn. `compact` keeps only the glyphs drawn, so the second pass buys
    nothing here and costs about 35 ms a Noto CJK font (measured); tests/test_compact.py shows
    every kind of PDF comes out of `FormRenderer.pdf` byte for byte the same with one pass as with
    two.
    """
    if not to_unicode:
        return
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyphs = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    used = ffi.new(f"hb_codepoint_t[{len(to_unicode)}]", sorted(to_unicode))
    harfbuzz.hb_set_add_sorted_array(glyphs, used, len(to_unicode))
    flags = (
        harfbuzz_subset.HB_SUBSET_FLAGS_RETAIN_GIDS
        | harfbuzz_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED
        | harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    )
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    dropped = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = [harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROPPED_TABLES]
    harfbuzz.hb_set_add_sorted_array(dropped, ffi.new(f"hb_codepoint_t[{len(tags)}]", tags), len(tags))
    face = ffi.gc(harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input), harfbuzz.hb_face_destroy)
    content = get_hb_object_data(face) if face else None
    if not content:  # WeasyPrint would warn and keep the whole font; its warnings stop a build anyway
        raise BuildError(f"无法为 PDF 截取字体“{font.family}”（HarfBuzz 失败）。")
    font.file_content = content


# WeasyPrint's list, in the order hb_set_add_sorted_array requires.
_DROPPED_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def use_one_pass_subset() -> bool:
    """Put `_one_pass_subset` in place when this is the WeasyPrint it was written for (another
    version keeps its own, slower but as correct); whether it is in place."""
    # WeasyPrint itself subsets with HarfBuzz only from 4.1.0 (hb_set_add_sorted_array).
    fits = (
        weasyprint.__version__ == ONE_PASS_FOR
        and harfbuzz_subset is not None
        and bool(harfbuzz.hb_version_atleast(4, 1, 0))
    )
    if fits:
        Font.subset = _one_pass_subset
    return fits


class FormRenderer:
    """WeasyPrint state for one process: fonts configured and stylesheets parsed once."""

    def __init__(self, forms_dir: Path, sample: bool) -> None:
        use_one_pass_subset()
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

    def html(self, job: Job) -> str:
        try:
            template = self.env.get_template(job.template)
            return template.render(sample=self.sample, **job.data)
        except TemplateError as error:
            raise BuildError(f"表格模板出错（{_template_location(error, job.template)}）：{error}") from None

    def pdf(self, job: Job) -> bytes:
        return compact(self.weasyprint_pdf(job))

    def weasyprint_pdf(self, job: Job) -> bytes:
        """WeasyPrint's own bytes, uncompressed, whose fonts keep every glyph id."""
        html = self.html(job)
        with _weasyprint_warnings() as warnings:
            document = HTML(string=html, base_url=str(self.forms_dir) + "/", url_fetcher=self.fetcher)
            try:
                data: bytes = document.write_pdf(
                    stylesheets=self.stylesheets[job.style], font_config=self.fonts, uncompressed_pdf=True
                )
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


CPYTHON_THRESHOLDS = (700, 10, 10)


def _start_worker(forms_dir: Path, sample: bool) -> None:
    # A worker inherits the build's whole model and the collector setting `wlsite` chose for it.
    # The model is never garbage here, so it is frozen out of every collection (walking it would
    # also copy its pages from the parent); WeasyPrint's own cyclic garbage is collected at the
    # interpreter's usual pace, which keeps each worker ~60 MB smaller at 1,000 enterprises.
    gc.freeze()
    gc.set_threshold(*CPYTHON_THRESHOLDS)
    global _worker
    _worker = FormRenderer(forms_dir, sample)


def _render_in_worker(job: Job) -> bytes:
    assert _worker is not None
    return _worker.pdf(job)


def iter_pdfs(
    jobs: Sequence[Job],
    forms_dir: Path,
    sample: bool,
    workers: int | None = None,
    progress: Callable[[int], object] | None = None,
) -> Iterator[bytes]:
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
            yield renderer.pdf(job)
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
        for data in pool.map(_render_in_worker, jobs, chunksize=chunk):
            yield data
            if progress:
                progress(1)


class TemplateKeys:
    """What a template's output depends on: its file with every template it extends or includes,
    its stylesheets, and which variables it reads (a variable it never reads cannot change it)."""

    def __init__(self, forms_dir: Path) -> None:
        self.forms_dir = forms_dir
        self.env = forms_environment(forms_dir)
        self._known: dict[tuple[str, str], tuple[list[tuple[str, bytes]], frozenset[str]]] = {}

    def _closure(self, name: str, seen: set[str]) -> list[str]:
        if name in seen:
            return []
        seen.add(name)
        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, name)
        found = [name]
        for child in meta.find_referenced_templates(self.env.parse(source)):
            if child is not None:
                found += self._closure(child, seen)
        return found

    def of(self, template: str, style: str) -> tuple[list[tuple[str, bytes]], frozenset[str]]:
        if (template, style) not in self._known:
            names = self._closure(template, set())
            assert self.env.loader is not None
            variables: set[str] = set()
            for name in names:
                source, _, _ = self.env.loader.get_source(self.env, name)
                variables |= meta.find_undeclared_variables(self.env.parse(source))
            files = sorted(names) + sorted(STYLESHEETS[style])
            contents = [(name, (self.forms_dir / name).read_bytes()) for name in files]
            self._known[(template, style)] = (contents, frozenset(variables))
        return self._known[(template, style)]


class Pdf(Format):
    pooled = True

    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        return iter_pdfs(jobs, run.forms_dir, run.sample, run.workers, run.progress)

    def key(self, job: Job, run: Run) -> object:
        keys = run.memo.get("pdf")
        if not isinstance(keys, TemplateKeys):
            keys = run.memo["pdf"] = TemplateKeys(run.forms_dir)
        files, variables = keys.of(job.template, job.style)
        data = {name: value for name, value in job.data.items() if name in variables}
        return (files, job.template, job.style, run.sample, data)


FORMAT = Pdf()
