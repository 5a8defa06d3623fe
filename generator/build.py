"""The one pipeline: load → validate → gather (model) → plan (jobs) → render → site engine → publish.

Everything is gathered before anything is written: the model first, then every output planned as
a job, then rendered by the renderer of its format. Expensive work is skipped when its inputs did
not change: PDFs come from a content-addressed cache, the engine does not run again for the same
docs, and a build whose every output is unchanged leaves the published site as it is.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

from generator.errors import BuildError, Problem
from generator.inputs import load_inputs
from generator.model.search import search_words
from generator.model.site import SiteModel, gather
from generator.model.staff import gather_staff
from generator.publish.cache import Cache, Manifest, canonical, digest, renderer_fingerprint
from generator.publish.engine import Earlier, SiteEngine, SiteFacts, site_engine
from generator.publish.write import (
    Output,
    OutputFile,
    collisions,
    copy_file,
    copy_tree,
    link_or_copy,
    locked,
    publish_all,
    refuse_unsafe,
    scratch_folder,
    staging,
    write_files,
)
from generator.render import apply, kit, notices, pages, whitelist
from generator.render.registry import Job, Run, render_jobs, renderer

PROJECT_DIR = Path(__file__).resolve().parents[1]


class Progress(Protocol):
    """What a long build reports; the CLI draws it, tests and --quiet ignore it."""

    def stage(self, label: str, total: int | None = None) -> None: ...

    def advance(self, count: int = 1) -> None: ...


class Silent:
    def stage(self, label: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int = 1) -> None:
        pass


@dataclass(frozen=True)
class BuildConfig:
    data_dir: Path
    out_dir: Path
    today: date
    project_dir: Path = PROJECT_DIR
    staff_dir: Path | None = None  # pre-filled application forms with private contacts; never public
    cache_dir: Path | None = None  # content-addressed PDFs and the published-site manifest
    workers: int | None = None  # PDF processes; default: one per core
    engine: str = "mkdocs"

    @property
    def forms_dir(self) -> Path:
        return self.project_dir / "forms"


@dataclass
class BuildReport:
    pages: int = 0
    pdfs: int = 0  # in the public site
    rendered: int = 0  # public PDFs actually rendered (the rest came from the cache)
    staff_pdfs: int = 0
    staff_rendered: int = 0
    engine_ran: bool = False
    engine_reused: int = 0  # pages the engine took from the published site instead of rendering
    unchanged: bool = False  # nothing changed: the published site was left as it was
    seconds: float = 0.0
    pdf_seconds: float = 0.0  # wall time spent rendering PDFs (while the engine runs beside them)
    engine_seconds: float = 0.0  # the engine's own run time (it shares the cores with the PDFs)
    warnings: list[Problem] = field(default_factory=list)


def plan_site(model: SiteModel) -> list[Job]:
    """Every output of the public site."""
    return [*pages.plan(model), *apply.plan(model), *whitelist.plan(model), *notices.plan(model), *kit.plan(model)]


def site_facts(model: SiteModel, words: Iterable[str]) -> SiteFacts:
    site = model.site
    return SiteFacts(
        title=site.title,
        base_url=site.base_url,
        description=f"{model.guideline.title}全文和白名单企业名录",
        footer=site.authority.name,
        sample=site.sample,
        search_words=tuple(words),
        today=model.today,
        contact=tuple(site.authority.model_dump().items()),
    )


class Outputs:
    """Rendered outputs of one root (site or staff): cheap ones in memory; pooled ones (PDFs) as
    files in the cache, or in the build's scratch folder without one, written as they finish."""

    def __init__(self, cache: Cache | None, scratch: Path, base: str) -> None:
        self.cache = cache
        self.scratch = scratch
        self.base = base  # the renderers' fingerprint, part of every key
        self.data: dict[str, bytes] = {}
        self.files: dict[str, Path] = {}
        self.keys: dict[str, str] = {}

    def key(self, job: Job, run: Run) -> str:
        if job.path not in self.keys:
            self.keys[job.path] = digest(self.base, job.format, canonical(renderer(job.format).key(job, run)))
        return self.keys[job.path]

    def render(self, jobs: Sequence[Job], run: Run) -> int:
        """Make every job not made yet; returns how many pooled jobs were rendered (not cached)."""
        todo: list[Job] = []
        for job in jobs:
            if not renderer(job.format).pooled:
                todo.append(job)
                continue
            cached = self.cache.get(self.key(job, run)) if self.cache is not None else None
            if cached is not None:
                self.files[job.path] = cached
            elif job.path not in self.files:
                todo.append(job)
        pooled = 0
        for job, data in render_jobs(todo, run):
            if not renderer(job.format).pooled:
                self.data[job.path] = data
            elif self.cache is not None:
                self.files[job.path] = self.cache.put(self.key(job, run), data)
                pooled += 1
            else:
                self.files[job.path] = self.scratch / job.path
                write_files(self.scratch, [OutputFile(job.path, data)])
                pooled += 1
        return pooled

    def read(self, path: str) -> bytes:
        return self.data[path] if path in self.data else self.files[path].read_bytes()

    def fingerprint(self, jobs: Iterable[Job], run: Run) -> list[tuple[str, str]]:
        """Each output's identity without rendering the pooled ones: their key, or the bytes' digest."""
        return [
            (job.path, self.key(job, run) if renderer(job.format).pooled else digest(self.data[job.path]))
            for job in jobs
        ]

    def write(self, root: Path, jobs: Iterable[Job]) -> list[str]:
        """Put the outputs under `root`: copies, never links into the cache."""
        written = []
        for job in jobs:
            target = root / job.path
            if job.path in self.files:
                copy_file(self.files[job.path], target)
            else:
                write_files(root, [OutputFile(job.path, self.data[job.path])])
            written.append(job.path)
        return written


