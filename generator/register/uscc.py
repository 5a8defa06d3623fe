"""统一社会信用代码 (GB 32100-2015): normalise, then check, and say exactly what is wrong.

python-stdnum checks length, alphabet and the final check character; it does not check the
inner 组织机构代码 (GB 11714, characters 9–17, with its own check character) nor the region.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LENGTH = 18


@dataclass(frozen=True)
class UsccError(ValueError):
    message: str

    def __str__(self) -> str:
        return self.message


def normalise(raw: str) -> str:
    """NFKC (full-width → half-width), upper case, no spaces or hyphens."""
    text = unicodedata.normalize("NFKC", raw).upper()
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-‐‑–—")


def org_check_char(org8: str) -> str:
    """The GB 11714 check character for the first eight characters of an organisation code."""
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(org8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    return str(stdnum_uscc.calc_check_digit(first17))


def validate(raw: str) -> str:
    """The normalised code, or `UsccError` with a message a clerk can act on."""
    code = normalise(raw)
    if len(code) != LENGTH:
        raise UsccError(f"统一社会信用代码应为 18 位，实际为 {len(code)} 位")
    for position, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            hint = "（代码中不使用 I、O、S、V、Z）" if ch in "IOSVZ" else ""
            raise UsccError(f"统一社会信用代码第 {position} 位“{ch}”不是有效字符{hint}")
    try:
        stdnum_uscc.validate(code)
    except InvalidChecksum:
        raise UsccError(f"统一社会信用代码校验位错误（应为 {uscc_check_char(code[:17])}）") from None
    except InvalidLength:
        raise UsccError("统一社会信用代码长度错误") from None
    except InvalidFormat:
        raise UsccError("统一社会信用代码第 1–8 位应为数字（登记管理部门、机构类别和行政区划码）") from None
    except ValidationError as error:  # any other stdnum refusal, still said in Chinese
        raise UsccError(f"统一社会信用代码无效（{type(error).__name__}）") from None
    org = code[8:17]
    if any(ch not in _ORG_ALPHABET for ch in org):
        raise UsccError("统一社会信用代码第 9–17 位（组织机构代码）含有无效字符")
    expected = org_check_char(org[:8])
    if org[8] != expected:
        raise UsccError(f"统一社会信用代码第 9–17 位（组织机构代码）的校验码错误（第 17 位应为 {expected}）")
    return code


def region(code: str) -> str:
    """The six-digit 行政区划码 of a valid code."""
    return code[2:8]


def make(prefix: str, region_code: str, org8: str) -> str:
    """A valid code from its parts (used by the sample and benchmark generators)."""
    org = org8 + org_check_char(org8)
    first17 = prefix + region_code + org
    return first17 + uscc_check_char(first17)
