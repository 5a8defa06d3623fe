"""Application files: what an enterprise saved from the form page (apply/form.html), read back.

A file is a JSON object with `format` ("wlsite-application/1"), the enterprise's fields under the
register's own names, and the date it was saved. Reading turns it into register text (true/false,
whole numbers as digits) with the place of every value, so each problem names the file and the
field as the form called it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.errors import InputError, Problem, did_you_mean, display_path
from generator.files import MEGABYTE, read_limited
from generator.register.load import PathKey, Place
from generator.register.models import APPLICATION_FORMAT, DECLARATION_NAMES, EXCLUSION_NAMES, Enterprise

MAX_APPLICATION = MEGABYTE  # a filled application is about 2 KB
FIELDS = tuple(name for name in Enterprise.model_fields if name != "history")
# What the form calls each field, for messages about a file.
LABELS = {
    "uscc": "统一社会信用代码",
    "name": "企业名称",
    "sector": "企业类别",
    "qualifications": "申报条件",
    "township": "所属乡镇（街道）",
    "address": "生产经营地址",
    "industry": "所属行业",
    "legal_representative": "法定代表人",
    "employees": "从业人数",
    "main_products": "主要产品（经营范围）",
    "epidemic_lead": "疫情防控工作主要负责人",
    "epidemic_lead.name": "疫情防控工作主要负责人姓名",
    "epidemic_lead.title": "疫情防控工作主要负责人职务",
    "contact": "联系人",
    "contact.name": "联系人姓名",
    "contact.phone": "联系电话",
    "liaison": "包联县领导",
    "declarations": "基本条件",
    "exclusions": "不得纳入的情形",
    **{f"declarations.{key}": f"基本条件“{text}”" for key, text in DECLARATION_NAMES.items()},
    **{f"exclusions.{key}": f"不得纳入的情形“{text}”" for key, text in EXCLUSION_NAMES.items()},
}


def label(path: tuple[str | int, ...]) -> str:
    """`contact.phone` → 联系电话（contact.phone）: the form's words, then the register's name."""
    names = [str(part) for part in path if not isinstance(part, int)]
    dotted = ".".join(names)
    shown = (LABELS.get(dotted) or LABELS.get(names[0], "")) if names else ""
    return f"{shown}（{dotted}）" if shown else dotted


@dataclass
class Application:
    source: str
    record: dict[str, Any]  # register text
    places: dict[PathKey, Place] = field(default_factory=dict)  # relative to the record
    problems: list[Problem] = field(default_factory=list)  # with the file itself (unknown fields)


def _text(value: Any) -> Any:
    """A JSON value as the register's text: the form saves booleans and numbers typed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return {key: _text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_text(item) for item in value]
    return value


def _paths(value: Any, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*path, index))
    return found


def read_application(path: Path) -> Application:
    """One application file, or `InputError` naming the file (and the field)."""
    source = display_path(path)

    def refuse(code: str, message: str, field_name: str = "") -> InputError:
        return InputError([Problem(source, 0, field_name, message, code=code)])

    data = read_limited(path, MAX_APPLICATION)
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise refuse("application.unreadable", "不是 UTF-8 文本，不是申请页保存的申请文件。") from None
    except json.JSONDecodeError as error:
        raise refuse("application.unreadable", f"不是有效的申请文件（JSON 第 {error.lineno} 行有误）。") from None
    if not isinstance(document, dict):
        raise refuse("application.unreadable", "不是申请页保存的申请文件。")
    version = document.get("format")
    if version != APPLICATION_FORMAT:
        raise refuse(
            "application.format",
            f"申请文件的格式“{version}”本工具不认识（应为 {APPLICATION_FORMAT}）："
            "请用本网站“在线填写申请表”页面重新保存，或升级 wlsite。",
        )
    problems = [
        Problem(source, 0, key, f"未知字段“{key}”" + did_you_mean(key, FIELDS), code="field.unknown")
        for key in document
        if key not in (*FIELDS, "format", "saved")
    ]
    record = {key: _text(value) for key, value in document.items() if key in FIELDS}
    places = {path: Place(source, 0, "", label(path)) for path in _paths(record, ()) if path}
    return Application(source, record, places, problems)


def application_files(targets: list[Path]) -> list[Path]:
    """The files given, with every *.json in a folder given, in name order."""
    files: list[Path] = []
    for target in targets:
        files += sorted(target.glob("*.json")) if target.is_dir() else [target]
    return files
