"""Register validation: each rule with the exact located line a clerk will read."""

from __future__ import annotations

import re
import textwrap

import pytest

from generator.errors import InputError, Severity
from generator.register.load import load_yaml, parse_yaml
from generator.register.models import SiteSettings
from generator.register.validate import check_register, check_site
from generator.register.workdays import WorkCalendar
from tests.conftest import DATA

SOURCE = "data/register.yaml"
HOLIDAYS = "data/holidays.yaml"

BASE = textwrap.dedent(
    """\
    rounds:
      - id: "2022-01"
        title: 第一批
        notice_start: 2022-06-06
    enterprises:
      - uscc: "91411523MA9G12340J"
        name: 新县甲示例纺织有限公司
        sector: 工业
        qualifications: [规上工业企业]
        township: 新集镇
        address: 新县新集镇示例路 1 号
        industry: 纺织业
        legal_representative: 王某明
        employees: 230
        main_products: 棉纱
        epidemic_lead: {name: 刘某华, title: 副总经理}
        contact: {name: 陈某, phone: "0376-01234567"}
        declarations:
          registered_in_county: true
          operating_normally: true
          good_credit: true
          environment_compliant: true
          safety_compliant: true
          follows_guideline: true
        exclusions:
          fraud: false
          major_accident: false
          serious_dishonesty: false
        history:
          - {date: 2022-05-20, event: applied}
          - {date: 2022-05-25, event: reviewed, by: 新集镇}
          - {date: 2022-06-01, event: approved, round: "2022-01"}
    """
)
SECOND = textwrap.indent(
    textwrap.dedent(
        """\
      - uscc: "91411523MA9DH1A205"
        name: 新县乙示例商贸有限公司
        sector: 商贸流通
        qualifications: [关系民生的商贸流通电商企业]
        township: 沙窝镇
        address: 新县沙窝镇示例路 2 号
        industry: 综合零售
        legal_representative: 李某红
        employees: 40
        main_products: 日用品
        epidemic_lead: {name: 张某平, title: 店长}
        contact: {name: 赵某, phone: "13000000000"}
        declarations:
          registered_in_county: true
          operating_normally: true
          good_credit: true
          environment_compliant: true
          safety_compliant: true
          follows_guideline: true
        exclusions:
          fraud: false
          major_accident: false
          serious_dishonesty: false
        history:
          - {date: 2022-05-21, event: applied}
          - {date: 2022-06-01, event: approved, round: "2022-01"}
    """
    ),
    "  ",
)


def site() -> SiteSettings:
    settings, problems = check_site(load_yaml(DATA / "site.yaml"))
    assert settings is not None and problems == []
    return settings


def problems(text: str, calendar: WorkCalendar | None = None) -> list[str]:
    loaded = parse_yaml(text, SOURCE)
    _, found = check_register(loaded, site(), calendar or WorkCalendar(), HOLIDAYS)
    return [str(p) for p in sorted(found, key=lambda p: p.sort_key)]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def edit(old: str, new: str, text: str = BASE) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def at(text: str, needle: str, path: str, message: str, occurrence: int = 1) -> str:
    return f"{SOURCE}:{line_of(text, needle, occurrence)}: {path}: {message}"


# --- the baseline ----------------------------------------------------------------------------


def test_base_register_is_clean() -> None:
    assert problems(BASE) == []
    assert problems(BASE + SECOND) == []


def test_the_sample_register_passes() -> None:
    loaded = load_yaml(DATA / "register.yaml")
    checked, found = check_register(loaded, site(), WorkCalendar(), HOLIDAYS)
    assert found == [] and checked is not None
    assert len(checked.register.enterprises) >= 30


# --- YAML level --------------------------------------------------------------------------------


def test_yaml_syntax_error_has_line_and_column() -> None:
    text = edit("    title: 第一批\n", "    title: 第一批: 多余\n")
    with pytest.raises(InputError) as raised:
        parse_yaml(text, SOURCE)
    assert str(raised.value).startswith(f"{SOURCE}:3: YAML 语法错误（第 ")