def outputs(config: BuildConfig) -> list[Output]:
    found = [Output.of("网站输出文件夹", config.out_dir)]
    if config.staff_dir is not None:
        found.append(Output.of("工作人员文件夹", config.staff_dir))
    return found


def protected_folders(config: BuildConfig) -> list[tuple[str, Path, frozenset[str]]]:
    """Folders an output may not be, be inside of, or contain; the project may hold `site/`."""
    every = frozenset({"same", "inside", "contains"})
    project = config.project_dir
    folders = [
        ("数据文件夹", config.data_dir, every),
        ("项目文件夹", project, frozenset({"same", "contains"})),
        *((f"项目的 {name}/ 文件夹", project / name, every) for name in ("docs", "forms", "generator", ".git")),
    ]
    if config.cache_dir is not None:
        folders.append(("缓存文件夹", config.cache_dir, frozenset({"same", "contains"})))
        folders += [("缓存文件夹", store, every) for store in Cache.stores(config.cache_dir)]
    return folders


def build(config: BuildConfig, progress: Progress | None = None) -> BuildReport:
    """Build the whole site into `config.out_dir`, or raise and leave it untouched."""
    started = time.perf_counter()
    progress = progress or Silent()
    targets = outputs(config)
    refuse_unsafe(targets, protected_folders(config))
    progress.stage("检查数据")
    inputs = load_inputs(config.data_dir)
    model = gather(inputs, config.today)
    site_jobs = plan_site(model)
    staff_jobs = []
    if config.staff_dir is not None:
        staff_jobs = kit.staff_plan(gather_staff(inputs, config.today), inputs.site, inputs.guideline)
    with ExitStack() as held:
        for target in targets:
            held.enter_context(locked(target.path))
        # New PDFs wait here (without a cache) until the engine has built the site they go into.
        scratch = scratch_folder(targets[0].path, "pdf")
        held.callback(shutil.rmtree, scratch, ignore_errors=True)
        report = _build(config, targets, progress, model, site_jobs, staff_jobs, scratch)
    report.warnings = list(inputs.warnings)
    report.seconds = time.perf_counter() - started
    return report


