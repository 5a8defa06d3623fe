"""The words of the rules a page checks as well as `wlsite check` (the application form): one
template per rule code, filled in by Python here and by the page's script from the same table, so
an enterprise and a clerk read the same sentence for the same mistake.
"""

from __future__ import annotations

_VERIFY = (
    "请对照营业执照逐位核对（校验只能发现代码有误，不能指出是哪一位）；"
    "常见原因：输错一位、相邻两位颠倒、数字与字母混淆（0/O、1/I、2/Z）"
)

MESSAGES = {
    "field.empty": "不能为空",
    "field.missing": "缺少必填字段",
    "text.too_long": "太长：{length} 个字符，上限 {limit}",
    "text.control": "含有控制字符 U+{code}，请删除（常见于从网页或 Word 复制的文字）",
    "text.invisible": (
        "含有看不见的字符 U+{code}：它会造成看起来相同的重名、让搜索找不到，"
        "请删除后重新输入（常见于从网页、微信或 Word 复制的文字）"
    ),
    "text.markup": "不能包含 HTML 标记“{tag}”，请只写纯文字",
    "count.invalid": "应为不小于 0 的整数，实际为“{text}”",
    "phone.format": "电话号码格式不对：“{text}”",
    "uscc.length": "统一社会信用代码应为 18 位，实际为 {length} 位；请对照营业执照核对",
    "uscc.character": ("统一社会信用代码第 {position} 位“{character}”不是代码中会出现的字符{unused}；" + _VERIFY),
    "uscc.unused_letter": "（代码中不使用字母 I、O、S、V、Z）",
    "uscc.checksum": "统一社会信用代码未通过校验（第 18 位校验码与前 17 位不符）；" + _VERIFY,
    "uscc.format": "统一社会信用代码第 1–8 位（登记管理部门、机构类别和行政区划码）只能是数字；" + _VERIFY,
    "uscc.org_checksum": (
        "统一社会信用代码第 9–17 位（组织机构代码）未通过校验（第 17 位校验码与第 9–16 位不符）；" + _VERIFY
    ),
    "qualification.duplicate": "入库条件“{qualification}”重复",
    "qualification.sector": "“{qualification}”只适用于{fits}类企业，本企业行业类别为“{sector}”",
    "liaison.missing": "“{qualification}”应在 liaison 中写明包联的县领导",
    "apply.declaration": "按《办法》，申请纳入白名单的企业须“{condition}”；不符合这一条的，暂不能申请",
    "apply.exclusion": "按《办法》，有“{condition}”情形的企业不得纳入白名单",
}


def message(rule: str, **values: object) -> str:
    return MESSAGES[rule].format(**values)
