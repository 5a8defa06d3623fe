"""The printable form kit: every PDF is A4, embeds Simplified Chinese fonts, says what it should,
prints where GB/T 9704 puts it, decodes its QR code, and is the same bytes every time."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
import zxingcpp
from bs4 import BeautifulSoup
from PIL import Image

from generator.errors import BuildError
from generator.inputs import load_inputs
from generator.model.site import SiteModel, gather
from generator.render import kit, notices
from generator.render.kit import BLANK_FORMS, BlankForm
from generator.render.pdf import FormRenderer, iter_pdfs
from generator.render.pdf import pdf as pdf_job
from generator.render.registry import Job
from tests.conftest import DATA, ROOT, TODAY

A4 = (595.28, 841.89)
MM = 72 / 25.4


def pdfinfo(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def page_size(path: Path) -> tuple[float, float]:
    match = re.search(r"([\d.]+) x ([\d.]+) pts", pdfinfo(path)["Page size"])
    assert match is not None
    return float(match.group(1)), float(match.group(2))


def fonts(path: Path) -> list[tuple[str, str]]:
    """(name, embedded?) of every font in the PDF."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    return [(row.split()[0], row.split()[-5]) for row in rows]


def text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def public_pdfs(site: Path) -> list[Path]:
    return sorted(site.rglob("*.pdf"))


def test_every_public_pdf_is_a4_with_embedded_simplified_chinese_fonts(built_site: Path) -> None:
    pdfs = public_pdfs(built_site)
    assert len(pdfs) >= 7 + 6 + 23
    for pdf in pdfs:
        width, height = sorted(page_size(pdf))
        assert (round(width, 1), round(height, 1)) == (round(A4[0], 1), round(A4[1], 1)), pdf
        used = fonts(pdf)
        assert used, pdf
        for name, embedded in used:
            assert embedded == "yes", (pdf, name)
            assert "CJK-SC" in name, (pdf, name)  # never the JP forms Han falls back to without lang


def test_pdfs_pass_qpdf_check(built_site: Path) -> None:
    for pdf in public_pdfs(built_site)[:20]:
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True, check=False)
        assert result.returncode == 0, (pdf, result.stdout[-500:])


@pytest.mark.parametrize("form", BLANK_FORMS, ids=lambda form: form.slug)
def test_blank_forms_carry_their_title_and_fields(built_site: Path, form: BlankForm) -> None:
    content = re.sub(r"\s+", "", text(built_site / "forms" / f"{form.slug}.pdf"))
    assert re.sub(r"\s+", "", form.title) in content
    assert "企业名称" in content


def test_application_form_fields(built_site: Path) -> None:
    content = re.sub(r"\s+", "", text(built_site / "forms" / "application.pdf"))
    for field in [
        "统一社会信用代码",
        "法定代表人",
        "疫情防控工作",  # a two-line label: its lines interleave with the next cell's in the text
        "规上工业企业",
        "乡镇（街道）",
        "县主管部门",
        "审核意见",
    ]:
        assert field in content, field
    assert pdfinfo(built_site / "forms" / "application.pdf")["Pages"].strip() == "1"


def test_self_check_has_a_row_per_article(built_site: Path) -> None:
    content = re.sub(r"\s+", "", text(built_site / "forms" / "self-check.pdf"))
    inputs = load_inputs(DATA)
    for article in inputs.guideline.articles:
        assert f"第{article.number}条" in content, article.number
        assert re.sub(r"\s+", "", article.text)[:12] in content, article.number


def test_landscape_logs(built_site: Path) -> None:
    for slug in ["health-log", "access-log", "materials-log"]:
        width, height = page_size(built_site / "forms" / f"{slug}.pdf")
        assert width > height, slug


def listed_code(site: Path) -> str:
    certificate = next((site / "whitelist").glob("*-certificate.pdf"))
    return certificate.name.removesuffix("-certificate.pdf")


def test_certificate_says_who_and_since_when(built_site: Path) -> None:
    code = listed_code(built_site)
    content = re.sub(r"\s+", "", text(built_site / "whitelist" / f"{code}-certificate.pdf"))
    assert "白名单企业证明" in content
    assert code in content and "新县工业和信息化局" in content
    since = re.search(r"自(\d{4}年\d{1,2}月\d{1,2}日)起为新县白名单企业", content)
    assert since is not None
    assert content.endswith(f"{since.group(1)}扫描二维码") or f"新县工业和信息化局{since.group(1)}" in content


def test_certificate_qr_code_decodes_to_the_verification_page(built_site: Path, tmp_path: Path) -> None:
    code = listed_code(built_site)
    pdf = built_site / "whitelist" / f"{code}-certificate.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    results = zxingcpp.read_barcodes(Image.open(tmp_path / "page.png"))
    assert [r.text for r in results] == [f"https://example.gov.cn/whitelist/whitelist/{code}.html"]
    assert (built_site / "whitelist" / f"{code}.html").is_file()