def test_duplicate_key_is_refused_at_its_line() -> None:
    text = edit("    sector: 工业\n", "    sector: 工业\n    sector: 商贸流通\n")
    with pytest.raises(InputError) as raised:
        parse_yaml(text, SOURCE)
    first = line_of(text, "sector: 工业")
    assert str(raised.value) == f"{SOURCE}:{first + 1}: 重复的键“sector”（第 {first} 行已经出现过）。"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("    industry: 纺织业\n", "    industry: &x 纺织业\n", "不允许使用锚点（&x）"),
        (
            "    industry: 纺织业\n",
            "    industry: !!python/object/apply:os.system [ls]\n",
            "不允许使用 YAML 标签（!!python",
        ),
        ("    industry: 纺织业\n", "    industry: !custom 纺织业\n", "不允许使用 YAML 标签（!custom）"),
    ],
)
def test_anchors_and_tags_are_refused(old: str, new: str, message: str) -> None:
    text = edit(old, new)
    with pytest.raises(InputError) as raised:
        parse_yaml(text, SOURCE)
    assert str(raised.value).startswith(f"{SOURCE}:{line_of(text, 'industry:')}: {message}")


def test_alias_is_refused() -> None:
    text = "a: &x [1]\nb: *x\n"
    with pytest.raises(InputError) as raised:
        parse_yaml(text.replace("&x ", ""), SOURCE)
    assert "别名" in str(raised.value)


def test_scalars_keep_their_text() -> None:
    loaded = parse_yaml("a: 0123\nb: no\nc: on\nd: 1e3\ne: 2022-06-06\nf:\n", SOURCE)
    assert loaded.data == {"a": "0123", "b": "no", "c": "on", "d": "1e3", "e": "2022-06-06", "f": None}


# --- fields ----------------------------------------------------------------------------------


def test_unknown_field_suggests_the_right_one() -> None:
    text = edit("    industry: 纺织业\n", "    industy: 纺织业\n")
    assert problems(text) == [
        at(text, "- uscc:", "enterprises[0].industry", "缺少必填字段"),
        at(text, "industy:", "enterprises[0].industy", "未知字段“industy”；是不是“industry”？"),
    ]


def test_unknown_top_level_key() -> None:
    text = "round:\n  - id: x\n" + BASE
    assert problems(text) == [f"{SOURCE}:1: round: 未知字段“round”；是不是“rounds”？"]


def test_required_field_missing_points_at_the_enterprise() -> None:
    text = edit("    township: 新集镇\n", "")
    assert problems(text) == [at(text, "- uscc:", "enterprises[0].township", "缺少必填字段")]


@pytest.mark.parametrize("word", ["no", "on", "yes", "1", "是"])
def test_booleans_are_only_true_or_false(word: str) -> None:
    text = edit("      good_credit: true\n", f"      good_credit: {word}\n")
    assert problems(text) == [
        at(text, "good_credit:", "enterprises[0].declarations.good_credit", f"应为 true 或 false，实际为“{word}”")
    ]


def test_leading_zero_count_is_still_a_count() -> None:
    assert problems(edit("    employees: 230\n", "    employees: 0230\n")) == []
    text = edit("    employees: 230\n", "    employees: 二百三十\n")
    assert problems(text) == [
        at(text, "employees:", "enterprises[0].employees", "应为不小于 0 的整数，实际为“二百三十”")
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2022-13-01", "日期无效：2022-13-01"),
        ("2022-02-30", "日期无效：2022-02-30"),
        ("2022/06/06", "日期格式应为 YYYY-MM-DD（例如 2026-11-28），实际为“2022/06/06”"),
    ],
)
def test_invalid_dates(value: str, message: str) -> None:
    text = edit("    notice_start: 2022-06-06\n", f"    notice_start: {value}\n")
    found = problems(text)
    assert at(text, "notice_start:", "rounds[0].notice_start", message) in found


def test_list_where_text_expected_and_empty_value() -> None:
    text = edit("    industry: 纺织业\n", "    industry: [纺织业]\n")
    assert problems(text) == [at(text, "industry:", "enterprises[0].industry", "应为文字，实际为列表")]
    text = edit("    industry: 纺织业\n", "    industry:\n")
    assert problems(text) == [at(text, "industry:", "enterprises[0].industry", "不能为空")]


# --- credit codes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "rule", "says"),
    [
        ("91411523MA9G12340X", "uscc.checksum", "第 18 位校验码与前 17 位不符"),
        ("91411523MA9G1234J", "uscc.length", "应为 18 位，实际为 17 位"),
        ("91411523MA9G1234OJ", "uscc.character", "第 17 位“O”不是代码中会出现的字符（代码中不使用字母 I、O、S、V、Z）"),
        ("91411523MA9G12341M", "uscc.org_checksum", "第 9–17 位（组织机构代码）未通过校验"),
    ],
)
def test_credit_code_messages_say_which_check_failed_and_how_to_verify(code: str, rule: str, says: str) -> None:
    text = edit('  - uscc: "91411523MA9G12340J"\n', f'  - uscc: "{code}"\n')
    loaded = parse_yaml(text, SOURCE)
    _, found = check_register(loaded, site(), WorkCalendar(), HOLIDAYS)
    assert [(p.code, p.line, p.field) for p in found] == [(rule, line_of(text, "- uscc:"), "enterprises[0].uscc")]
    assert says in found[0].message and "营业执照" in found[0].message
    assert "应为 " + code[-1] not in found[0].message


