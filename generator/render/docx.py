"""Render stage: the blank forms of the kit as editable Word documents (.docx).

Enterprises and offices fill forms in Word or WPS, so each blank form is also built here, in
code, with python-docx: the same titles, fields, tables and blanks as its PDF, from the same job
data (`forms_context` and `document_date`). Fonts are named for Word and WPS on Windows — 宋体,
仿宋_GB2312 (with 仿宋 as its stand-in in the font table) and 黑体 — because a Word document
only names fonts, and the language is zh-CN so that punctuation and □ take the Chinese font.
Tables have a fixed layout with explicit column widths so they keep their shape when edited.

Pure: the same job and sample flag give the same bytes. The core properties carry the job's
`document_date`, never the clock, and the zip python-docx writes is rewritten with fixed dates.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from docx import Document
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_PARAGRAPH_ALIGNMENT, WD_TAB_ALIGNMENT
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from generator.render.archive import build_zip
from generator.render.letters import CLOSING, COMMITMENTS, LEAD
from generator.render.registry import Format, Job, Run

SONG = "宋体"  # body and tables
FANGSONG = "仿宋_GB2312"  # letter text, as in government letters
FANGSONG_FALLBACK = "仿宋"  # what Windows has when 仿宋_GB2312 is not installed
HEI = "黑体"  # titles
LATIN = "Times New Roman"
# Font table entries Word writes itself for these fonts: a GB2312 charset (86) lets Word and
# WPS pick a Chinese font when the named one is missing; altName names the one to try first.
FONT_TABLE = {
    SONG: ("SimSun", "auto", "variable"),
    FANGSONG: (FANGSONG_FALLBACK, "modern", "fixed"),
    FANGSONG_FALLBACK: ("FangSong", "modern", "fixed"),
    HEI: ("SimHei", "modern", "fixed"),
}
BLANK = "\u3000"  # an ideographic space: underlined, a line as wide as one character to write on
BOX = "□"
SIGNATURE = 12  # characters of 五号: 44 mm, room for a handwritten name or 常务副总经理
DATE = "年　　月　　日"


@dataclass(frozen=True)
class Page:
    """A4 in one orientation; margins in mm."""

    landscape: bool
    top: float
    right: float
    bottom: float
    left: float

    @property
    def text_width(self) -> float:
        return (297 if self.landscape else 210) - self.left - self.right


PORTRAIT = Page(False, 15, 15, 15, 18)
LANDSCAPE = Page(True, 12, 12, 12, 14)  # the logs: as wide as their PDFs


@dataclass(frozen=True)
class Text:
    """A run of a paragraph."""

    text: str
    bold: bool = False
    size: float | None = None  # pt; the paragraph's style otherwise
    underline: bool = False
    style: str | None = None  # a character style


Part = str | Text


def blank(chars: int) -> Text:
    """A line to write on, `chars` characters wide."""
    return Text(BLANK * chars, underline=True)


def box(label: str) -> str:
    return f"{BOX}{label}"


def choices(labels: Iterable[str]) -> str:
    return "　".join(box(label) for label in labels)


def date_blank(short: int = 3) -> list[Part]:
    return [blank(short), "年", blank(short), "月", blank(short), "日"]


class Form:
    """One Word form being written: python-docx's document with the kit's page and styles."""

    def __init__(self, data: dict[str, Any], page: Page, sample: bool) -> None:
        self.data = data
        self.page = page
        self.doc: WordDocument = Document()
        self._page()
        self._styles()
        self._properties(data["document_date"])
        if sample:
            # In the page header, not across the page as on the PDF: a watermark is a drawing
            # python-docx cannot make.
            header = self.doc.sections[0].header.paragraphs[0]
            header.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
            mark = header.add_run("示例")
            mark.bold = True
            mark.font.size = Pt(14)
            mark.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)

    def _page(self) -> None:
        section = self.doc.sections[0]
        page = self.page
        section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (Mm(297), Mm(210)) if page.landscape else (Mm(210), Mm(297))
        section.top_margin, section.right_margin = Mm(page.top), Mm(page.right)
        section.bottom_margin, section.left_margin = Mm(page.bottom), Mm(page.left)
        section.header_distance = section.footer_distance = Mm(6)

    def _styles(self) -> None:
        styles = self.doc.styles
        # Document defaults: every run not otherwise set is 宋体, Chinese, with ambiguous
        # characters (quotes, □, ℃) drawn by the East Asian font.
        defaults = styles.element.find(qn("w:docDefaults"))
        assert defaults is not None
        run_defaults = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        assert run_defaults is not None
        fonts = run_defaults.find(qn("w:rFonts"))
        assert fonts is not None
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        _set(fonts, ascii=LATIN, hAnsi=LATIN, eastAsia=SONG, cs=LATIN, hint="eastAsia")
        language = run_defaults.find(qn("w:lang"))
        assert language is not None
        _set(language, val="zh-CN", eastAsia="zh-CN")
        settings = self.doc.settings.element
        settings_language = settings.find(qn("w:themeFontLang"))
        if settings_language is not None:
            _set(settings_language, val="zh-CN", eastAsia="zh-CN")
        # Word leaves spaces at the end of a line without their underline unless told to: the
        # blanks to write on are underlined spaces. (First in w:compat, as the schema orders it.)
        compat = settings.find(qn("w:compat"))
        if compat is not None:
            compat.insert(0, OxmlElement("w:ulTrailSpace"))

        normal = styles["Normal"]
        _fonts(normal, SONG)
        normal.font.size = Pt(10.5)  # 五号
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = 1.0

        title = styles.add_style("表格标题", WD_STYLE_TYPE.PARAGRAPH)
        title.base_style = normal
        _fonts(title, HEI)
        title.font.size = Pt(18)  # 小二
        title.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
        title.paragraph_format.space_after = Mm(3)
        title.paragraph_format.keep_with_next = True

        letter = styles.add_style("信函正文", WD_STYLE_TYPE.PARAGRAPH)
        letter.base_style = normal
        _fonts(letter, FANGSONG)
        letter.font.size = Pt(14)  # 四号
        letter.paragraph_format.line_spacing = Pt(25)
        letter.paragraph_format.first_line_indent = Pt(28)  # two characters
        letter.paragraph_format.alignment = WD_PARAGRAPH_ALIGNMENT.JUSTIFY

        lead = styles.add_style("条目序号", WD_STYLE_TYPE.CHARACTER)
        _fonts(lead, HEI)

    def _properties(self, day: date) -> None:
        """Fixed: the template's are python-docx's own, dated 2013."""
        properties = self.doc.core_properties
        stamp = datetime(day.year, day.month, day.day, tzinfo=UTC)
        issuer = self.data["issuer"]
        properties.subject = self.data["guideline_title"]
        properties.author = issuer
        properties.last_modified_by = issuer
        properties.comments = ""
        properties.language = "zh-CN"
        properties.revision = 1
        properties.created = stamp
        properties.modified = stamp

    def paragraph(self, parts: Sequence[Part] = (), style: str | None = None) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        fill(paragraph, parts)
        return paragraph

    def title(self, text: str) -> None:
        self.doc.core_properties.title = text
        self.paragraph([text], style="表格标题")

    def meta(self, *fields: Sequence[Part]) -> None:
        """A line of fields above a table, spread over the width like the PDF's: the first at the
        left, the last at the right, the space between them shared equally."""
        paragraph = self.paragraph()
        stops = paragraph.paragraph_format.tab_stops
        widths = [sum(_width(part) for part in field) for field in fields]
        gap = (self.page.text_width - sum(widths)) / max(1, len(fields) - 1)
        parts: list[Part] = []
        for index, field in enumerate(fields):
            if index == len(fields) - 1 and index:
                stops.add_tab_stop(Mm(self.page.text_width), WD_TAB_ALIGNMENT.RIGHT)
                parts.append("\t")
            elif index:
                stops.add_tab_stop(Mm(sum(widths[:index]) + gap * index))
                parts.append("\t")
            parts += field
        fill(paragraph, parts)
        paragraph.paragraph_format.space_after = Mm(1.5)
        paragraph.paragraph_format.keep_with_next = True

    def table(self, widths: Sequence[float], rows: int) -> Table:
        """A bordered table of `rows` rows and columns of `widths` percent of the type area.
        Fixed layout with every width written out: Word and WPS keep its shape when edited."""
        mm = [self.page.text_width * width / 100 for width in widths]
        return grid(self.doc.add_table(rows=rows, cols=len(mm)), mm)

    def notes(self, items: Sequence[str]) -> None:
        first = self.paragraph([Text("填表说明：", size=9)])
        first.paragraph_format.space_before = Mm(1.5)
        first.paragraph_format.keep_with_next = True
        for index, item in enumerate(items, start=1):
            line = self.paragraph([Text(f"{index}. {item}", size=9)])
            line.paragraph_format.left_indent = Mm(4)
            line.paragraph_format.keep_with_next = index < len(items)

    def note(self, text: str) -> None:
        paragraph = self.paragraph([Text(text, size=9)])
        paragraph.paragraph_format.space_before = Mm(1.5)

    def signature(self, label: str, seal: bool = False, dated: bool = False, before: float = 4) -> None:
        """A signature line at the right, with the seal and the date below it when asked. Indented
        rather than right-aligned: a right-aligned paragraph hides the blank when it ends the line."""
        parts: list[Part] = [f"{label}（签字）：", blank(SIGNATURE)]
        if seal:
            parts.append("　　企业（盖章）")
        line = self.paragraph(parts)
        line.paragraph_format.left_indent = Mm(self.page.text_width - sum(map(_width, parts)) - 2)
        line.paragraph_format.space_before = Mm(before)
        if dated:
            line.paragraph_format.keep_with_next = True
            when = self.paragraph([DATE])
            when.alignment = WD_PARAGRAPH_ALIGNMENT.RIGHT
            when.paragraph_format.space_before = Mm(3)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return finish(buffer.getvalue(), self.data["document_date"])


def _width(part: Part) -> float:
    """About how wide a part is in 五号, in mm: Chinese characters are square, others half."""
    text = part.text if isinstance(part, Text) else part
    return sum(1 if ord(char) >= 0x2E80 else 0.5 for char in text) * 10.5 * 25.4 / 72


def _set(element: Any, **attributes: str) -> None:
    for name, value in attributes.items():
        element.set(qn(f"w:{name}"), value)


def _fonts(style: BaseStyle, east_asian: str) -> None:
    """python-docx sets only the Latin font names; Word takes Chinese text's font from eastAsia."""
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    _set(fonts, ascii=LATIN, hAnsi=LATIN, eastAsia=east_asian)


