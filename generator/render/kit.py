"""The form kit: which PDFs a build makes, from which template, with which data.

Blank forms for every enterprise to download (also zipped as one kit), pre-filled letters and
certificates for listed enterprises, notices in official layout, and — outside the public site —
pre-filled application forms for staff, which carry private contact details.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from generator.errors import BuildError
from generator.register.models import DECLARATION_NAMES, EXCLUSION_NAMES, QUALIFICATIONS, SECTORS, Enterprise
from generator.register.status import Status, standing
from generator.render import notices
from generator.render.archive import build_zip
from generator.render.forms import PdfJob
from generator.render.output import OutputFile
from generator.render.pages import PageRenderer, SiteModel
from generator.render.text import balanced_lines, chinese_date


@dataclass(frozen=True)
class BlankForm:
    slug: str  # forms/<slug>.pdf
    template: str
    title: str
    summary: str  # one line for the forms page


BLANK_FORMS = (
    BlankForm(
        "application", "application.html.j2", "工业企业白名单申请表", "申请纳入白名单时填写，报乡镇（街道）初审。"
    ),
    BlankForm(
        "commitment",
        "commitment.html.j2",
        "落实疫情防控主体责任承诺书",
        "企业对落实疫情防控主体责任作出承诺，随申请表报送（指南第 2 条）。",
    ),
    BlankForm(
        "health-log", "health_log.html.j2", "员工每日健康监测登记表", "每日登记员工体温和健康状况（第 3、18 条）。"
    ),
    BlankForm(
        "access-log",
        "access_log.html.j2",
        "人员车辆进出登记表（两码一证查验）",
        "门卫登记进出人员和车辆，查验“两码一证”（第 9 条）。",
    ),
    BlankForm(
        "materials-log",
        "materials_log.html.j2",
        "进厂物料登记及消杀记录表",
        "进厂物料登记和消杀，确保全程可追溯（第 10 条）。",
    ),
    BlankForm("self-check", "self_check.html.j2", "疫情防控工作自查表", "对照指南第 1–20 条逐条自查落实情况。"),
    BlankForm(
        "weekly-report",
        "weekly_report.html.j2",
        "白名单企业生产经营情况周调度表",
        "白名单企业每周报送生产经营情况和困难问题（“四保”举措第一项）。",
    ),
)

TITLE_WIDTH = 20  # 2号 (22 pt) characters in the 156 mm type area

# Documents the guideline names in 《》, linked to their blank form.
GUIDELINE_DOCUMENTS = {
    "落实疫情防控主体责任承诺书": "forms/commitment.pdf",
    "工业企业白名单申请表": "forms/application.pdf",
}


def common_context(model: SiteModel) -> dict[str, Any]:
    """What every form template may use."""
    site = model.inputs.site
    return {
        "county": site.county.name,
        "issuer": site.authority.name,
        "authority": site.authority.name,
        "guideline_title": model.inputs.guideline.title,
        "workdays": site.notice.workdays,
        "sectors": SECTORS,
        "qualifications": QUALIFICATIONS,
        "declarations": list(DECLARATION_NAMES.items()),
        "exclusions": list(EXCLUSION_NAMES.items()),
        "articles": [(a.number, a.text) for a in model.inputs.guideline.articles],
        "base_url": site.base_url,
    }


def blank_form_jobs(model: SiteModel) -> list[PdfJob]:
    context = {**common_context(model), "document_date": model.today}
    return [
        PdfJob(form.template, PurePosixPath("forms") / f"{form.slug}.pdf", {**context, "e": None, "round_title": ""})
        for form in BLANK_FORMS
    ]


@dataclass(frozen=True)
class LetterData:
    """What a pre-filled commitment letter prints: its cache key holds exactly this."""

    name: str
    uscc: str
    legal_representative: str


@dataclass(frozen=True)
class CertificateData:
    """What a certificate prints."""

    name: str
    uscc: str
    sector: str
    qualifications: tuple[str, ...]
    township: str
    round_title: str
    notice_start: date
    notice_end: date
    listed_from: date


@dataclass(frozen=True)
class NoticeRow:
    name: str
    uscc: str
    sector: str
    township: str


@dataclass(frozen=True)
class RemovalRow:
    name: str
    uscc: str
    reason: str


def enterprise_jobs(model: SiteModel) -> list[PdfJob]:
    """A pre-filled commitment and a certificate for every enterprise listed on the build date."""
    context = common_context(model)
    jobs = []
    for listing in model.listings:
        if listing.status is not Status.LISTED or listing.period is None or listing.listed_from is None:
            continue
        schedule = listing.period.schedule
        base = PurePosixPath("whitelist")
        own = {**context, "document_date": listing.listed_from}
        letter = LetterData(listing.name, listing.uscc, listing.legal_representative)
        jobs.append(PdfJob("commitment.html.j2", base / f"{listing.uscc}-commitment.pdf", {**own, "e": letter}))
        certificate = CertificateData(
            listing.name,
            listing.uscc,
            listing.sector,
            listing.qualifications,
            listing.township,
            schedule.round.title,
            schedule.start,
            schedule.end,
            listing.listed_from,
        )
        url = context["base_url"] + listing.page
        path = base / f"{listing.uscc}-certificate.pdf"
        jobs.append(PdfJob("certificate.html.j2", path, {**own, "e": certificate, "url": url}))
    return jobs


def notice_jobs(model: SiteModel) -> list[PdfJob]:
    """Every published notice as a PDF in official-document layout, next to its page."""
    site = model.inputs.site
    context = {
        **common_context(model),
        "phone": site.authority.phone,
        "address": site.authority.address,
        "postcode": site.authority.postcode,
        "email": site.authority.email,
    }
    jobs = []
    for notice in notices.all_notices(model):
        title = notices.notice_title(model, notice)
        path = PurePosixPath(notice.path.replace(".html", ".pdf"))
        own: dict[str, Any]
        if isinstance(notice, notices.RoundNotice):
            attachment = f"{site.county.name}{notice.schedule.round.title}白名单企业名单"
            template = "notice.html.j2"
            schedule = notice.schedule
            rows = [NoticeRow(item.name, item.uscc, item.sector, item.township) for item in notice.listings]
            own = {"rows": rows, "start": schedule.start, "end": schedule.end, "workdays": schedule.workdays}
        else:
            attachment = f"移出{site.county.name}白名单的企业名单"
            template = "removal.html.j2"
            removals = [RemovalRow(r.listing.name, r.listing.uscc, r.reason) for r in notice.removals]
            own = {"rows": removals, "day": notice.day}
        jobs.append(
            PdfJob(
                template,
                path,
                {
                    **context,
                    **own,
                    "title": title,
                    "title_lines": balanced_lines(title, TITLE_WIDTH),
                    "attachment_title": attachment,
                    "issued": notice.date,
                    "document_date": notice.date,
                },
                style="gongwen",
            )
        )
    return jobs


def staff_application_jobs(model: SiteModel) -> list[PdfJob]:
    """Pre-filled application forms, with private contacts, for enterprises staff are handling now:
    applying, under review or in their notice period on the build date. Never in the public site."""
    context = common_context(model)
    inputs = model.inputs
    jobs = []
    for enterprise in inputs.register.enterprises:
        result = standing(enterprise, inputs.schedules, model.today)
        if result is None or result.status not in (Status.APPLYING, Status.REVIEWING, Status.NOTICE):
            continue
        jobs.append(
            PdfJob(
                "application.html.j2",
                PurePosixPath("applications") / f"{enterprise.uscc}.pdf",
                {
                    **context,
                    "e": enterprise,
                    "round_title": _pending_round(enterprise, model),
                    "document_date": model.today,
                },
            )
        )
    return jobs


def _pending_round(enterprise: Enterprise, model: SiteModel) -> str:
    titles = {r.id: r.title for r in model.inputs.register.rounds}
    approved = [e.round for e in enterprise.history if e.event == "approved" and e.round]
    return titles.get(approved[-1], "") if approved else ""


KIT_README = """{county}企业疫情防控表格套件（{date}）