VALID_CODES = ("91411523MA9G12340J", "91411523MABU85E43Y", "91411523MA9DH1A205", "91411523MAWXBMAQ10")


@pytest.mark.parametrize("valid", VALID_CODES)
def test_no_typo_at_any_position_gets_a_character_proposed(valid: str) -> None:
    """A check character says that a code is wrong, never which character: whatever one character
    is mistyped, the message may quote only what was typed, never a character to put instead."""
    from generator.register.uscc import ALPHABET, UsccError, validate

    quoted = re.compile(r"“([^”]*)”")
    for position in range(len(valid)):
        for typed in ALPHABET + "IOSVZ":
            if typed == valid[position]:
                continue
            wrong = valid[:position] + typed + valid[position + 1 :]
            try:
                validate(wrong)
            except UsccError as error:
                message = error.message
            else:
                continue  # another valid code: only the licence can tell (the check cannot)
            assert "应为 " not in message.replace("应为 18 位", ""), message
            assert "改为" not in message and "正确" not in message, message
            for shown in quoted.findall(message):
                assert shown in wrong or shown in "IOSVZ", (wrong, message)


def test_credit_code_is_normalised_before_checking() -> None:
    assert problems(edit('"91411523MA9G12340J"', '"9141 1523 ma9g-1234 0j"')) == []
    assert problems(edit('"91411523MA9G12340J"', '"９１４１１５２３ＭＡ９Ｇ１２３４０Ｊ"')) == []


def test_credit_code_outside_the_county_is_a_warning() -> None:
    from generator.register.uscc import make

    code = make("91", "411502", "MA9G1234")
    text = edit('"91411523MA9G12340J"', f'"{code}"')
    loaded = parse_yaml(text, SOURCE)
    checked, found = check_register(loaded, site(), WorkCalendar(), HOLIDAYS)
    assert checked is not None  # warnings do not stop a build
    assert [(str(p), p.severity) for p in found] == [
        (
            at(
                text,
                "- uscc:",
                "enterprises[0].uscc",
                "警告：行政区划码 411502 不是新县（411523），请核对企业是否在县内注册",
            ),
            Severity.WARNING,
        )
    ]


def test_duplicate_credit_code_after_normalising() -> None:
    text = BASE + edit('"91411523MA9DH1A205"', '"91411523 ma9g12340j"', SECOND)
    first = line_of(text, "- uscc:")
    assert problems(text) == [
        at(text, "- uscc:", "enterprises[1].uscc", f"统一社会信用代码与第 {first} 行的企业重复", occurrence=2)
    ]


def test_duplicate_name_after_normalising_widths_brackets_and_spaces() -> None:
    text = edit("    name: 新县甲示例纺织有限公司\n", "    name: 新县甲示例纺织(新集)有限公司\n")
    text += edit("    name: 新县乙示例商贸有限公司\n", "    name: 新县甲示例纺织 （新集） 有限公司\n", SECOND)
    first = line_of(text, "- uscc:")
    assert problems(text) == [
        at(
            text,
            "name: 新县甲示例纺织 （",
            "enterprises[1].name",
            f"企业名称与第 {first} 行的企业重复（已忽略全半角、括号和空格的差别）",
        )
    ]


# --- qualifications, sector, township -----------------------------------------------------------


def test_qualifications_empty_unknown_and_mismatched() -> None:
    text = edit("    qualifications: [规上工业企业]\n", "    qualifications: []\n")
    assert problems(text) == [at(text, "qualifications:", "enterprises[0].qualifications", "不能为空（至少一项）")]
    text = edit("    qualifications: [规上工业企业]\n", "    qualifications: [规上企业]\n")
    assert problems(text) == [
        at(
            text,
            "qualifications:",
            "enterprises[0].qualifications[0]",
            "“规上企业”不是有效的入库条件；可选：规上工业企业、专精特新中小企业培育库企业、万人助万企县领导包联企业、"
            "关系民生的商贸流通电商企业",
        )
    ]
    text = edit("    qualifications: [规上工业企业]\n", "    qualifications: [关系民生的商贸流通电商企业]\n")
    assert problems(text) == [
        at(
            text,
            "qualifications:",
            "enterprises[0].qualifications[0]",
            "“关系民生的商贸流通电商企业”只适用于商贸流通、电商平台类企业，本企业行业类别为“工业”",
        )
    ]