def fill(paragraph: Paragraph, parts: Iterable[Part]) -> None:
    """Runs for the parts; python-docx turns newlines into line breaks and tab characters into tabs."""
    for part in parts:
        text = part if isinstance(part, Text) else Text(part)
        run = paragraph.add_run(text.text, style=text.style)
        run.bold = text.bold or None
        run.underline = text.underline or None
        if text.size is not None:
            run.font.size = Pt(text.size)


def grid(table: Table, widths: Sequence[float]) -> Table:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    return table


def write(cell: _Cell, parts: Sequence[Part], align: WD_PARAGRAPH_ALIGNMENT | None = None) -> Paragraph:
    """Parts into the cell: its empty first paragraph, then new ones."""
    paragraph: Paragraph = cell.paragraphs[-1]
    if paragraph.runs:
        paragraph = cell.add_paragraph()
    fill(paragraph, parts)
    if align is not None:
        paragraph.alignment = align
    return paragraph


def label(cell: _Cell, text: str, small: str = "") -> None:
    """A field's name: bold and centred, with a note in small type below it."""
    write(cell, [Text(text, bold=True)], WD_PARAGRAPH_ALIGNMENT.CENTER)
    if small:
        write(cell, [Text(small, size=8.5)], WD_PARAGRAPH_ALIGNMENT.CENTER)


