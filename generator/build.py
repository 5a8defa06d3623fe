"""The one pipeline: load → validate → model → render → write → site engine → publish."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath

from generator.errors import BuildError, InputError, Problem
from generator.guideline.zones import find_zones
from generator.inputs import Inputs, read_inputs
from generator.publish.site import run_mkdocs
from generator.publish.write import collisions, copy_tree, staging, write_files
from generator.register.status import Status
from generator.render import kit, notices, whitelist
from generator.render.forms import render_pdfs
from generator.render.listing import public_listings
from generator.render.output import OutputFile
from generator.render.pages import SiteModel, guideline_pages, make_annotator, search_words
from generator.render.text import chinese_date

PROJECT_DIR = Path(__file__).resolve().parents[1]
USER_DICT = "userdict.txt"
# jieba's default weight for a user word only keeps it whole against its own parts; 20,000 also
# beats overlapping pairs such as 设红/区内 in 设红区内 (common words weigh 10^4–10^5).
USER_WORD_FREQ = 20000


@dataclass(frozen=True)
class BuildConfig:
    data_dir: Path
    out_dir: Path
    today: date
    project_dir: Path = PROJECT_DIR
    staff_dir: Path | None = None  # pre-filled application forms with private contacts; never public
    workers: int | None = None  # PDF processes; default: one per core

    @property
    def forms_dir(self) -> Path:
        return self.project_dir / "forms"


@dataclass
class BuildReport:
    pages: int = 0
    pdfs: int = 0
    staff_pdfs: int = 0
    seconds: float = 0.0
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
        "site_description": f"{inputs.guideline.title}全文和白名单企业名录",
        "copyright": html.escape(f"{site.authority.name} · 数据更新于 {chinese_date(today)}"),
        "extra": {"sample": site.sample},
        "plugins": {"search": {"jieba_dict_user": str(user_dict)}},
    }


def build(config: BuildConfig) -> BuildReport:
    """Build the whole site into `config.out_dir`, or raise and leave it untouched."""
    started = time.perf_counter()
    inputs, problems = read_inputs(config.data_dir)
    if inputs is None:
        raise InputError(problems)
    model = site_model(inputs, config.today)
    docs = render_docs(model)

    sample = inputs.site.sample
    blank_jobs = kit.blank_form_jobs(model)
    public_jobs = [*blank_jobs, *kit.notice_jobs(model), *kit.enterprise_jobs(model)]
    pdfs = render_pdfs(public_jobs, config.forms_dir, sample, config.workers)
    blank_pdfs = pdfs[: len(blank_jobs)]
    docs += [
        kit.forms_page(model, blank_pdfs),
        kit.kit_zip(blank_pdfs, model),
        *(kit.thumbnail(pdf) for pdf in blank_pdfs),
    ]
    staff_pdfs = render_pdfs(kit.staff_application_jobs(model), config.forms_dir, sample, config.workers)

    with staging(config.out_dir) as stage:
        copy_tree(config.project_dir / "docs", stage.docs)
        clashes = collisions(stage.docs, docs)
        if clashes:
            raise BuildError(f"生成的页面与 docs/ 中手写的文件重名：{', '.join(map(str, clashes))}")
        write_files(stage.docs, docs)
        user_dict = stage.root / USER_DICT
        dictionary = "".join(f"{word} {USER_WORD_FREQ} nz\n" for word in search_words(model))
        write_files(stage.root, [OutputFile(PurePosixPath(USER_DICT), dictionary)])
        run_mkdocs(config.project_dir, stage, site_settings(inputs, config.today, user_dict), config.today)
        # PDFs go straight into the built site: the engine would only copy them, thousands of times.
        write_files(stage.site, pdfs)
        if config.staff_dir is not None:
            with staging(config.staff_dir) as staff:
                staff.site.mkdir()
                write_files(staff.site, staff_pdfs)
                stage.publish()
                staff.publish()
        else:
            stage.publish()
    pages = sum(1 for f in docs if f.path.suffix == ".md")
    return BuildReport(pages, len(pdfs), len(staff_pdfs), time.perf_counter() - started, problems)
