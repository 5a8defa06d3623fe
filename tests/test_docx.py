"""The Word versions of the blank forms: beside every PDF, linked from the forms page and in the
kit; they open in python-docx, carry the PDF's content and tables, name the Chinese fonts Word
and WPS need, are A4 in the PDF's orientation, and are the same bytes every time."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Length, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from generator.inputs import load_inputs
from generator.model.site import SiteModel, gather
from generator.register.models import DECLARATION_NAMES, EXCLUSION_NAMES, QUALIFICATIONS, SECTORS
from generator.render import kit
from generator.render.docx import FORMAT, LANDSCAPE, PORTRAIT
from generator.render.kit import BLANK_FORMS, BlankForm
from generator.render.registry import Job, Run
from tests.conftest import DATA, ROOT, TODAY

LANDSCAPE_FORMS = {"health-log", "access-log", "materials-log"}
# rows × columns of each form's table (the commitment letter has none)
SHAPES = {
    "application": (15, 4),
    "health-log": (19, 11),
    "access-log": (19, 14),
    "materials-log": (19, 14),
    "self-check": (21, 4),
    "weekly-report": (16, 5),
}
BLANK = "\u3000"


def open_form(site: Path, form: BlankForm) -> WordDocument:
    return Document(str(site / form.docx))


def paragraphs(doc: WordDocument) -> list[Paragraph]:
    """Every paragraph of the body, in tables and tables in tables too, once each."""
    return [Paragraph(p, doc) for p in doc.element.body.iter(qn("w:p"))]


def body_text(doc: WordDocument) -> str:
    return "\n".join(paragraph.text for paragraph in paragraphs(doc))


def only_table(doc: WordDocument) -> Table:
    assert len(doc.tables) == 1
    table: Table = doc.tables[0]
    return table


def row_flags(table: Table, index: int) -> set[str]:
    properties = table.rows[index]._tr.trPr
    return {child.tag.rpartition("}")[2] for child in properties} if properties is not None else set()


def mm(length: Length | None) -> float:
    assert length is not None
    return round(float(length.mm), 1)


@pytest.fixture(scope="module")
def model() -> SiteModel:
    return gather(load_inputs(DATA), TODAY)


def word_jobs(model: SiteModel) -> list[Job]:
    return [job for job in kit.plan(model) if job.format == "docx"]


def render(jobs: list[Job], sample: bool = True) -> list[bytes]:
    return list(FORMAT.render(jobs, Run(ROOT / "forms", sample)))


@pytest.mark.parametrize("form", BLANK_FORMS, ids=lambda form: form.slug)
def test_every_blank_form_has_a_word_version_with_its_title(
    built_site: Path, model: SiteModel, form: BlankForm
) -> None:
    doc = open_form(built_site, form)
    title = doc.paragraphs[0]
    assert title.style is not None and title.style.name == "表格标题"
    assert title.text.endswith(form.title)
    properties = doc.core_properties
    assert properties.title == title.text
    assert properties.author == properties.last_modified_by == model.site.authority.name
    assert properties.created == properties.modified == datetime(2026, 11, 28, tzinfo=UTC)
    assert properties.language == "zh-CN" and properties.revision == 1


@pytest.mark.parametrize("form", BLANK_FORMS, ids=lambda form: form.slug)
def test_word_forms_are_a4_in_the_orientation_of_their_pdf(built_site: Path, form: BlankForm) -> None:
    (section,) = open_form(built_site, form).sections
    landscape = form.slug in LANDSCAPE_FORMS
    assert (mm(section.page_width), mm(section.page_height)) == ((297, 210) if landscape else (210, 297))
    assert section.orientation == (WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT)
    page = LANDSCAPE if landscape else PORTRAIT
    assert (mm(section.left_margin), mm(section.right_margin)) == (page.left, page.right)


@pytest.mark.parametrize("form", [f for f in BLANK_FORMS if f.slug in SHAPES], ids=lambda form: form.slug)
def test_word_tables_have_their_rows_and_columns_and_keep_their_shape(built_site: Path, form: BlankForm) -> None:
    doc = open_form(built_site, form)
    table = only_table(doc)
    assert (len(table.rows), len(table.columns)) == SHAPES[form.slug]
    # Fixed layout and every width written out: Word and WPS do not reflow the columns.
    layout = table._tbl.tblPr.find(qn("w:tblLayout"))
    assert layout is not None and layout.get(qn("w:type")) == "fixed"
    widths = [mm(column.width) for column in table.columns]
    section = doc.sections[0]
    type_area = mm(section.page_width) - mm(section.left_margin) - mm(section.right_margin)
    assert abs(sum(widths) - type_area) < 1, (widths, type_area)
    assert all(cell.get(qn("w:w")) for cell in table._tbl.iter(qn("w:tcW")))
    assert all("cantSplit" in row_flags(table, index) for index in range(len(table.rows)))


def test_commitment_letter_is_in_fangsong_with_no_table(built_site: Path, model: SiteModel) -> None:
    doc = open_form(built_site, BLANK_FORMS[1])
    assert not doc.tables
    letter = [p for p in doc.paragraphs if p.style is not None and p.style.name == "信函正文"]
    assert letter[0].text == f"{model.site.authority.name}："
    assert [p.text[:2] for p in letter[2:10]] == ["一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、"]
    assert "（姓名：" in letter[2].text and "，职务：" in letter[2].text
    assert any(p.text.startswith("法定代表人（签字）：") for p in letter)


@pytest.mark.parametrize("slug", sorted(LANDSCAPE_FORMS))
def test_logs_repeat_their_two_header_rows_and_number_seventeen(built_site: Path, slug: str) -> None:
    form = next(form for form in BLANK_FORMS if form.slug == slug)
    table = only_table(open_form(built_site, form))
    assert [("tblHeader" in row_flags(table, index)) for index in range(3)] == [True, True, False]
    assert [row.cells[0].text for row in table.rows[2:]] == [str(n) for n in range(1, 18)]
    assert table.rows[0].cells[0].text == "序号"


def test_self_check_has_a_row_per_article_of_the_guideline(built_site: Path) -> None:
    articles = load_inputs(DATA).guideline.articles
    assert [a.number for a in articles] == list(range(1, 21))
    table = only_table(open_form(built_site, next(f for f in BLANK_FORMS if f.slug == "self-check")))
    assert [cell.text for cell in table.rows[0].cells] == ["条目", "工作要求", "落实情况", "存在问题及整改措施"]
    assert "tblHeader" in row_flags(table, 0) and "tblHeader" not in row_flags(table, 1)
    for row, article in zip(table.rows[1:], articles, strict=True):
        cells = row.cells
        assert cells[0].text == f"第{article.number}条"
        assert cells[1].text == article.text
        assert cells[2].text.split("\n") == ["□已落实", "□部分落实", "□未落实"]
        assert cells[3].text == ""


def test_application_lists_every_declaration_exclusion_and_qualification(built_site: Path) -> None:
    doc = open_form(built_site, BLANK_FORMS[0])
    text = body_text(doc)
    for item in [*DECLARATION_NAMES.values(), *QUALIFICATIONS]:
        assert f"□{item}" in text, item
    for number, item in enumerate(EXCLUSION_NAMES.values(), start=1):
        assert f"{number}. {item}" in text, item
    assert "□工业" in text and all(f"□{sector}类" in text for sector in SECTORS if sector != "工业")
    assert "本企业不存在下列情形" in text and "（包联县领导：" in text
    # the unified social credit code: 18 boxes in a table of their own
    code = only_table(doc).rows[1].cells[1].tables
    assert len(code) == 1 and len(code[0].columns) == 18
    assert text.count("（盖章）") == 3  # the enterprise, the township and the county department


def signature_blanks(doc: WordDocument) -> list[float]:
    """The width in mm of the line after each "（签字）：" and "（盖章）："."""
    widths = []
    for paragraph in paragraphs(doc):
        runs = paragraph.runs
        for run, after in pairwise(runs):
            if run.text.endswith(("（签字）：", "（盖章）：")):
                assert after.underline and set(after.text) == {BLANK}, paragraph.text
                size = after.font.size or (paragraph.style.font.size if paragraph.style else None) or Pt(10.5)
                widths.append(len(after.text) * size.pt * 25.4 / 72)
    return widths


@pytest.mark.parametrize("form", BLANK_FORMS, ids=lambda form: form.slug)
def test_signature_blanks_hold_a_handwritten_name_and_title(built_site: Path, form: BlankForm) -> None:
    """Room for 常务副总经理 written by hand: at least 40 mm."""
    widths = signature_blanks(open_form(built_site, form))
    if form.slug not in ("access-log", "weekly-report"):  # signed in a column or a cell of their own
        assert widths
    assert all(width >= 40 for width in widths), widths


def member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def test_word_forms_name_the_chinese_fonts_and_language(built_site: Path) -> None:
    for form in BLANK_FORMS:
        path = built_site / form.docx
        styles = parse_xml(member(path, "word/styles.xml"))
        defaults = f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}"
        assert styles.findall(f"{defaults}/{qn('w:rFonts')}")[0].get(qn("w:eastAsia")) == "宋体"
        assert styles.findall(f"{defaults}/{qn('w:lang')}")[0].get(qn("w:eastAsia")) == "zh-CN"
        east_asian = {
            style.get(qn("w:styleId")): fonts.get(qn("w:eastAsia"))
            for style in styles.iter(qn("w:style"))
            for fonts in style.iter(qn("w:rFonts"))
        }
        assert east_asian["Normal"] == "宋体" and east_asian["表格标题"] == "黑体"
        assert east_asian["信函正文"] == "仿宋_GB2312"
        fonts = parse_xml(member(path, "word/fontTable.xml"))
        table = {
            font.get(qn("w:name")): (font.find(qn("w:altName")), font.find(qn("w:charset")))
            for font in fonts.iter(qn("w:font"))
        }
        for name in ("宋体", "黑体", "仿宋_GB2312"):
            charset = table[name][1]
            assert charset is not None and charset.get(qn("w:val")) == "86"  # GB2312
        alternative = table["仿宋_GB2312"][0]
        assert alternative is not None and alternative.get(qn("w:val")) == "仿宋"


def test_word_forms_are_the_same_bytes_every_time(built_site: Path, model: SiteModel) -> None:
    jobs = word_jobs(model)
    assert [job.path for job in jobs] == [form.docx for form in BLANK_FORMS]
    first, second = render(jobs), render(jobs)
    assert first == second
    assert first == [(built_site / job.path).read_bytes() for job in jobs]
    with zipfile.ZipFile(io.BytesIO(first[0])) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time for info in archive.infolist()} == {(2026, 11, 28, 0, 0, 0)}
    later = word_jobs(gather(load_inputs(DATA), date(2026, 12, 3)))
    (dated,) = render(later[:1])
    assert dated != first[0]
    assert Document(io.BytesIO(dated)).core_properties.created == datetime(2026, 12, 3, tzinfo=UTC)


def test_sample_mark_only_on_sample_sites(model: SiteModel) -> None:
    job = word_jobs(model)[0]
    (sample,) = render([job], sample=True)
    (real,) = render([job], sample=False)
    assert Document(io.BytesIO(sample)).sections[0].header.paragraphs[0].text == "示例"
    assert all("示例" not in member_text for member_text in texts_of(real))


def texts_of(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith(".xml")]


@pytest.mark.parametrize("form", [f for f in BLANK_FORMS if f.slug != "self-check"], ids=lambda form: form.slug)
def test_word_form_says_what_its_pdf_says(built_site: Path, form: BlankForm) -> None:
    """Every phrase of the Word form is on the PDF (the self-check's columns interleave in
    pdftotext; its rows are checked against the guideline above). 示 and 例 are dropped: the
    PDF's sample mark lands inside lines of text."""
    out = subprocess.run(["pdftotext", str(built_site / form.pdf), "-"], capture_output=True, text=True, check=True)
    pdf = re.sub(r"[\s示例]+", "", out.stdout)
    missing = [
        phrase
        for paragraph in paragraphs(open_form(built_site, form))
        for phrase in re.split(r"[\s\u3000□]+", paragraph.text.replace("示", "").replace("例", ""))
        if phrase and phrase not in pdf
    ]
    assert not missing


def test_forms_page_links_each_word_form(built_site: Path) -> None:
    page = BeautifulSoup((built_site / "forms" / "index.html").read_text(encoding="utf-8"), "html.parser")
    for form, figure in zip(BLANK_FORMS, page.select(".wl-form"), strict=True):
        link = figure.select_one(f'a[href="{form.slug}.docx"]')
        assert link is not None and link.get_text() == "Word", form.slug
        assert figure.select_one(f'a[href="{form.slug}.pdf"]') is not None
        size = round((built_site / form.docx).stat().st_size / 1024)
        assert f"Word\xa0{size}\xa0KB" in figure.get_text()


def test_form_kit_zip_holds_the_word_forms(built_site: Path) -> None:
    kit_zip = built_site / "downloads" / "form-kit.zip"
    with zipfile.ZipFile(kit_zip) as archive:
        names = archive.namelist()
        for index, form in enumerate(BLANK_FORMS, start=1):
            name = f"{index:02d} {form.title}.docx"
            assert names.index(name) == names.index(f"{index:02d} {form.title}.pdf") + 1
            assert archive.read(name) == (built_site / form.docx).read_bytes()
        assert "Word 版（.docx）" in archive.read("说明.txt").decode("utf-8")