def test_unknown_sector() -> None:
    text = edit("    sector: 工业\n", "    sector: 农业\n")
    assert problems(text) == [
        at(text, "sector:", "enterprises[0].sector", "“农业”不是有效的行业类别；可选：工业、商贸流通、电商平台")
    ]


def test_township_outside_the_county_suggests_the_nearest() -> None:
    text = edit("    township: 新集镇\n", "    township: 新集乡\n")
    assert problems(text) == [
        at(
            text,
            "township:",
            "enterprises[0].township",
            "“新集乡”不是新县的乡镇（见 site.yaml 的 county.townships）；是不是“新集镇”？",
        )
    ]


def test_liaison_missing_for_a_county_leader_enterprise_is_a_warning() -> None:
    text = edit(
        "    qualifications: [规上工业企业]\n", "    qualifications: [规上工业企业, 万人助万企县领导包联企业]\n"
    )
    assert problems(text) == [
        at(
            text,
            "qualifications:",
            "enterprises[0].qualifications",
            "警告：“万人助万企县领导包联企业”应在 liaison 中写明包联的县领导",
        )
    ]


# --- declarations and exclusions ----------------------------------------------------------------


def test_true_exclusion_on_an_approved_enterprise() -> None:
    text = edit("      fraud: false\n", "      fraud: true\n")
    assert problems(text) == [
        at(
            text,
            "fraud:",
            "enterprises[0].exclusions.fraud",
            "已批准入库的企业不得有“通过弄虚作假行为达到申报标准”的情形（当前为 true）；"
            "如已查实，请添加 removed 事件移出",
        )
    ]


def test_false_declaration_on_an_approved_enterprise() -> None:
    text = edit("      safety_compliant: true\n", "      safety_compliant: false\n")
    assert problems(text) == [
        at(
            text,
            "safety_compliant:",
            "enterprises[0].declarations.safety_compliant",
            "已批准入库的企业必须满足“达到安全生产标准”（当前为 false）；如情况有变，请添加 removed 事件移出",
        )
    ]


def test_exclusion_on_a_removed_enterprise_is_fine() -> None:
    text = edit("      fraud: false\n", "      fraud: true\n")
    text += "      - {date: 2022-09-01, event: removed, reason: 弄虚作假}\n"
    assert problems(text) == []


# --- history ---------------------------------------------------------------------------------


def test_history_out_of_order() -> None:
    text = edit("{date: 2022-05-25, event: reviewed", "{date: 2022-05-19, event: reviewed")
    assert problems(text) == [
        at(
            text,
            "event: reviewed",
            "enterprises[0].history[1].date",
            "日期 2022-05-19 早于上一条事件（2022-05-20）：请按时间顺序排列",
        )
    ]


def test_history_must_start_with_an_application() -> None:
    text = edit("      - {date: 2022-05-20, event: applied}\n", "")
    text = edit("      - {date: 2022-05-25, event: reviewed, by: 新集镇}\n", "", text)
    assert problems(text) == [
        at(
            text,
            "event: approved",
            "enterprises[0].history[0].event",
            "第一条事件应为 applied（申报），实际为 approved（批准）",
        )
    ]


def test_approval_needs_a_round_that_exists() -> None:
    text = edit('event: approved, round: "2022-01"', 'event: approved, round: "2022-09"')
    assert problems(text) == [
        at(
            text,
            "event: approved",
            "enterprises[0].history[2].round",
            "批次“2022-09”不存在；已有批次：2022-01；是不是“2022-01”？",
        )
    ]
    text = edit('event: approved, round: "2022-01"', "event: approved")
    assert problems(text) == [at(text, "event: approved", "enterprises[0].history[2]", "批准事件必须写明批次（round）")]


def test_approval_after_publication_is_an_error() -> None:
    text = edit("{date: 2022-06-01, event: approved", "{date: 2022-06-08, event: approved")
    assert problems(text) == [
        at(
            text,
            "event: approved",
            "enterprises[0].history[2].date",
            "批准日期 2022-06-08 晚于批次“2022-01”的公示日期 2022-06-06",
        )
    ]


def test_removal_needs_a_public_reason() -> None:
    text = BASE + "      - {date: 2022-09-01, event: removed, note: 内部}\n"
    assert problems(text) == [
        at(text, "event: removed", "enterprises[0].history[3]", "移出事件必须写明公开的移出原因（reason）")
    ]


def test_removal_before_publication_must_be_a_rejection() -> None:
    text = BASE + "      - {date: 2022-06-02, event: removed, reason: 撤回}\n"
    assert problems(text) == [
        at(
            text,
            "event: removed",
            "enterprises[0].history[3].date",
            "2022-06-02 早于公示开始日期 2022-06-06：公示前撤回应使用 rejected（不予批准）",
        )
    ]


