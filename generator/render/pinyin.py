"""Pinyin order for enterprise names (pypinyin, phrase-aware), with the county's readings fixed.

pypinyin reads by phrase, so 重庆/重工, 长沙/长期 and 银行/旅行 come out right, but maximum matching
finds 县长 in 新县长江… (→ zhǎng) and reads 支行 as zhī xíng. The two phrases below fix both.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin, load_phrases_dict

PHRASES = {
    "新县": [["xīn"], ["xiàn"]],
    "支行": [["zhī"], ["háng"]],
}
load_phrases_dict(PHRASES)


def syllables(name: str) -> list[str]:
    """`新县长江` → ['xin1', 'xian4', 'chang2', 'jiang1']; other characters are kept as they are."""
    return [s.lower() for s in lazy_pinyin(name, style=Style.TONE3, neutral_tone_with_five=True)]


# pypinyin takes about a millisecond a name, and `wlsite serve` rebuilds in one process after every
# change of the register: the names it has read before are not read again.
@lru_cache(maxsize=1 << 16)
def sort_key(name: str) -> tuple[tuple[str, ...], str]:
    """Pinyin syllables with tones (a shorter syllable first: chan1 < chang2), then the name itself."""
    return (tuple(syllables(name)), name)
