"""The guideline parser on the county's own text, its encodings, and bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.guideline.model import Item, Paragraph
from generator.guideline.parse import clean_line, cn_number, cn_numeral, parse_text, read_guideline
from generator.guideline.zones import find_zones
from tests.conftest import SEED

HAN = re.compile(r"[\u4e00-\u9fff]+")


def test_seed_has_four_parts_and_twenty_articles_across_five_sections() -> None:
    guideline = read_guideline(SEED)
    assert guideline.title == "新县工业、商贸流通、电商类企业疫情防控工作指南和白名单企业保障办法"
    assert [p.title for p in guideline.parts] == [
        "疫情防控工作指南",
        "白名单企业遴选标准和申报条件",
        "白名单企业申报流程和日常管理",
        '"四保"工作举措',
    ]
    first = guideline.parts[0]
    assert [s.title for s in first.sections] == [
        "落实疫情防控责任",
        "加强企业员工管理",
        "物流管理和物资储备",
        "疫情防控预案及执行",
        "疫情期间封闭生产",
    ]
    assert [len(s.items) for s in first.sections] == [2, 6, 3, 3, 6]
    assert [a.number for a in guideline.articles] == list(range(1, 21))
    assert guideline.article(9).text.startswith("落实门卫登记检查制度和24小时人员值班值守制度")
    assert "两码一证" in guideline.article(9).text


def test_both_bracket_widths_start_sections() -> None:
    guideline = read_guideline(SEED)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    sections = guideline.parts[0].sections
    assert lines[sections[0].line - 1].startswith("（一）")  # full width
    assert lines[sections[1].line - 1].startswith("(二)")  # half width


def test_part_two_restarts_its_lists_and_keeps_the_paragraph_between() -> None:
    criteria = read_guideline(SEED).parts[1]
    assert criteria.intro[0].text.startswith("建立和完善县级工业、商贸流通、电商平台类白名单企业库")
    blocks = criteria.sections[0].blocks
    assert [b.number for b in blocks if isinstance(b, Item)] == [1, 2, 3, 4, 1, 2, 3]
    assert isinstance(blocks[4], Paragraph) and blocks[4].text == "企业有下列情况之一的,不得纳入："


def test_part_four_splits_titles_from_their_text() -> None:
    measures = read_guideline(SEED).parts[3]
    assert len(measures.sections) == 8
    assert measures.sections[0].title == "加强生产监测调度"
    first = measures.sections[0].blocks[0]
    assert isinstance(first, Paragraph) and first.text.startswith("工业和信息化主管部门按照属地原则")


def test_artefacts_and_stray_cjk_spaces_are_removed() -> None:
    guideline = read_guideline(SEED)
    text = "\n".join(a.text for a in guideline.articles)
    assert "bookmark" not in text and "_GoBack" not in text
    assert "应设置一定的静默期" in text  # source: "应 设置"
    assert "蓝区(新进入人员观察)" in text  # source: "新进入人员 观察"
    assert guideline.article(1).text.startswith("严格落实属地")
    # A space after an ASCII comma is not between two CJK characters: kept.
    assert "(设红区内), 支持" in guideline.article(13).text


def test_clean_line_only_touches_spaces_between_cjk() -> None:
    assert clean_line("应 设置 A B 1 号") == "应设置 A B 1 号"
    assert clean_line("专项资金、 专精特新") == "专项资金、专精特新"
    assert clean_line("[bookmark: _GoBack]1.严格") == "1.严格"


def test_every_han_run_of_the_source_survives_in_order() -> None:
    guideline = read_guideline(SEED)
    source = clean_line_text(SEED.read_text(encoding="utf-8"))
    parsed = "\n".join(
        [guideline.title]
        + [
            text
            for part in guideline.parts
            for text in (
                f"{cn_numeral(part.number)}、{part.title}",
                *(p.text for p in part.intro),
                *(
                    t
                    for s in part.sections
                    for t in (f"（{cn_numeral(s.number)}）{s.title}", *(b.text for b in s.blocks))
                ),
            )
        ]
    )
    assert_in_order(HAN.findall(source), "".join(HAN.findall(parsed)))


def clean_line_text(text: str) -> str:
    return "\n".join(clean_line(line) for line in text.splitlines())


def assert_in_order(runs: list[str], haystack: str) -> None:
    position = 0
    for run in runs:
        found = haystack.find(run, position)
        assert found >= 0, f"missing or out of order: {run}"
        position = found + len(run)


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("gb18030"),
        lambda text: text.replace("\n", "\r\n").encode("utf-8"),
        lambda text: text.replace("\n", "\r\n").encode("gb18030"),
        lambda text: text.encode("utf-8-sig"),
    ],
    ids=["gb18030", "crlf", "gb18030-crlf", "utf8-bom"],
)
def test_encodings_and_line_ends_parse_the_same(tmp_path: Path, encode: object) -> None:
    text = SEED.read_text(encoding="utf-8")
    variant = tmp_path / "variant.txt"
    variant.write_bytes(encode(text))  # type: ignore[operator]
    original = read_guideline(SEED)
    parsed = read_guideline(variant)
    assert parsed.parts == original.parts
    assert parsed.title == original.title


def _error_for(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as raised:
        read_guideline(path)
    return str(raised.value)


def test_neither_utf8_nor_gb18030_names_file_and_line(tmp_path: Path) -> None:
    message = _error_for(tmp_path, "一、标题\n第二行\n".encode() + b"\xff\xfe\xfa\n")
    assert message.startswith(f"{tmp_path / 'bad.txt'}:3: 无法识别文件编码")


def test_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    message = _error_for(tmp_path, "标题\n一、部分\n".encode("utf-16"))
    assert ":1: 文件是 UTF-16 编码" in message


def test_binary_with_control_characters_is_refused(tmp_path: Path) -> None:
    message = _error_for(tmp_path, b"title\nline two\x00\x01\x02\n")
    assert ":2: 含有控制字符 U+0000" in message


@pytest.mark.parametrize("data", [b"", b"  \n\r\n\t\n", "\u3000\n".encode()])
def test_empty_file_is_refused(tmp_path: Path, data: bytes) -> None:
    assert ":1: 文件为空" in _error_for(tmp_path, data)


def test_text_without_structure_is_refused(tmp_path: Path) -> None:
    message = _error_for(tmp_path, "这是一封信。\n没有任何部分标题。\n".encode())
    assert ":1: 无法识别文件结构" in message


def test_skipped_article_number_is_located(tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8").replace("\n6.严格管理员工宿舍", "\n7.严格管理员工宿舍")
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines, 1) if t.startswith("7.严格管理员工宿舍"))
    message = _error_for(tmp_path, text.encode())
    assert f":{line}: 第一部分的条目应连续编号：这里应为第 6 条，实际为第 7 条。" in message


def test_missing_part_is_reported() -> None:
    text = SEED.read_text(encoding="utf-8")
    cut = text[: text.index("四、")]
    with pytest.raises(InputError) as raised:
        parse_text(cut, "g.txt")
    assert "应有四个部分" in str(raised.value)


def test_chinese_numerals_round_trip() -> None:
    for number in range(1, 100):
        assert cn_number(cn_numeral(number)) == number
    assert cn_numeral(20) == "二十" and cn_number("十二") == 12


def test_zones_come_from_the_articles() -> None:
    zones = find_zones(read_guideline(SEED))
    assert [(z.name, z.who) for z in zones] == [
        ("绿区", "正常生产"),
        ("蓝区", "新进入人员观察"),
        ("黄区", "密接或次密接"),
        ("红区", "核酸检测异常、有感染情况"),
    ]
    assert zones[3].rule == "必须佩戴口罩" and zones[0].rule == "佩戴一次性医用外科口罩"
    assert zones[3].facilities == ("临时隔离点",) and zones[2].facilities == ("临时观察点",)
    assert zones[0].defined_in == 15
