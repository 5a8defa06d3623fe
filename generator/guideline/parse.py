"""Guideline stage: the county's text file → `Guideline`. Reads one file; writes nothing.

The file is kept verbatim in `data/guidelines/`; all cleaning happens here: word-processor
artefacts such as `[bookmark: _GoBack]` are dropped and stray spaces between two CJK
characters removed. Every other character is kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import InputError, Problem, display_path
from generator.files import read_limited
from generator.guideline.model import Block, Guideline, Item, Paragraph, Part, Section

_NUMERALS = "一二三四五六七八九"
# Only well-formed numerals 一…九十九: a line such as “一二、…” is text, not a heading.
_CN_NUMBER = r"(?:[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
PART_RE = re.compile(rf"^({_CN_NUMBER})、\s*(.*)$")
SECTION_RE = re.compile(rf"^[（(]\s*({_CN_NUMBER})\s*[）)]\s*(.*)$")
ITEM_RE = re.compile(r"^(\d{1,3})\s*[.．、]\s*(.*)$")
ARTEFACT_RE = re.compile(r"\[(?:bookmark|anchor):[^\]]*\]")
# CJK here: ideographs, CJK symbols and punctuation (、。《》), full-width forms (，：；).
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
STRAY_SPACE_RE = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

EXPECTED_PARTS = 4
MAX_BYTES = 2 * 1024 * 1024  # the seed is 10 KB; a county document is never megabytes


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 二十三 → 23."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_NUMERALS.index(tens) + 1 if tens else 1) * 10 + (_NUMERALS.index(units) + 1 if units else 0)
    if len(text) != 1:
        raise ValueError(text)
    return _NUMERALS.index(text) + 1


def cn_numeral(number: int) -> str:
    """1 → 一, 12 → 十二, 20 → 二十 (inverse of `cn_number` for 1–99)."""
    if not 1 <= number <= 99:
        raise ValueError(number)
    tens, units = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _NUMERALS[tens - 1] + "十")
    return head + (_NUMERALS[units - 1] if units else "")


def clean_line(line: str) -> str:
    """Drop artefacts and stray spaces between CJK characters; trim the ends."""
    line = ARTEFACT_RE.sub("", line)
    line = STRAY_SPACE_RE.sub("", line)
    return line.strip(" \t\u3000\ufeff")


def decode(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM) or GB18030; anything else is a located error."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(
            [Problem(source, 1, "", "文件是 UTF-16 编码；请另存为 UTF-8 或 GB18030 后再试。", code="file.encoding")]
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            byte = data[utf8_error.start]
            raise InputError(
                [
                    Problem(
                        source,
                        line,
                        "",
                        f"无法识别文件编码：既不是 UTF-8 也不是 GB18030（本行有无法解码的字节 0x{byte:02X}）。"
                        "请用记事本或 WPS 另存为 UTF-8 后再试。",
                        code="file.encoding",
                    )
                ]
            ) from None
    if not text.strip(" \t\r\n\u3000\ufeff"):
        raise InputError([Problem(source, 1, "", "文件为空：没有任何正文。", code="guideline.empty")])
    control = CONTROL_RE.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        raise InputError(
            [
                Problem(
                    source,
                    line,
                    "",
                    f"含有控制字符 U+{ord(control.group()):04X}，文件可能不是纯文本（例如 Word 文档或 UTF-16 文件）；"
                    "请另存为纯文本（UTF-8）后再试。",
                    code="guideline.control",
                )
            ]
        )
    return text


class _Builder:
    """Accumulates parts and sections while walking the lines once."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.title = ""
        self.preamble: list[Paragraph] = []
        self.parts: list[Part] = []
        self._part: tuple[int, str, int] | None = None
        self._intro: list[Block] = []
        self._sections: list[Section] = []
        self._section: tuple[int, str, int] | None = None
        self._blocks: list[Block] = []

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.source, line, "", message, code="guideline.structure"))

    def add_block(self, block: Block) -> None:
        if self._section is not None:
            self._blocks.append(block)
        elif self._part is not None:
            self._intro.append(block)
        elif isinstance(block, Paragraph):
            self.preamble.append(block)
        else:
            self.problem(block.line, "编号条目出现在第一个部分标题（“一、”）之前。")

    def start_section(self, number: int, title: str, line: int) -> None:
        self.close_section()
        self._section = (number, title, line)

    def close_section(self) -> None:
        if self._section is not None:
            number, title, line = self._section
            self._sections.append(Section(number, title, tuple(self._blocks), line))
        self._section = None
        self._blocks = []

    def start_part(self, number: int, title: str, line: int) -> None:
        self.close_part()
        self._part = (number, title, line)

    def close_part(self) -> None:
        self.close_section()
        if self._part is not None:
            number, title, line = self._part
            intro = tuple(b for b in self._intro if isinstance(b, Paragraph))
            for stray in (b for b in self._intro if isinstance(b, Item)):
                self.problem(stray.line, "编号条目应位于“（一）”等小节之下。")
            self.parts.append(Part(number, title, intro, tuple(self._sections), line))
        self._part = None
        self._intro = []
        self._sections = []