本套件包含《{guideline}》涉及的空白表格，均为 A4 纸，可直接打印后手写填写：

{items}

说明：
1. 申请纳入白名单的企业，填写《工业企业白名单申请表》和《落实疫情防控主体责任承诺书》，
   加盖公章后报所在乡镇（街道）初审，再报{authority}审核。
2. 登记表、记录表和自查表由企业留存备查，检查时出示。
3. 网站：{base_url}
"""


def kit_zip(blank_pdfs: list[OutputFile], model: SiteModel) -> OutputFile:
    """downloads/form-kit.zip: every blank form, named in Chinese, with a 说明.txt; fixed dates."""
    by_path = {pdf.path.name: pdf for pdf in blank_pdfs}
    members = []
    for index, form in enumerate(BLANK_FORMS, start=1):
        members.append((f"{index:02d} {form.title}.pdf", by_path[f"{form.slug}.pdf"].data))
    site = model.inputs.site
    readme = KIT_README.format(
        county=site.county.name,
        date=chinese_date(model.today),
        guideline=model.inputs.guideline.title,
        items="\n".join(f"{i:02d} {form.title}：{form.summary}" for i, form in enumerate(BLANK_FORMS, start=1)),
        authority=site.authority.name,
        base_url=site.base_url,
    )
    members.insert(0, ("说明.txt", readme.replace("\n", "\r\n").encode("utf-8")))
    return OutputFile(PurePosixPath("downloads/form-kit.zip"), build_zip(members, model.today))


def thumbnail(pdf: OutputFile, width: int = 360) -> OutputFile:
    """The first page as a PNG for the forms page (poppler's pdftoppm; the same PDF, the same bytes)."""
    if shutil.which("pdftoppm") is None:
        raise BuildError("缺少 pdftoppm（Debian 软件包 poppler-utils）：无法生成表格缩略图。请运行 make run 安装依赖。")
    result = subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to-x", str(width), "-scale-to-y", "-1", "-"],
        input=pdf.data,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"生成 {pdf.path} 的缩略图失败：{result.stderr.decode(errors='replace')}")
    return OutputFile(pdf.path.with_suffix(".png"), result.stdout)


def forms_page(model: SiteModel, blank_pdfs: list[OutputFile]) -> OutputFile:
    sizes = {pdf.path.name: len(pdf.data) for pdf in blank_pdfs}
    items = [
        {
            "form": form,
            "pdf": f"{form.slug}.pdf",
            "png": f"{form.slug}.png",
            "kb": round(sizes[f"{form.slug}.pdf"] / 1024),
        }
        for form in BLANK_FORMS
    ]
    return PageRenderer(model).render("forms.md.j2", "forms/index.md", items=items)