def code_boxes(cell: _Cell) -> None:
    """Eighteen boxes for the unified social credit code, as a table inside the cell."""
    empty = cell.paragraphs[0]
    grid(cell.add_table(rows=1, cols=18), [6.5] * 18).alignment = WD_TABLE_ALIGNMENT.LEFT
    # Word needs the paragraph python-docx adds after a table in a cell, not the one before it.
    cell._tc.remove(empty._p)


def span(table: Table, row: int, first: int, last: int, rows: int = 1) -> _Cell:
    # By rows: python-docx's table.cell() lays out the whole table on every call.
    start: _Cell = table.rows[row].cells[first]
    merged: _Cell = start.merge(table.rows[row + rows - 1].cells[last])
    return merged


def height(table: Table, mm: float, rows: Iterable[int] | None = None) -> None:
    """At least `mm` high: a row still grows with what is typed into it."""
    for index in rows if rows is not None else range(len(table.rows)):
        table.rows[index].height = Mm(mm)
        table.rows[index].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def row_flags(table: Table, header_rows: int = 0) -> None:
    """No row breaks across pages; the first `header_rows` repeat on every page. python-docx has no
    API for either (w:cantSplit, w:tblHeader)."""
    for index, row in enumerate(table.rows):
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if index < header_rows:
            properties.append(OxmlElement("w:tblHeader"))


