"""The form kit: which PDFs and Word documents a build makes, from which template, with which data.

Blank forms for every enterprise to download as PDF and Word (with previews, and zipped as one kit), pre-filled
letters and certificates for listed enterprises and — outside the public site — pre-filled
application forms for staff, which carry private contact details.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from generator import routes
from generator.guideline.model import Guideline
from generator.model.site import SiteModel
from generator.model.staff import StaffModel
from generator.register.models import DECLARATION_NAMES, EXCLUSION_NAMES, QUALIFICATIONS, SECTORS, SiteSettings
from generator.render import archive
from generator.render.letters import CLOSING, COMMITMENT_PARTS
from generator.render.pdf import pdf
from generator.render.registry import Job
from generator.render.text import chinese_date
from generator.render.thumbnail import thumbnail


@dataclass(frozen=True)
class BlankForm:
    slug: str  # forms/<slug>.pdf and .docx; also names the form for the Word renderer
    template: str
    title: str
    summary: str  # one line for the forms page

    @property
    def pdf(self) -> str:
        return routes.blank_form(self.slug, "pdf")

    @property
    def docx(self) -> str:
        return routes.blank_form(self.slug, "docx")

    @property
    def png(self) -> str:
        return routes.blank_form(self.slug, "png")


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


def forms_context(site: SiteSettings, guideline: Guideline) -> dict[str, Any]:
    """What every form template may use."""
    return {
        "county": site.county.name,
        "issuer": site.authority.name,
        "authority": site.authority.name,
        "guideline_title": guideline.title,
        "workdays": site.notice.workdays,
        "sectors": SECTORS,
        "qualifications": QUALIFICATIONS,
        "declarations": list(DECLARATION_NAMES.items()),
        "exclusions": list(EXCLUSION_NAMES.items()),
        "articles": [(a.number, a.text) for a in guideline.articles],
        "base_url": site.base_url,
        "commitments": COMMITMENT_PARTS,
        "closing": CLOSING,
    }


def common_context(model: SiteModel) -> dict[str, Any]:
    return forms_context(model.site, model.guideline)


@dataclass(frozen=True)
class LetterData:
    """What a pre-filled commitment letter prints (for staff): its cache key holds exactly this."""

    name: str
    uscc: str
    legal_representative: str
    lead_name: str  # the epidemic lead the register holds, printed in clause 一
    lead_title: str


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


KIT_README = """{county}企业疫情防控表格套件（{date}）

本套件包含《{guideline}》涉及的空白表格，均为 A4 纸，每份表格都有两个版本：
- PDF 版（.pdf）：直接打印后手写填写；
- Word 版（.docx）：用 Word 或 WPS 打开，可在电脑上填写或按本单位需要修改后打印。

{items}

说明：
1. 申请纳入白名单的企业，填写《工业企业白名单申请表》和《落实疫情防控主体责任承诺书》，
   加盖公章后报所在乡镇（街道）初审，再报{authority}审核。
2. 登记表、记录表和自查表由企业留存备查，检查时出示。
3. 网站：{base_url}
"""


def plan(model: SiteModel) -> list[Job]:
    """Blank forms (PDF and Word) with previews, the forms page and the kit; certificates and letters."""
    context = {**common_context(model), "document_date": model.today}
    jobs = [pdf(form.pdf, form.template, {**context, "e": None, "round_title": ""}) for form in BLANK_FORMS]
    jobs += [Job(form.docx, "docx", form.slug, context) for form in BLANK_FORMS]
    jobs += [thumbnail(form.png, form.pdf) for form in BLANK_FORMS]
    jobs.append(
        Job(
            routes.FORMS,
            "md",
            "forms.md.j2",
            {"items": [{"form": form, "pdf": form.pdf, "docx": form.docx, "png": form.png} for form in BLANK_FORMS]},
            sources=tuple(path for form in BLANK_FORMS for path in (form.pdf, form.docx)),
        )
    )
    site = model.site
    readme = KIT_README.format(
        county=site.county.name,
        date=chinese_date(model.today),
        guideline=model.guideline.title,
        items="\n".join(f"{i:02d} {form.title}：{form.summary}" for i, form in enumerate(BLANK_FORMS, start=1)),
        authority=site.authority.name,
        base_url=site.base_url,
    )
    members = [
        (f"{index:02d} {form.title}.{kind}", path)
        for index, form in enumerate(BLANK_FORMS, start=1)
        for kind, path in (("pdf", form.pdf), ("docx", form.docx))
    ]
    jobs.append(archive.kit(routes.FORM_KIT, members, readme, model.today))
    return jobs + certificate_pdfs(model)


def certificate_pdfs(model: SiteModel) -> list[Job]:
    """A certificate for every enterprise listed on the build date: the one PDF per enterprise the
    public site carries (the commitment letter belongs to the application)."""
    context = common_context(model)
    jobs = []
    for item in model.listed:
        assert item.period is not None and item.listed_from is not None
        schedule = item.period.schedule
        own = {**context, "document_date": item.listed_from}
        certificate = CertificateData(
            item.name,
            item.uscc,
            item.sector,
            item.qualifications,
            item.township,
            schedule.round.title,
            schedule.start,
            schedule.end,
            item.listed_from,
        )
        url = model.site.base_url + item.page
        jobs.append(pdf(routes.certificate(item.uscc), "certificate.html.j2", {**own, "e": certificate, "url": url}))
    return jobs


def staff_plan(staff: StaffModel, site: SiteSettings, guideline: Guideline) -> list[Job]:
    """Pre-filled application forms (with private contacts) and commitment letters for the
    enterprises staff are handling now. Never in the public site."""
    common = forms_context(site, guideline)
    jobs = []
    for application in staff.applications:
        # Dated by the application, not the build: a rebuild on another day renders only new forms.
        context = {**common, "document_date": application.applied_on}
        enterprise = application.enterprise
        jobs.append(
            pdf(
                routes.staff_application(enterprise.uscc),
                "application.html.j2",
                {**context, "e": enterprise, "round_title": application.round_title},
            )
        )
        lead = enterprise.epidemic_lead
        letter = LetterData(enterprise.name, enterprise.uscc, enterprise.legal_representative, lead.name, lead.title)
        jobs.append(pdf(routes.staff_commitment(enterprise.uscc), "commitment.html.j2", {**context, "e": letter}))
    return jobs
