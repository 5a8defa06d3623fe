"""The one pipeline: load → validate → model → render → write → site engine → publish.

Expensive work is skipped when its inputs did not change: PDFs come from a content-addressed
cache, MkDocs is not run again for identical docs, and a build whose every input is unchanged
leaves the published site as it is.
"""

from __future__ import annotations

import html
import shutil
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Protocol

from generator import __version__
from generator.errors import BuildError, InputError, Problem
from generator.guideline.zones import find_zones
from generator.inputs import Inputs, read_inputs
from generator.publish.cache import Manifest, PdfCache, digest
from generator.publish.site import MkDocsRun, mkdocs_config
from generator.publish.write import (
    Output,
    Staging,
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
from generator.register.status import Status
from generator.render import kit, notices, whitelist
from generator.render.forms import PdfJob, iter_pdfs
from generator.render.listing import public_listings
from generator.render.output import OutputFile
from generator.render.pages import SiteModel, guideline_pages, make_annotator, search_words
from generator.render.text import chinese_date

PROJECT_DIR = Path(__file__).resolve().parents[1]
USER_DICT = "userdict.txt"
# jieba's default weight for a user word only keeps it whole against its own parts; 20,000 also
# beats overlapping pairs such as 设红/区内 in 设红区内 (common words weigh 10^4–10^5).
USER_WORD_FREQ = 20000


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

    @property
    def forms_dir(self) -> Path:
        return self.project_dir / "forms"


@dataclass
class BuildReport:
    pages: int = 0
    pdfs: int = 0
    rendered: int = 0  # PDFs actually rendered (the rest came from the cache)
    staff_pdfs: int = 0
    mkdocs_ran: bool = False
    unchanged: bool = False  # nothing changed: the published site was left as it was
    seconds: float = 0.0
    pdf_seconds: float = 0.0  # wall time spent rendering PDFs (while MkDocs runs beside them)
    mkdocs_seconds: float = 0.0  # the engine's own run time (it shares the cores with the PDFs)
    warnings: list[Problem] = field(default_factory=list)


def site_model(inputs: Inputs, today: date) -> SiteModel:
    """Everything the renderers share, derived once."""
    listings = tuple(public_listings(inputs, today))
    listed_count = sum(1 for listing in listings if listing.status is Status.LISTED)
    model = SiteModel(
        inputs=inputs,
        today=today,
        annotator=make_annotator(inputs, kit.GUIDELINE_DOCUMENTS),
        zones=find_zones(inputs.guideline),
        listings=listings,
        extra_cards=(
            {
                "href": "whitelist/index.html",
                "title": "白名单企业名录",
                "text": f"已入库企业 {listed_count} 家：按名称、乡镇、行业筛选，查看每家企业的核验页面。",
            },
            {"href": "notices/index.html", "title": "公示公告", "text": "每批企业名单的公示和移出白名单的公告。"},
            {
                "href": "forms/index.html",
                "title": "表格下载",
                "text": "申请表、承诺书和企业日常防控用的登记表、自查表。",
            },
            {"href": "stats.html", "title": "数据统计", "text": "按行业、入库条件、乡镇和批次统计的企业数。"},
        ),
    )
    return replace(model, home_blocks=(notices.open_notices_block(model),))


def render_docs(model: SiteModel) -> list[OutputFile]:
    """Every generated page and download for the site engine."""
    round_link = notices.notice_link("../")
    return [
        *guideline_pages(model),
        whitelist.directory_page(model, round_link),
        *whitelist.enterprise_pages(model, round_link),
        whitelist.stats_page(model),
        *whitelist.downloads(model),
        *notices.notice_pages(model),
        notices.atom_feed(model),
    ]


def site_settings(inputs: Inputs, today: date, user_dict: Path) -> dict[str, object]:
    """What the data decides in the engine's config: names, the banner, the footer, the dictionary."""
    site = inputs.site
    return {
        "site_name": site.title,
        # The public address: canonical links, the sitemap, and 404.html's root-absolute paths,
        # which then work when the site is served under a sub-path (e.g. /whitelist/).
        "site_url": site.base_url,
        "site_description": f"{inputs.guideline.title}全文和白名单企业名录",
        "copyright": html.escape(f"{site.authority.name} · 数据更新于 {chinese_date(today)}"),
        "extra": {"sample": site.sample},
        "plugins": {"search": {"jieba_dict_user": str(user_dict)}},
    }


@dataclass
class _Pdfs:
    """PDF jobs resolved to files: cached ones in the cache, new ones written there (or to the
    build's scratch folder without a cache) the moment they are rendered."""

    jobs: list[PdfJob]
    keys: list[str]
    cache: PdfCache | None
    files: dict[int, Path] = field(default_factory=dict)

    def missing(self) -> list[int]:
        todo = []
        for index, key in enumerate(self.keys):
            cached = self.cache.get(key) if self.cache is not None and index not in self.files else None
            if cached is not None:
                self.files[index] = cached
            elif index not in self.files:
                todo.append(index)
        return todo

    def render(self, config: BuildConfig, sample: bool, progress: Progress, scratch: Path) -> int:
        todo = self.missing()
        progress.stage("生成 PDF", len(todo))
        jobs = [self.jobs[i] for i in todo]
        rendered = iter_pdfs(jobs, config.forms_dir, sample, config.workers, progress.advance)
        for index, output in zip(todo, rendered, strict=True):
            if self.cache is not None:
                self.files[index] = self.cache.put(self.keys[index], output.data)
            else:
                write_files(scratch, [output])
                self.files[index] = scratch.joinpath(*output.path.parts)
        return len(todo)

    def data(self, index: int) -> bytes:
        return self.files[index].read_bytes()

    def write(self, root: Path) -> list[str]:
        """Copy every PDF under `root`; returns their relative paths."""
        for index, job in enumerate(self.jobs):
            copy_file(self.files[index], root.joinpath(*job.path.parts))
        return [job.path.as_posix() for job in self.jobs]


def _resolve(jobs: Sequence[PdfJob], cache: PdfCache | None) -> _Pdfs:
    keys = [cache.key(job) for job in jobs] if cache is not None else [""] * len(jobs)
    return _Pdfs(list(jobs), keys, cache)


def _docs_key(config: BuildConfig, docs: list[OutputFile], settings: dict[str, object], words: str) -> str:
    """Everything the site engine reads: hand-written docs, generated docs, configs, dictionary."""
    hand = sorted(p for p in (config.project_dir / "docs").rglob("*") if p.is_file())
    return digest(
        __version__,
        (config.project_dir / "mkdocs.yml").read_bytes(),
        [(p.relative_to(config.project_dir).as_posix(), digest(p.read_bytes())) for p in hand],
        sorted((f.path.as_posix(), digest(f.data)) for f in docs),
        {k: v for k, v in settings.items() if k != "plugins"},
        words,
        config.today.isoformat(),
    )


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
        folders += [("缓存文件夹", store, every) for store in PdfCache.stores(config.cache_dir)]
    return folders


def build(config: BuildConfig, progress: Progress | None = None) -> BuildReport:
    """Build the whole site into `config.out_dir`, or raise and leave it untouched."""
    started = time.perf_counter()
    progress = progress or Silent()
    targets = outputs(config)
    refuse_unsafe(targets, protected_folders(config))
    progress.stage("检查数据")
    inputs, problems = read_inputs(config.data_dir)
    if inputs is None:
        raise InputError(problems)
    with ExitStack() as held:
        for target in targets:
            held.enter_context(locked(target.path))
        # New PDFs wait here (without a cache) until the engine has built the site they go into.
        scratch = scratch_folder(targets[0].path, "pdf")
        held.callback(shutil.rmtree, scratch, ignore_errors=True)
        return _build(config, targets, progress, started, inputs, problems, scratch)


def _build(
    config: BuildConfig,
    targets: list[Output],
    progress: Progress,
    started: float,
    inputs: Inputs,
    problems: list[Problem],
    scratch: Path,
) -> BuildReport:
    progress.stage("生成页面")
    model = site_model(inputs, config.today)
    docs = render_docs(model)
    sample = inputs.site.sample
    cache = PdfCache(config.cache_dir, config.forms_dir, sample) if config.cache_dir else None
    blank = _resolve(kit.blank_form_jobs(model), cache)
    rendered = blank.render(config, sample, progress, scratch)
    blank_pdfs = [OutputFile(job.path, blank.data(i)) for i, job in enumerate(blank.jobs)]
    docs += [kit.forms_page(model, blank_pdfs), kit.kit_zip(blank_pdfs, model), *map(kit.thumbnail, blank_pdfs)]
    public = _resolve([*kit.notice_jobs(model), *kit.enterprise_jobs(model)], cache)
    staff = _resolve(kit.staff_application_jobs(model) if config.staff_dir else [], cache)

    words = "".join(f"{word} {USER_WORD_FREQ} nz\n" for word in search_words(model))
    settings = site_settings(inputs, config.today, Path(USER_DICT))
    docs_key = _docs_key(config, docs, settings, words)
    build_key = digest(docs_key, blank.keys, public.keys, staff.keys, [j.path.as_posix() for j in public.jobs])
    report = BuildReport(
        pages=sum(1 for f in docs if f.path.suffix == ".md"),
        pdfs=len(blank.jobs) + len(public.jobs),
        staff_pdfs=len(staff.jobs),
        warnings=problems,
    )
    previous = Manifest.load(config.cache_dir, config.out_dir) if config.cache_dir else None
    staff_intact = config.staff_dir is None or config.staff_dir.is_dir()
    if previous and previous.build_key == build_key and previous.intact(config.out_dir) and staff_intact:
        report.unchanged = True
        report.seconds = time.perf_counter() - started
        return report

    with staging(targets[0].path) as stage:
        progress.stage("准备网站")
        copy_tree(config.project_dir / "docs", stage.docs)
        clashes = collisions(stage.docs, docs)
        if clashes:
            raise BuildError(f"生成的页面与 docs/ 中手写的文件重名：{', '.join(map(str, clashes))}")
        write_files(stage.docs, docs)
        write_files(stage.root, [OutputFile(PurePosixPath(USER_DICT), words)])
        settings = site_settings(inputs, config.today, stage.root / USER_DICT)
        reuse = (
            previous is not None
            and previous.mkdocs_key == docs_key
            and previous.matches(config.out_dir, previous.mkdocs_files)
        )
        engine = None if reuse else MkDocsRun(stage, mkdocs_config(config.project_dir, settings), config.today)
        try:
            pdfs_started = time.perf_counter()
            rendered += public.render(config, sample, progress, scratch)
            rendered += staff.render(config, sample, progress, scratch)
            report.pdf_seconds = time.perf_counter() - pdfs_started
            progress.stage("生成网站（MkDocs）")
            if engine is not None:
                engine.wait()
                report.mkdocs_seconds = engine.seconds
        finally:
            if engine is not None:
                engine.stop()
        if reuse:
            assert previous is not None
            for name in previous.mkdocs_files:
                link_or_copy(config.out_dir / name, stage.site / name)
        mkdocs_files = sorted(p.relative_to(stage.site).as_posix() for p in stage.site.rglob("*") if p.is_file())
        progress.stage("写入 PDF")
        pdf_files = blank.write(stage.site) + public.write(stage.site)
        _publish(targets, stage, staff)
    report.rendered = rendered
    report.mkdocs_ran = engine is not None
    if config.cache_dir and cache is not None:
        Manifest(
            build_key,
            docs_key,
            Manifest.stat_files(config.out_dir, mkdocs_files),
            Manifest.stat_files(config.out_dir, pdf_files),
        ).save(config.cache_dir, config.out_dir)
        cache.prune()
    report.seconds = time.perf_counter() - started
    return report


def _publish(targets: list[Output], stage: Staging, staff: _Pdfs) -> None:
    """Swap the site in, and the staff folder beside it (outside the site): both or neither."""
    if len(targets) == 1:
        publish_all([stage])
        return
    with staging(targets[1].path) as staff_stage:
        staff_stage.site.mkdir()
        staff.write(staff_stage.site)
        publish_all([stage, staff_stage])
