"""统一社会信用代码 (GB 32100-2015): normalise, then check, and say which check failed.

python-stdnum checks length, alphabet and the final check character; it does not check the
inner 组织机构代码 (GB 11714, characters 9–17, with its own check character) nor the region.

A check character can only say *that* a code is wrong, never *which* character is: changing
any one of the 17 others can satisfy it. So the messages say which check failed and how to
verify the code against the business licence, and never name a character to put in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidFormat, ValidationError

from generator.register.messages import MESSAGES, message

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LENGTH = 18


@dataclass(frozen=True)
class UsccError(ValueError):
    code: str  # the rule, as in `Problem.code`: uscc.length, uscc.character, …
    message: str

    def __str__(self) -> str:
        return self.message


_SEPARATORS = re.compile(r"[\s\-‐‑–—]+")


def normalise(raw: str) -> str:
    """NFKC (full-width → half-width), upper case, no spaces or hyphens."""
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", raw).upper())


def org_check_char(org8: str) -> str:
    """The GB 11714 check character for the first eight characters of an organisation code."""
    total = sum(_ORG_ALPHABET.index(ch) * w for ch, w in zip(org8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_char(first17: str) -> str:
    return str(stdnum_uscc.calc_check_digit(first17))


# An import checks every code of the register before and after the merge, and the events sheet
# repeats them: each distinct code is checked once.
@lru_cache(maxsize=1 << 16)
def validate(raw: str) -> str:
    """The normalised code, or `UsccError` saying which check failed and how to verify."""
    code = normalise(raw)
    if len(code) != LENGTH:
        raise UsccError("uscc.length", message("uscc.length", length=len(code)))
    for position, ch in enumerate(code, start=1):
        if ch not in ALPHABET:
            unused = MESSAGES["uscc.unused_letter"] if ch in "IOSVZ" else ""
            text = message("uscc.character", position=position, character=ch, unused=unused)
            raise UsccError("uscc.character", text)
    try:
        stdnum_uscc.validate(code)
    except InvalidFormat:
        raise UsccError("uscc.format", message("uscc.format")) from None
    except ValidationError:  # length and alphabet were checked above: InvalidChecksum, or its kin
        raise UsccError("uscc.checksum", message("uscc.checksum")) from None
    org = code[8:17]
    if org[8] != org_check_char(org[:8]):
        raise UsccError("uscc.org_checksum", message("uscc.org_checksum"))
    return code


def region(code: str) -> str:
    """The six-digit 行政区划码 of a valid code."""
    return code[2:8]


def make(prefix: str, region_code: str, org8: str) -> str:
    """A valid code from its parts (used by the sample and benchmark generators)."""
    org = org8 + org_check_char(org8)
    first17 = prefix + region_code + org
    return first17 + uscc_check_char(first17)