def test_the_public_site_carries_a_certificate_per_listed_enterprise_and_no_letters(built_site: Path) -> None:
    listed = {p.name.removesuffix("-certificate.pdf") for p in (built_site / "whitelist").glob("*-certificate.pdf")}
    assert len(listed) == 23
    assert sorted(p.name for p in (built_site / "whitelist").glob("*.pdf")) == sorted(
        f"{c}-certificate.pdf" for c in listed
    )


def test_staff_letters_are_prefilled_with_the_epidemic_lead_the_register_holds(built_site: Path) -> None:
    inputs = load_inputs(DATA)
    letters = sorted((built_site.parent / "staff" / "commitments").glob("*.pdf"))
    assert letters and not (built_site / "commitments").exists()
    for letter in letters:
        enterprise = next(e for e in inputs.register.enterprises if e.uscc == letter.stem)
        content = re.sub(r"\s+", "", text(letter))
        lead = enterprise.epidemic_lead
        assert "落实疫情防控主体责任承诺书" in content and enterprise.uscc in content
        assert f"姓名：{lead.name}，职务：{lead.title}" in content, letter


def page_words(pdf: Path, tmp_path: Path) -> list[tuple[float, float, float, str]]:
    """(left, top, right, text) in points of each word on the first page, as poppler finds them."""
    bbox = tmp_path / "bbox.html"
    subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), str(bbox)], check=True)
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', bbox.read_text()
    )
    return [(float(x0), float(y0), float(x1), word) for x0, y0, x1, word in found]


def test_the_blank_letter_leaves_room_to_write_a_name_and_a_long_title(built_site: Path, tmp_path: Path) -> None:
    words = page_words(built_site / "forms" / "commitment.pdf", tmp_path)
    margin = min(x0 for x0, _, _, _ in words)

    def blank_after(label: str) -> float:
        """A blank line holds no text: the gap to the next word (from the margin when it wrapped)."""
        index = next(i for i, word in enumerate(words) if word[3].endswith(label))
        here, after = words[index], words[index + 1]
        start = here[2] if abs(after[1] - here[1]) < 1 else margin
        return (after[0] - start) / MM

    assert blank_after("姓名：") >= 25 and blank_after("职务：") >= 38  # 常务副总经理, written by hand


def test_notice_text_box_sits_at_28_mm_and_37_mm(built_site: Path, tmp_path: Path) -> None:
    pdf = built_site / "notices" / "2026-01.pdf"
    words = page_words(pdf, tmp_path)
    body = [(x0, y0, x1) for x0, y0, x1, word in words if word not in ("示", "例")]
    left = min(x0 for x0, _, _ in body) / MM
    top = min(y0 for _, y0, _ in body) / MM
    right = max(x1 for _, _, x1 in body) / MM
    assert abs(left - 28) <= 1.5, left
    assert abs(top - 37) <= 1.5, top
    assert abs((210 - right) - 26) <= 1.5, right  # 156 mm type area
    content = text(pdf)
    assert re.search(r"—\s*1\s*—", content) and "2026年11月25日" in content
    assert re.sub(r"\s+", "", content).count("关于新县第四批工业、商贸流通、电商类白名单企业名单的公示") == 1


def test_notice_body_is_28_characters_a_line(built_site: Path) -> None:
    """GB/T 9704 5.2.3: 28 characters a line (fewer only where a line may not end or begin)."""
    first_page = text(built_site / "notices" / "2026-01.pdf").split("\f")[0]
    lengths = [len(re.sub(r"\s+", "", line)) for line in first_page.splitlines()]
    assert max(lengths) <= 28 + 3  # digits and Latin letters are half width
    assert lengths.count(28) >= 4


def test_sample_mark_on_every_pdf(built_site: Path) -> None:
    for pdf in public_pdfs(built_site)[:12]:
        assert "示" in text(pdf) and "例" in text(pdf), pdf


def test_forms_page_shows_every_form_with_a_thumbnail(built_site: Path) -> None:
    page = BeautifulSoup((built_site / "forms" / "index.html").read_text(encoding="utf-8"), "html.parser")
    figures = page.select(".wl-form")
    assert len(figures) == len(BLANK_FORMS)
    for figure in figures:
        image = figure.select_one("img")
        link = figure.select_one("a")
        assert image is not None and link is not None and image["alt"]
        assert (built_site / "forms" / str(image["src"])).is_file()
        assert (built_site / "forms" / str(link["href"])).is_file()


def test_form_kit_zip_holds_every_blank_form(built_site: Path) -> None:
    with zipfile.ZipFile(built_site / "downloads" / "form-kit.zip") as archive:
        names = archive.namelist()
        assert names[0] == "说明.txt" and len(names) == 2 * len(BLANK_FORMS) + 1  # each form as PDF and Word
        for index, form in enumerate(BLANK_FORMS, start=1):
            member = f"{index:02d} {form.title}.pdf"
            assert archive.read(member) == (built_site / "forms" / f"{form.slug}.pdf").read_bytes()
        assert all(info.date_time == (2026, 11, 28, 0, 0, 0) for info in archive.infolist())