def _split_section_heading(rest: str) -> tuple[str, str]:
    """`加强生产监测调度。工业和…` → (`加强生产监测调度`, `工业和…`): part 四 runs title and text together."""
    title, stop, lead = rest.partition("。")
    if stop and lead.strip():
        return title.strip(), lead.strip()
    return rest.rstrip("。").strip(), ""


def parse_text(text: str, source: str) -> Guideline:
    """Parse decoded text; every structural problem is collected, then raised at once."""
    builder = _Builder(source)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = clean_line(raw)
        if not line:
            continue
        if part := PART_RE.match(line):
            if not builder.title:
                builder.problem(number, "缺少文件标题：第一行应为文件名称，而不是部分标题。")
            builder.start_part(cn_number(part.group(1)), part.group(2).strip(), number)
        elif builder._part is not None and (section := SECTION_RE.match(line)):
            title, lead = _split_section_heading(section.group(2))
            if not title:
                builder.problem(number, "小节标题为空。")
            builder.start_section(cn_number(section.group(1)), title, number)
            if lead:
                builder.add_block(Paragraph(lead, number))
        elif item := ITEM_RE.match(line):
            builder.add_block(Item(int(item.group(1)), item.group(2).strip(), number))
        elif not builder.title:
            builder.title = line
        else:
            builder.add_block(Paragraph(line, number))
    builder.close_part()

    guideline = Guideline(builder.title, tuple(builder.preamble), tuple(builder.parts), source)
    builder.problems.extend(_check_structure(guideline))
    if builder.problems:
        raise InputError(builder.problems)
    return guideline


def _check_structure(guideline: Guideline) -> list[Problem]:
    source = guideline.source
    problems: list[Problem] = []
    if not guideline.parts:
        return [
            Problem(
                source,
                1,
                "",
                "无法识别文件结构：没有找到“一、”“二、”这样的部分标题。"
                "本工具需要县里原文的结构：四个部分，第一部分下有“（一）”小节和“1.”条目。",
                code="guideline.structure",
            )
        ]
    for expected, part in enumerate(guideline.parts, start=1):
        if part.number != expected:
            problems.append(
                Problem(
                    source,
                    part.line,
                    "",
                    f"部分编号应为“{cn_numeral(expected)}、”，实际为“{cn_numeral(part.number)}、”。",
                    code="guideline.numbering",
                )
            )
        for expected_section, section in enumerate(part.sections, start=1):
            if section.number != expected_section:
                problems.append(
                    Problem(
                        source,
                        section.line,
                        "",
                        f"小节编号应为“（{cn_numeral(expected_section)}）”，实际为“（{cn_numeral(section.number)}）”。",
                        code="guideline.numbering",
                    )
                )
    if len(guideline.parts) != EXPECTED_PARTS:
        problems.append(
            Problem(
                source,
                guideline.parts[-1].line,
                "",
                "应有四个部分（一、防控指南 二、遴选标准 三、申报流程 四、保障举措），"
                f"实际为 {len(guideline.parts)} 个。",
                code="guideline.structure",
            )
        )
    first = guideline.parts[0]
    articles = [item for section in first.sections for item in section.items]
    if not articles:
        problems.append(
            Problem(
                source, first.line, "", "第一部分（防控工作指南）没有任何“1.”形式的条目。", code="guideline.structure"
            )
        )
    for expected, article in enumerate(articles, start=1):
        if article.number != expected:
            problems.append(
                Problem(
                    source,
                    article.line,
                    "",
                    f"第一部分的条目应连续编号：这里应为第 {expected} 条，实际为第 {article.number} 条。",
                    code="guideline.numbering",
                )
            )
            break
    for part in guideline.parts[1:]:
        for section in part.sections:
            previous = 0
            for block in section.blocks:
                if isinstance(block, Item):
                    if block.number not in (1, previous + 1):
                        problems.append(
                            Problem(
                                source,
                                block.line,
                                "",
                                f"条目编号不连续：应为 {previous + 1} 或从 1 重新开始，实际为 {block.number}。",
                                code="guideline.numbering",
                            )
                        )
                    previous = block.number
    return problems


def read_guideline(path: Path) -> Guideline:
    """Read and parse a guideline file; raises `InputError` with located problems."""
    source = display_path(path)
    return parse_text(decode(read_limited(path, MAX_BYTES), source), source)