def _build(
    config: BuildConfig,
    targets: list[Output],
    progress: Progress,
    model: SiteModel,
    site_jobs: list[Job],
    staff_jobs: list[Job],
    scratch: Path,
) -> BuildReport:
    engine = site_engine(config.engine)
    cache = Cache(config.cache_dir) if config.cache_dir else None
    base = renderer_fingerprint()
    run = Run(config.forms_dir, model.site.sample, model, config.workers, progress=progress.advance)
    site, staff = Outputs(cache, scratch / "site", base), Outputs(cache, scratch / "staff", base)

    # What other outputs read (the blank forms in the kit and their previews) is made first.
    needed = {source for job in site_jobs for source in job.sources}
    early = [job for job in site_jobs if job.path in needed]
    cheap = [job for job in site_jobs if job.path not in needed and not renderer(job.format).pooled]
    later = [job for job in site_jobs if job.path not in needed and renderer(job.format).pooled]
    progress.stage("生成页面", len(early))
    rendered = site.render(early, run)
    run.sources.update((job.path, site.read(job.path)) for job in early)
    site.render(cheap, run)

    pages_ = [job for job in cheap if job.format == "md"]
    assets = [*early, *(job for job in cheap if job.format != "md"), *later]
    facts = site_facts(model, search_words(model))
    engine_key = _engine_key(config, engine, facts, site, pages_)
    build_key = digest(engine_key, site.fingerprint(assets, run), staff.fingerprint(staff_jobs, run))
    report = BuildReport(
        pages=len(pages_),
        pdfs=sum(1 for job in assets if renderer(job.format).pooled),
        staff_pdfs=len(staff_jobs),
    )
    published = targets[0].path
    previous = Manifest.load(config.cache_dir, published) if config.cache_dir else None
    staff_intact = len(targets) == 1 or targets[1].path.is_dir()
    if previous and previous.build_key == build_key and previous.intact(published) and staff_intact:
        report.unchanged = True
        return report

    with staging(published) as stage:
        progress.stage("准备网站")
        copy_tree(config.project_dir / "docs", stage.docs)
        sources = [OutputFile(engine.source(job.path), site.data[job.path]) for job in pages_]
        clashes = collisions(stage.docs, sources)
        if clashes:
            raise BuildError(f"生成的页面与 docs/ 中手写的文件重名：{', '.join(map(str, clashes))}")
        write_files(stage.docs, sources)
        # The published engine output, if nobody touched it since, and what the engine kept of it.
        earlier, reuse = None, False
        if previous and config.cache_dir and previous.matches(published, previous.engine_files):
            kept = previous.load_engine_state(config.cache_dir, published)
            earlier = Earlier(published, kept) if kept is not None else None
            reuse = earlier is not None and previous.engine_key == engine_key
        running = None if reuse else engine.start(config.project_dir, stage, facts, earlier)
        try:
            pdfs_started = time.perf_counter()
            progress.stage("生成 PDF", len(later) + len(staff_jobs))
            rendered += site.render(later, run)
            report.staff_rendered = staff.render(staff_jobs, run)
            report.pdf_seconds = time.perf_counter() - pdfs_started
            progress.stage("生成网站")
            if running is not None:
                running.wait()
                report.engine_seconds = running.seconds
        finally:
            if running is not None:
                running.stop()
        if reuse:
            assert previous is not None
            for name in previous.engine_files:
                link_or_copy(published / name, stage.site / name)
        engine_files = sorted(p.relative_to(stage.site).as_posix() for p in stage.site.rglob("*") if p.is_file())
        progress.stage("写入文件")
        other_files = site.write(stage.site, assets)
        if len(targets) == 1:
            publish_all([stage])
        else:
            with staging(targets[1].path) as staff_stage:
                staff_stage.site.mkdir()
                staff.write(staff_stage.site, staff_jobs)
                publish_all([stage, staff_stage])
    report.rendered = rendered
    report.engine_ran = running is not None
    report.engine_reused = running.reused if running is not None else 0
    if config.cache_dir and cache is not None:
        if running is not None:
            state = running.state
        else:
            assert earlier is not None  # the engine's whole output was reused, with what it kept
            state = earlier.state
        Manifest(
            build_key,
            engine_key,
            Manifest.stat_files(published, engine_files),
            Manifest.stat_files(published, other_files),
            Manifest.save_engine_state(config.cache_dir, published, state),
        ).save(config.cache_dir, published)
        cache.prune()
    return report


def _engine_key(config: BuildConfig, engine: SiteEngine, facts: SiteFacts, site: Outputs, pages_: Sequence[Job]) -> str:
    """Everything the site engine reads: hand-written docs, generated pages, its configuration."""
    hand = sorted(p for p in (config.project_dir / "docs").rglob("*") if p.is_file())
    return digest(
        config.engine,
        engine.fingerprint(config.project_dir, facts),
        [(p.relative_to(config.project_dir).as_posix(), digest(p.read_bytes())) for p in hand],
        sorted((job.path, digest(site.data[job.path])) for job in pages_),
        facts.today.isoformat(),
    )