def test_guideline_names_of_forms_link_to_them(built_site: Path) -> None:
    guide = BeautifulSoup((built_site / "guide" / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = guide.select_one('a[href="../forms/commitment.pdf"]')
    assert link is not None and link.get_text() == "落实疫情防控主体责任承诺书"
    process = BeautifulSoup((built_site / "process.html").read_text(encoding="utf-8"), "html.parser")
    link = process.select_one('a[href="forms/application.pdf"]')
    assert link is not None and link.get_text() == "工业企业白名单申请表"


def test_staff_forms_carry_private_contacts_and_stay_out_of_the_site(built_site: Path) -> None:
    staff = built_site.parent / "staff"
    forms = sorted(staff.glob("applications/*.pdf"))
    assert forms, "no staff application forms"
    inputs = load_inputs(DATA)
    by_code = {e.uscc: e for e in inputs.register.enterprises}
    for pdf in forms:
        enterprise = by_code[pdf.stem]
        assert enterprise.contact.phone in text(pdf)
        assert not (built_site / "applications").exists()


# --- reproducibility and failures ---------------------------------------------------------------


@pytest.fixture(scope="module")
def model() -> SiteModel:
    return gather(load_inputs(DATA), TODAY)


def blank_form_jobs(model: SiteModel) -> list[Job]:
    return [job for job in kit.plan(model) if job.format == "pdf" and job.path.startswith("forms/")]


def render_pdfs(jobs: list[Job], forms: Path, sample: bool, workers: int | None = None) -> list[bytes]:
    return list(iter_pdfs(jobs, forms, sample, workers))


def test_the_same_input_gives_the_same_bytes_serial_or_parallel(model: SiteModel) -> None:
    jobs = [*blank_form_jobs(model)[:2], *notices.notice_pdfs(model)[:2], *kit.certificate_pdfs(model)[:10]]
    serial = render_pdfs(jobs, ROOT / "forms", True, workers=1)
    parallel = render_pdfs(jobs, ROOT / "forms", True, workers=2)
    assert serial == parallel
    assert FormRenderer(ROOT / "forms", True).pdf(jobs[0]) == serial[0]


def test_per_enterprise_pdfs_do_not_change_with_the_build_date(model: SiteModel) -> None:
    """A rebuild on another day must not re-render thousands of unchanged certificates."""
    later = replace(model, today=date(2026, 12, 3))
    renderer = FormRenderer(ROOT / "forms", True)
    for job, later_job in zip(kit.certificate_pdfs(model)[:2], kit.certificate_pdfs(later)[:2], strict=True):
        assert renderer.pdf(job) == renderer.pdf(later_job)
    blank, later_blank = blank_form_jobs(model)[0], blank_form_jobs(later)[0]
    assert renderer.pdf(blank) != renderer.pdf(later_blank)  # blank forms carry the build date


def copy_forms(tmp_path: Path) -> Path:
    target = tmp_path / "forms"
    shutil.copytree(ROOT / "forms", target)
    return target


def test_a_template_error_fails_with_its_file_and_line(tmp_path: Path, model: SiteModel) -> None:
    forms = copy_forms(tmp_path)
    (forms / "weekly_report.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block content %}\n{{ no_such_variable.field }}\n{% endblock %}\n',
        encoding="utf-8",
    )
    jobs = [job for job in blank_form_jobs(model) if "weekly" in str(job.path)]
    with pytest.raises(BuildError) as raised:
        render_pdfs(jobs, forms, True)
    assert "weekly_report.html.j2:3" in str(raised.value) and "no_such_variable" in str(raised.value)


def test_a_missing_image_fails_the_build(tmp_path: Path, model: SiteModel) -> None:
    forms = copy_forms(tmp_path)
    (forms / "weekly_report.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block content %}<img src="images/seal.png">{% endblock %}\n', encoding="utf-8"
    )
    jobs = [job for job in blank_form_jobs(model) if "weekly" in str(job.path)]
    with pytest.raises(BuildError) as raised:
        render_pdfs(jobs, forms, True)
    assert "weekly-report.pdf" in str(raised.value) and "seal.png" in str(raised.value)


def test_no_file_outside_forms_is_read(tmp_path: Path) -> None:
    forms = copy_forms(tmp_path)
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    (forms / "leak.html.j2").write_text(
        '{% extends "base.html.j2" %}\n{% block head %}<link rel="stylesheet" href="../secret.css">{% endblock %}\n'
        "{% block content %}x{% endblock %}\n",
        encoding="utf-8",
    )
    job = pdf_job("leak.pdf", "leak.html.j2", {"issuer": "x", "document_date": TODAY})
    with pytest.raises(BuildError) as raised:
        FormRenderer(forms, False).pdf(job)
    assert "secret.css" in str(raised.value)


def test_no_sample_mark_without_sample(model: SiteModel) -> None:
    job = blank_form_jobs(model)[0]
    data = FormRenderer(ROOT / "forms", sample=False).pdf(job)
    from pypdf import PdfReader

    page_text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "示例" not in page_text.replace("\n", "")