def test_removal_without_approval() -> None:
    text = edit('      - {date: 2022-06-01, event: approved, round: "2022-01"}\n', "")
    text += "      - {date: 2022-09-01, event: removed, reason: 违规}\n"
    assert problems(text) == [
        at(
            text,
            "event: removed",
            "enterprises[0].history[2].event",
            "removed（移出）只能在 approved（批准）之后；上一条是 reviewed（审核）",
        )
    ]


def test_readmission_is_allowed_after_removal_but_not_before() -> None:
    again = (
        "      - {date: 2022-09-01, event: removed, reason: 违反疫情防控政策规定}\n"
        "      - {date: 2022-10-20, event: applied}\n"
    )
    assert problems(BASE + again) == []
    text = BASE + "      - {date: 2022-10-20, event: applied}\n"
    assert problems(text) == [
        at(
            text,
            "2022-10-20, event: applied",
            "enterprises[0].history[3].event",
            "applied（申报）不能紧跟在 approved（批准）之后：重新申报前应先移出或不予批准",
        )
    ]


def test_round_only_on_approvals() -> None:
    text = edit("{date: 2022-05-20, event: applied}", '{date: 2022-05-20, event: applied, round: "2022-01"}')
    assert problems(text) == [
        at(text, "event: applied", "enterprises[0].history[0].round", "只有 approved（批准）事件可以写 round")
    ]


def test_unknown_event() -> None:
    text = edit("event: reviewed", "event: checked")
    found = problems(text)
    assert (
        at(
            text,
            "event: checked",
            "enterprises[0].history[1].event",
            "“checked”不是有效的事件；可选：applied、reviewed、approved、rejected、objection_upheld、removed",
        )
        in found
    )


# --- text fields -------------------------------------------------------------------------------


def test_control_characters_are_refused() -> None:
    text = edit("    address: 新县新集镇示例路 1 号\n", '    address: "新县新集镇\\u0007示例路"\n')
    assert problems(text) == [
        at(
            text,
            "address:",
            "enterprises[0].address",
            "含有控制字符 U+0007，请删除（常见于从网页或 Word 复制的文字）",
        )
    ]


@pytest.mark.parametrize("markup", ["<b>", "<script>alert(1)</script>", "&nbsp;", "<a href=x>"])
def test_html_markup_is_refused(markup: str) -> None:
    text = edit("    main_products: 棉纱\n", f"    main_products: '棉纱{markup}'\n")
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(
        f"{SOURCE}:{line_of(text, 'main_products:')}: enterprises[0].main_products: 不能包含 HTML 标记"
    )


def test_markdown_and_template_syntax_are_plain_text() -> None:
    text = edit(
        "    main_products: 棉纱\n",
        "    main_products: '*棉纱* | _坯布_ `x` {{ y }} {% z %} [x](javascript:alert(1)) # 1'\n",
    )
    assert problems(text) == []


# --- rounds ----------------------------------------------------------------------------------


def test_duplicate_round_id() -> None:
    text = edit(
        "enterprises:\n",
        '  - id: "2022-01"\n    title: 第二批\n    notice_start: 2022-08-22\nenterprises:\n',
    )
    assert problems(text) == [at(text, 'id: "2022-01"', "rounds[1].id", "批次编号“2022-01”重复（第 2 行已使用）", 2)]


def test_round_id_must_be_url_safe() -> None:
    text = edit('  - id: "2022-01"', '  - id: "2022 第一批"')
    found = problems(text)
    assert (
        at(text, "- id:", "rounds[0].id", "批次编号只能由字母、数字和“-”组成（用于网址），实际为“2022 第一批”") in found
    )


def test_round_in_a_year_the_calendar_does_not_know() -> None:
    text = edit("    notice_start: 2022-06-06\n", "    notice_start: 2027-01-04\n")
    for old, new in [("2022-05-20", "2026-12-01"), ("2022-05-25", "2026-12-10"), ("2022-06-01", "2026-12-28")]:
        text = edit(old, new, text)
    found = problems(text)
    assert found == [
        at(
            text,
            "notice_start:",
            "rounds[0].notice_start",
            "计算公示期需要 2027 年的法定节假日安排，但 chinesecalendar 1.11.0 没有该年数据，"
            "data/holidays.yaml 中也没有；"
            "请在 data/holidays.yaml 中补充 2027 年的放假和调休日期（格式见 README），或升级 chinesecalendar。",
        )
    ]
