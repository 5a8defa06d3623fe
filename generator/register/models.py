"""Model stage: typed, frozen records for site.yaml, glossary.yaml and register.yaml.

Input arrives as text only (see `load.py`); the annotated types below decide what each text
means and say so in Chinese (with a stable code) when it does not fit.

Fields that must never be published carry `PRIVATE` in their metadata: the one declaration of
what is private. `private_paths()` lists them; the public types, the Excel export and the tests
all read it from there.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from generator import routes
from generator.register import uscc as uscc_rules
from generator.register.events import EventKind
from generator.register.messages import MESSAGES, message

PRIVATE = {"private": True}
# What the application form page saves (apply/form.html) and `wlsite import` reads.
APPLICATION_FORMAT = "wlsite-application/1"

SECTORS = ("工业", "商贸流通", "电商平台")
QUALIFICATIONS = (
    "规上工业企业",
    "专精特新中小企业培育库企业",
    "万人助万企县领导包联企业",
    "关系民生的商贸流通电商企业",
)
# Which qualification a sector can claim (part 二 of the guideline: 1–2 are industrial,
# 4 is for trade and e-commerce, 3 — the county leaders' 包联 list — covers all three).
QUALIFICATION_SECTORS: dict[str, tuple[str, ...]] = {
    "规上工业企业": ("工业",),
    "专精特新中小企业培育库企业": ("工业",),
    "万人助万企县领导包联企业": SECTORS,
    "关系民生的商贸流通电商企业": ("商贸流通", "电商平台"),
}

# A tag or an entity begins like this; matching the beginning only keeps the check linear.
_MARKUP_RE = re.compile(r"<\s*[/!?A-Za-z]|&#?[A-Za-z0-9]+;")
# Characters that draw nothing: format, private-use and unassigned code points (zero-width and
# bidi controls, soft hyphen, byte-order mark, tags), line separators, and the blank "letters".
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Co", "Cs", "Cn", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
ROUND_ID_RE = re.compile(r"^[0-9A-Za-z-]+$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
PHONE_RE = re.compile(r"^(?:1\d{10}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?|\d{7,8})$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
MAX_TEXT = 500


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "映射（键: 值）"
    if isinstance(value, list):
        return "列表"
    return "空值"


def _error(code: str, message: str) -> PydanticCustomError:
    """A field error with its rule code (`Problem.code`) and Chinese message."""
    # The message is the template; braces in user text must not be read as placeholders.
    return PydanticCustomError(code, message.replace("{", "{{").replace("}", "}}"))


def _scalar(value: object) -> str:
    if value is None:
        raise _error("field.empty", message("field.empty"))
    if not isinstance(value, str):
        raise _error("field.type", f"应为文字，实际为{_kind(value)}")
    return value


def parse_text(value: object) -> str:
    """One line of plain text: not empty, not absurdly long, no control or invisible characters
    (they make look-alike duplicates and defeat search), no HTML."""
    text = _scalar(value).strip()
    if not text:
        raise _error("field.empty", message("field.empty"))
    if len(text) > MAX_TEXT:
        raise _error("text.too_long", message("text.too_long", length=len(text), limit=MAX_TEXT))
    # isprintable (in C) is false for every category below, so most text skips the loop.
    for ch in text if not text.isprintable() or not _BLANK_LETTERS.isdisjoint(text) else ():
        category = unicodedata.category(ch)
        if category == "Cc":
            raise _error("text.control", message("text.control", code=f"{ord(ch):04X}"))
        if category in _INVISIBLE_CATEGORIES or ch in _BLANK_LETTERS:
            raise _error("text.invisible", message("text.invisible", code=f"{ord(ch):04X}"))
    markup = _MARKUP_RE.search(text)
    if markup:
        tag = text[markup.start() : markup.start() + 20].split(">")[0]
        raise _error("text.markup", message("text.markup", tag=tag))
    return unicodedata.normalize("NFC", text)


def parse_bool(value: object) -> bool:
    text = _scalar(value).strip()
    if text.lower() == "true":
        return True
    if text.lower() == "false":
        return False
    raise _error("bool.invalid", f"应为 true 或 false，实际为“{text}”")


def parse_date(value: object) -> date:
    text = _scalar(value).strip()
    if not DATE_RE.match(text):
        raise _error("date.format", f"日期格式应为 YYYY-MM-DD（例如 2026-11-28），实际为“{text}”")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _error("date.invalid", f"日期无效：{text}") from None


def parse_count(value: object) -> int:
    text = _scalar(value).strip()
    if not text.isascii() or not text.isdigit():
        raise _error("count.invalid", message("count.invalid", text=text))
    return int(text)


MAX_ROUND_ID = 40
# Names Windows and FAT refuse for a file, whatever the extension (a site copied to a USB stick).
_DEVICE_NAMES = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])$", re.IGNORECASE)


def parse_round_id(value: object) -> str:
    """A round id becomes file names (`notices/<id>.html` and `.pdf`): short, portable, and not a
    name another notice page already has."""
    text = _scalar(value).strip()
    if not ROUND_ID_RE.match(text):
        raise _error("round.id_format", f"批次编号只能由字母、数字和“-”组成（用于网址），实际为“{text}”")
    if len(text) > MAX_ROUND_ID:
        raise _error("round.id_length", f"批次编号太长：{len(text)} 个字符，上限 {MAX_ROUND_ID}（例如 2026-02）")
    if text.lower() in routes.NOTICE_PAGE_NAMES or text.lower().startswith(routes.REMOVAL_PREFIX):
        raise _error(
            "round.id_reserved",
            f"批次编号“{text}”与公告栏目已有的页面重名（index、removal-日期 已被占用），请改用如 2026-02 的编号",
        )
    if _DEVICE_NAMES.match(text):
        raise _error(
            "round.id_reserved", f"批次编号“{text}”在 Windows 和 U 盘上不能用作文件名，请改用如 2026-02 的编号"
        )
    return text


def parse_uscc(value: object) -> str:
    try:
        return uscc_rules.validate(_scalar(value))
    except uscc_rules.UsccError as problem:
        raise _error(problem.code, problem.message) from None


def optional(parse: Any) -> BeforeValidator:
    """An optional field: absent or empty means None, anything else must parse.

    A validator in front of `X | None` keeps pydantic from reporting one error per union member.
    """

    def parse_optional(value: object) -> object:
        return None if value is None else parse(value)

    return BeforeValidator(parse_optional)


def _bounded(low: int, high: int) -> Any:
    def parse(value: object) -> int:
        number = parse_count(value)
        if not low <= number <= high:
            raise _error("count.range", f"应在 {low} 到 {high} 之间，实际为 {number}")
        return number

    return parse


def _choice(options: tuple[str, ...], what: str, code: str) -> BeforeValidator:
    def parse(value: object) -> str:
        text = parse_text(value)
        if text not in options:
            raise _error(code, f"“{text}”不是有效的{what}；可选：{'、'.join(options)}")
        return text

    return BeforeValidator(parse)


def _pattern(regex: re.Pattern[str], what: str, code: str) -> BeforeValidator:
    def parse(value: object) -> str:
        text = parse_text(value)
        if not regex.match(text):
            # A rule the form page also applies has its wording in the shared table.
            raise _error(code, message(code, text=text) if code in MESSAGES else f"{what}格式不对：“{text}”")
        return text

    return BeforeValidator(parse)


# A host, an optional port and a path of URL-safe characters: no quotes, brackets or spaces, which
# would break the feed and the canonical links the address is written into.
_URL_RE = re.compile(
    r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d{1,5})?(?:/[A-Za-z0-9._~!$&()*+,;=:@%/-]*)?$"
)


def _base_url(value: object) -> str:
    text = parse_text(value)
    if not _URL_RE.match(text):
        raise _error(
            "url.format",
            f"网址格式不对：“{text}”；应以 http:// 或 https:// 开头，只含字母、数字和网址允许的符号（不含引号和空格）",
        )
    return text if text.endswith("/") else text + "/"


Text = Annotated[str, BeforeValidator(parse_text)]
Flag = Annotated[bool, BeforeValidator(parse_bool)]
Day = Annotated[date, BeforeValidator(parse_date)]
Count = Annotated[int, BeforeValidator(parse_count)]
RoundId = Annotated[str, BeforeValidator(parse_round_id)]
Uscc = Annotated[str, BeforeValidator(parse_uscc)]
Sector = Annotated[str, _choice(SECTORS, "行业类别", "sector.unknown")]
Qualification = Annotated[str, _choice(QUALIFICATIONS, "入库条件", "qualification.unknown")]
Event = Annotated[EventKind, _choice(tuple(EventKind), "事件", "event.unknown")]
Phone = Annotated[str, _pattern(PHONE_RE, "电话号码", "phone.format")]
Email = Annotated[str, _pattern(EMAIL_RE, "电子邮箱", "email.format")]
Postcode = Annotated[str, _pattern(re.compile(r"^\d{6}$"), "邮政编码", "postcode.format")]
DivisionCode = Annotated[str, _pattern(re.compile(r"^\d{6}$"), "行政区划码", "division_code.format")]
BaseUrl = Annotated[str, BeforeValidator(_base_url)]
NoticeDays = Annotated[int, BeforeValidator(_bounded(1, 30))]
OptionalText = Annotated[str | None, optional(parse_text)]
OptionalRoundId = Annotated[str | None, optional(parse_round_id)]
OptionalNoticeDays = Annotated[int | None, optional(_bounded(1, 30))]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- site.yaml ---------------------------------------------------------------------------


class County(Record):
    name: Text
    division_code: DivisionCode
    townships: Annotated[tuple[Text, ...], Field(min_length=1)]


class Authority(Record):
    """The 工业和信息化主管部门 that issues notices and receives objections."""

    name: Text
    address: Text
    postcode: Postcode
    phone: Phone
    email: Email


class NoticeSettings(Record):
    workdays: NoticeDays = 5
    # What the list is called in notice titles: 关于新县第四批{list_name}名单的公示.
    list_name: Text = "工业、商贸流通、电商类白名单企业"


class SiteSettings(Record):
    title: Text
    county: County
    authority: Authority
    notice: NoticeSettings = NoticeSettings()
    base_url: BaseUrl
    sample: Flag = False
    guideline: Text = "guidelines/xinxian.txt"  # relative to the data folder


# --- glossary.yaml -------------------------------------------------------------------------


class Term(Record):
    term: Text
    definition: Text
    # Spellings of the term as they occur in the guideline, e.g. “四方”责任 for 四方责任.
    matches: tuple[Text, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.term, *self.matches)


class Glossary(Record):
    terms: Annotated[tuple[Term, ...], Field(min_length=1)]


# --- register.yaml -------------------------------------------------------------------------


class Round(Record):
    id: RoundId
    title: Text
    notice_start: Day
    workdays: OptionalNoticeDays = None


class Person(Record):
    name: Text
    title: Text


class Contact(Record):
    name: Text
    phone: Phone


class Declarations(Record):
    """The conditions of part 二 the enterprise declares it meets."""

    registered_in_county: Flag
    operating_normally: Flag
    good_credit: Flag
    environment_compliant: Flag
    safety_compliant: Flag
    follows_guideline: Flag


class Exclusions(Record):
    """The three exclusions of part 二: any true one bars the enterprise."""

    fraud: Flag
    major_accident: Flag
    serious_dishonesty: Flag


DECLARATION_NAMES = {
    "registered_in_county": "在县内注册",
    "operating_normally": "生产经营状态正常",
    "good_credit": "诚信度好",
    "environment_compliant": "达到环保排放标准",
    "safety_compliant": "达到安全生产标准",
    "follows_guideline": "严格执行疫情防控工作指南",
}
EXCLUSION_NAMES = {
    "fraud": "通过弄虚作假行为达到申报标准",
    "major_accident": "近三年发生重大安全、重大质量事故或有严重环境违法行为",
    "serious_dishonesty": "近三年发生严重社会失信行为",
}


class HistoryEvent(Record):
    date: Day
    event: Event
    round: OptionalRoundId = None  # approved: the round that publishes it
    by: OptionalText = None  # reviewed: 乡镇 or the county department
    reason: OptionalText = None  # removed, rejected, objection_upheld: published
    note: Annotated[OptionalText, Field(json_schema_extra=PRIVATE)] = None


class Enterprise(Record):
    uscc: Uscc
    name: Text
    sector: Sector
    qualifications: Annotated[tuple[Qualification, ...], Field(min_length=1)]
    township: Text
    address: Text
    industry: Text
    legal_representative: Text
    employees: Count
    main_products: Text
    epidemic_lead: Person
    contact: Annotated[Contact, Field(json_schema_extra=PRIVATE)]
    liaison: OptionalText = None
    declarations: Declarations
    exclusions: Exclusions
    history: Annotated[tuple[HistoryEvent, ...], Field(min_length=1)]


class Register(Record):
    rounds: tuple[Round, ...] = ()
    enterprises: tuple[Enterprise, ...] = ()


def is_private(model: type[BaseModel], name: str) -> bool:
    extra: Any = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("private"))


def private_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted names of every field marked private, recursively (e.g. `contact`, `history.note`)."""
    found: list[str] = []
    for name, info in model.model_fields.items():
        dotted = f"{prefix}{name}"
        if is_private(model, name):
            found.append(dotted)
            continue
        nested = nested_model(info.annotation)
        if nested is not None:
            found.extend(private_paths(nested, dotted + "."))
    return found


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The record type inside an annotation (`Person`, `tuple[HistoryEvent, ...]`, `Contact | None`)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = nested_model(arg)
        if found is not None:
            return found
    return None