def opinion(cell: _Cell) -> None:
    """Room for an office's opinion, with its seal and date at the bottom right."""
    write(cell, ["（盖章）"], WD_PARAGRAPH_ALIGNMENT.RIGHT)
    write(cell, [DATE], WD_PARAGRAPH_ALIGNMENT.RIGHT).paragraph_format.space_before = Mm(2)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM


def finish(data: bytes, day: date) -> bytes:
    """The saved document with the Chinese fonts in its font table and every zip member dated `day`."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return build_zip(
        [(name, _font_table(body) if name == "word/fontTable.xml" else body) for name, body in members], day
    )


def _font_table(xml: bytes) -> bytes:
    """Entries for the Chinese fonts; python-docx has no API for the font table."""
    fonts = parse_xml(xml)
    for name, (alternative, family, pitch) in FONT_TABLE.items():
        font = OxmlElement("w:font", {qn("w:name"): name})
        for tag, value in (("w:altName", alternative), ("w:charset", "86"), ("w:family", family), ("w:pitch", pitch)):
            font.append(OxmlElement(tag, {qn("w:val"): value}))
        fonts.append(font)
    return serialize_part_xml(fonts)


# The forms, as in forms/*.html.j2.


def application(form: Form) -> None:
    data = form.data
    form.title(f"{data['county']}工业企业白名单申请表")
    form.meta(["申报批次：", blank(10)], ["填表日期：", *date_blank()])
    table = form.table((17, 33, 17, 33), 15)
    for row in (0, 1, 2, 4, 5, 9, 10, 11, 12, 13):
        span(table, row, 1, 3)
    rows = table.rows
    label(rows[0].cells[0], "企业名称", "（与公章一致）")
    label(rows[1].cells[0], "统一社会信用\n代码")
    code_boxes(rows[1].cells[1])
    label(rows[2].cells[0], "企业类别")
    write(rows[2].cells[1], [choices(s + ("" if s == "工业" else "类") for s in data["sectors"])])
    for row, left, right in (
        (3, "所属乡镇\n（街道）", "所属行业"),
        (6, "法定代表人", "从业人数"),
        (7, "疫情防控工作\n主要负责人", "职务"),
        (8, "联系人", "联系电话"),
    ):
        label(rows[row].cells[0], left)
        label(rows[row].cells[2], right)
    write(rows[6].cells[3], [blank(10), " 人"])
    label(rows[4].cells[0], "生产经营地址")
    label(rows[5].cells[0], "主要产品", "（经营范围）")
    label(rows[9].cells[0], "申报条件", "（符合其一，可多选）")
    for item in data["qualifications"]:
        liaison: list[Part] = ["（包联县领导：", blank(8), "）"] if item == "万人助万企县领导包联企业" else []
        write(rows[9].cells[1], [box(item), *liaison])
    label(rows[10].cells[0], "基本条件", "（逐项确认）")
    declarations = [text for _, text in data["declarations"]]
    for start in range(0, len(declarations), 3):
        write(rows[10].cells[1], [choices(declarations[start : start + 3])])
    label(rows[11].cells[0], "不得纳入的情形")
    exclusions = "；".join(f"{index}. {text}" for index, (_, text) in enumerate(data["exclusions"], start=1))
    write(rows[11].cells[1], ["本企业", Text("不存在", bold=True), f"下列情形：{exclusions}。"])
    label(rows[12].cells[0], "附送材料")
    write(rows[12].cells[1], [choices(("营业执照复印件", "疫情防控和闭环管理方案", "应急处置预案"))])
    write(rows[12].cells[1], [choices(("《落实疫情防控主体责任承诺书》", "其他：")), blank(10)])
    label(rows[13].cells[0], "企业承诺")
    promise = rows[13].cells[1]
    write(
        promise,
        [
            "本企业对所填内容和所附材料的真实性、准确性负责，自愿遵守《"
            f"{data['guideline_title']}》，严格落实疫情防控主体责任；如有不实，愿意承担相应责任并接受移出白名单等处理。"
        ],
    )
    sign = write(promise, ["法定代表人（签字）：", blank(SIGNATURE), "　　企业（盖章）"], WD_PARAGRAPH_ALIGNMENT.RIGHT)
    sign.paragraph_format.space_before = Mm(6)
    write(promise, [DATE], WD_PARAGRAPH_ALIGNMENT.RIGHT).paragraph_format.space_before = Mm(3)
    label(rows[14].cells[0], "乡镇（街道）\n初审意见")
    label(rows[14].cells[2], "县主管部门\n审核意见")
    opinion(rows[14].cells[1])
    opinion(rows[14].cells[3])
    height(table, 10.5)
    height(table, 13, (4, 5))
    height(table, 38, (14,))
    row_flags(table)
    form.notes(
        [
            f"本表一式两份，连同附送材料报所在乡镇（街道）初审，再报{data['authority']}审核。",
            f"经审核批准的企业在{data['county']}政府网站公示 {data['workdays']} 个工作日，公示期满无异议的纳入白名单。",
        ]
    )


NUMERALS = "一二三四五六七八"


def commitment(form: Form) -> None:
    data = form.data
    form.title("落实疫情防控主体责任承诺书")
    to = form.paragraph([f"{data['authority']}："], style="信函正文")
    to.paragraph_format.first_line_indent = Pt(0)
    form.paragraph(
        [f"为严格落实《{data['guideline_title']}》，切实履行企业疫情防控主体责任，本企业郑重承诺："],
        style="信函正文",
    )
    for numeral, text in zip(NUMERALS, COMMITMENTS, strict=True):
        before, lead, after = text.partition(LEAD)
        parts: list[Part] = [Text(f"{numeral}、", style="条目序号"), before]
        if lead:
            parts += ["姓名：", blank(8), "，职务：", blank(8), after]
        form.paragraph(parts, style="信函正文")
    form.paragraph([CLOSING], style="信函正文")
    lines: tuple[list[Part], ...] = (
        ["企业名称（盖章）：", blank(11)],
        ["法定代表人（签字）：", blank(10)],
        ["日　　期：", blank(3), "年", blank(2), "月", blank(2), "日"],
    )
    for index, line in enumerate(lines):
        sign = form.paragraph(line, style="信函正文")
        sign.paragraph_format.first_line_indent = Pt(0)
        sign.paragraph_format.left_indent = Mm(62)
        sign.paragraph_format.line_spacing = Pt(34)
        if index == 0:
            sign.paragraph_format.space_before = Mm(6)


@dataclass(frozen=True)
class Log:
    """A landscape log: columns in percent, a two-row header (`top` spans, then the columns under
    them), numbered rows to fill in, and a note."""

    title: str
    widths: tuple[float, ...]
    top: tuple[tuple[str, int], ...]  # (heading, columns it spans); a span of 1 covers both header rows
    below: tuple[str, ...]  # headings of the second row, under the spans wider than one column
    meta: tuple[tuple[Part, ...], ...]
    note: str
    signed: bool


LOG_ROWS = 17
LOG_ROW_HEIGHT = 7.5  # mm: 17 rows, the note and the signature fill one landscape page, as on the PDF


def log(form: Form, spec: Log) -> None:
    form.title(spec.title)
    form.meta(*spec.meta)
    table = form.table(spec.widths, 2 + LOG_ROWS)
    column = 0
    below = iter(spec.below)
    for heading, columns in spec.top:
        if columns == 1:
            cell = span(table, 0, column, column, rows=2)
        else:
            cell = span(table, 0, column, column + columns - 1)
            for offset in range(columns):
                head(table.rows[1].cells[column + offset], next(below))
        head(cell, heading)
        column += columns
    for number, row in enumerate(table.rows[2:], start=1):
        write(row.cells[0], [Text(str(number), size=9)], WD_PARAGRAPH_ALIGNMENT.CENTER)
    height(table, 6, (0, 1))
    height(table, LOG_ROW_HEIGHT, range(2, 2 + LOG_ROWS))
    row_flags(table, header_rows=2)
    form.note(spec.note)
    if spec.signed:
        form.signature("企业疫情防控负责人", before=1)


def head(cell: _Cell, heading: str) -> None:
    """A column heading: bold, with the hint after a "|" on a line of its own in small type."""
    text, _, hint = heading.partition("|")
    write(cell, [Text(text, bold=True, size=9)], WD_PARAGRAPH_ALIGNMENT.CENTER)
    if hint:
        write(cell, [Text(hint, size=7.5)], WD_PARAGRAPH_ALIGNMENT.CENTER)


def health_log(form: Form) -> None:
    log(
        form,
        Log(
            "员工每日健康监测登记表",
            (4.5, 9, 12, 7, 7, 13.5, 7.5, 7.5, 8.5, 7.5, 16),
            (
                ("序号", 1),
                ("姓名", 1),
                ("部门/岗位", 1),
                ("体温（℃）", 2),
                ("有无发热、干咳、\n乏力等症状|（无症状填“无”）", 1),
                ("健康码|（绿/黄/红）", 1),
                ("行程码|（有无带星）", 1),
                ("最近核酸检测", 2),
                ("备注", 1),
            ),
            ("上午", "下午", "日期", "结果"),
            (("企业名称：", blank(14)), ("部门/班组：", blank(8)), ("日期：", *date_blank()), ("登记人：", blank(8))),
            "注：发现体温≥37.3℃或有发热、干咳、乏力等可疑症状的，立即安置到临时观察点（设黄区内）"
            "并报告企业疫情防控负责人。",
            signed=True,
        ),
    )


def access_log(form: Form) -> None:
    log(
        form,
        Log(
            "人员车辆进出登记表（两码一证查验）",
            (4, 5.5, 5.5, 5.5, 7.5, 12, 9, 7.5, 5, 7, 7, 9, 8, 7.5),
            (
                ("序号", 1),
                ("日期", 1),
                ("时间", 2),
                ("姓名", 1),
                ("单位", 1),
                ("联系电话", 1),
                ("车牌号", 1),
                ("体温\n（℃）", 1),
                ("“两码一证”查验", 3),
                ("事由", 1),
                ("值班人\n签字", 1),
            ),
            ("进入", "离开", "健康码|（绿/黄/红）", "行程码|（有无带星）", "核酸证明|（日期/结果）"),
            (("企业名称：", blank(14)), ("门岗：", blank(8)), (blank(3), "年", blank(3), "月")),
            "注：门岗24小时值班值守，对进出人员、车辆逐一测温并查验“两码一证”（健康码、行程码、核酸检测阴性证明）；"
            "发现异常的，立即报告企业疫情防控负责人。",
            signed=False,
        ),
    )


def materials_log(form: Form) -> None:
    log(
        form,
        Log(
            "进厂物料登记及消杀记录表",
            (4, 5.5, 9, 6, 7.5, 10, 7.5, 10, 8, 6, 5.5, 6, 6.5, 8.5),
            (
                ("序号", 1),
                ("日期", 1),
                ("物料名称", 1),
                ("数量", 1),
                ("来源地", 1),
                ("供货单位", 1),
                ("运输车辆及司机", 3),
                ("外包装消杀", 3),
                ("存放位置", 1),
                ("追溯编号/\n备注", 1),
            ),
            ("车牌号", "司机姓名/电话", "司机\n“两码一证”", "方式", "时间", "消杀人"),
            (("企业名称：", blank(14)), ("登记部门：", blank(8)), (blank(3), "年", blank(3), "月")),
            "注：做好人、货、车辆信息登记，确保全程可追溯；发现问题货物立即封存，并及时报告当地防疫部门处理。",
            signed=True,
        ),
    )


def self_check(form: Form) -> None:
    data = form.data
    form.title("疫情防控工作自查表")
    subtitle = form.paragraph([f"（对照《{data['guideline_title']}》逐条自查）"])
    subtitle.alignment = WD_PARAGRAPH_ALIGNMENT.CENTER
    subtitle.paragraph_format.space_after = Mm(2)
    form.meta(["企业名称：", blank(12)], ["自查日期：", *date_blank(2)], ["自查人：", blank(7)])
    articles = data["articles"]
    table = form.table((10, 46, 15, 29), 1 + len(articles))
    for cell, heading in zip(table.rows[0].cells, ("条目", "工作要求", "落实情况", "存在问题及整改措施"), strict=True):
        write(cell, [Text(heading, bold=True)], WD_PARAGRAPH_ALIGNMENT.CENTER)
    for row, (number, text) in zip(table.rows[1:], articles, strict=True):
        write(row.cells[0], [Text(f"第{number}条", bold=True)], WD_PARAGRAPH_ALIGNMENT.CENTER)
        write(row.cells[1], [Text(text, size=9)], WD_PARAGRAPH_ALIGNMENT.JUSTIFY)
        for status in ("已落实", "部分落实", "未落实"):
            write(row.cells[2], [Text(box(status), size=9.5)])
    height(table, 7, (0,))
    height(table, 24, range(1, 1 + len(articles)))
    row_flags(table, header_rows=1)
    form.notes(
        [
            "在“落实情况”栏相应方框内打“√”。",
            "部分落实或未落实的，应在“存在问题及整改措施”栏写明存在的问题、整改措施、责任人和完成时限。",
        ]
    )
    form.signature("企业疫情防控第一责任人", seal=True, dated=True)


def weekly_report(form: Form) -> None:
    form.title("白名单企业生产经营情况周调度表")
    table = form.table((7, 18, 27, 18, 30), 16)
    rows = table.rows
    for row, name, small in (
        (0, "企业名称", ""),
        (1, "统一社会信用代码", ""),
        (2, "填报周期", ""),
        (3, "联系人", ""),
        (11, "困难问题和诉求", "（写明需协调解决的事项）"),
        (12, "填报人（签字）", ""),
        (13, "填报日期", ""),
        (15, "乡镇（街道）\n意见", ""),
    ):
        label(span(table, row, 0, 1), name, small)
    for row in (0, 1, 2, 7, 8, 10, 11, 13):
        span(table, row, 2, 4)
    code_boxes(rows[1].cells[2])
    period: list[Part] = [*date_blank(), "　至　", blank(3), "月", blank(3), "日"]
    write(rows[2].cells[2], period)
    label(rows[3].cells[3], "联系电话")
    for first, count, name in ((4, 3, "生\n产\n经\n营"), (7, 2, "物\n流\n运\n输"), (9, 2, "防\n疫\n情\n况")):
        label(span(table, first, 0, 0, rows=count), name)
    label(rows[4].cells[1], "本周产值或\n营业收入")
    write(rows[4].cells[2], [blank(8), "万元"])
    label(rows[4].cells[3], "同比")
    write(rows[4].cells[4], [choices(("增长", "下降")), "　", blank(4), "%"])
    label(rows[5].cells[1], "开工率/\n产能利用率")
    write(rows[5].cells[2], [blank(8), "%"])
    label(rows[5].cells[3], "在岗人数/\n职工总数")
    write(rows[5].cells[4], [blank(4), "人／", blank(4), "人"])
    label(rows[6].cells[1], "缺工人数")
    write(rows[6].cells[2], [blank(8), "人"])
    label(rows[6].cells[3], "主要缺工岗位")
    label(rows[7].cells[1], "原材料和产品\n运输是否畅通")
    write(rows[7].cells[2], [choices(("是", "否")), Text("　（不畅通的，请在下栏写明需协调事项）", size=9)])
    label(rows[8].cells[1], "需协调事项")
    label(rows[9].cells[1], "是否封闭生产")
    write(rows[9].cells[2], [choices(("是", "否"))])
    label(rows[9].cells[3], "防疫物资\n可用天数")
    write(rows[9].cells[4], [blank(8), "天"])
    label(rows[10].cells[1], "员工核酸\n检测情况")
    write(rows[10].cells[2], ["本周检测", blank(6), "人次，结果异常", blank(6), "人次"])
    label(rows[12].cells[3], "企业负责人\n（签字）")
    write(rows[13].cells[2], date_blank())
    divider = span(table, 14, 0, 4)
    write(divider, [Text("以下由乡镇（街道）、县主管部门填写", size=9.5)], WD_PARAGRAPH_ALIGNMENT.CENTER)
    label(rows[15].cells[3], "县主管部门\n意见")
    opinion(rows[15].cells[2])
    opinion(rows[15].cells[4])
    height(table, 10)
    height(table, 16, (8,))
    height(table, 36, (11,))
    height(table, 13, (12,))
    height(table, 6, (14,))
    height(table, 30, (15,))
    row_flags(table)
    form.notes(
        [
            "本表由白名单企业每周填报一次，报送所在乡镇（街道）和县主管部门。",
            "“同比”指与上年同期相比；栏内填写不下的，可另附页。",
        ]
    )


# form name (the job's template) → its page and how it is written
FORMS: dict[str, tuple[Page, Callable[[Form], None]]] = {
    "application": (PORTRAIT, application),
    "commitment": (PORTRAIT, commitment),
    "health-log": (LANDSCAPE, health_log),
    "access-log": (LANDSCAPE, access_log),
    "materials-log": (LANDSCAPE, materials_log),
    "self-check": (PORTRAIT, self_check),
    "weekly-report": (PORTRAIT, weekly_report),
}


def docx(job: Job, sample: bool) -> bytes:
    """The Word form `job.template` names (a key of `FORMS`)."""
    page, write_form = FORMS[job.template]
    form = Form(dict(job.data), page, sample)
    write_form(form)
    return form.save()


class Docx(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        for job in jobs:
            yield docx(job, run.sample)


FORMAT = Docx()
