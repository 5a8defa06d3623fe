"""Text → safe Markdown: escaping, glossary tooltips and links to named documents.

Every piece of text that comes from data is published literally: HTML special characters become
entities and every character Markdown would act on is backslash-escaped, so `*`, `_`, `[x](…)`,
`|` or `#` are shown, never interpreted. Python-Markdown's `abbr` extension cannot mark terms
inside CJK text (it needs word boundaries), so tooltips are written as `<abbr>` here.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

# Python-Markdown's escapable characters, plus `|` (tables).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def escape_markdown(text: str) -> Markup:
    """Inline text that renders exactly as written, in Markdown or inside raw HTML."""
    escaped = html.escape(text, quote=True)
    return Markup(_MD_SPECIAL.sub(r"\\\1", escaped))


def yaml_string(text: str) -> Markup:
    """A YAML scalar for front matter (JSON strings are valid YAML)."""
    return Markup(json.dumps(text, ensure_ascii=False))


def title_string(text: str) -> Markup:
    """A page title for front matter. The theme prints titles unescaped (`<title>`, header, nav),
    so `&`, `<` and `>` are escaped here; quotes are left alone for its own `|e` in attributes."""
    return yaml_string(html.escape(text, quote=False))


@dataclass(frozen=True)
class Tooltip:
    term: str
    definition: str


@dataclass(frozen=True)
class Annotator:
    """Marks glossary terms and links named documents in running text.

    `tooltips` maps each spelling to its term; `documents` maps a document name (as written
    between 《》) to the URL of its download, relative to the site root.
    """

    tooltips: Mapping[str, Tooltip]
    documents: Mapping[str, str]

    @classmethod
    def build(cls, terms: Iterable[tuple[Iterable[str], str, str]], documents: Mapping[str, str]) -> Annotator:
        tooltips: dict[str, Tooltip] = {}
        for spellings, term, definition in terms:
            for spelling in spellings:
                tooltips[spelling] = Tooltip(term, definition)
        return cls(tooltips, dict(documents))

    def _pattern(self) -> re.Pattern[str] | None:
        words = sorted({*self.tooltips, *self.documents}, key=len, reverse=True)  # longest first
        return re.compile("|".join(re.escape(w) for w in words)) if words else None

    def annotate(self, text: str, root: str) -> Markup:
        """Escaped Markdown of `text`: the first use of each term gets a tooltip, documents a link.

        `root` is the relative path from the page to the site root (`""` or `"../"`).
        """
        pattern = self._pattern()
        if pattern is None:
            return escape_markdown(text)
        pieces: list[str] = []
        position = 0
        seen: set[str] = set()
        for match in pattern.finditer(text):
            word = match.group()
            if word in self.documents:
                replacement = (
                    f'<a href="{html.escape(root + self.documents[word], quote=True)}">{escape_markdown(word)}</a>'
                )
            else:
                tip = self.tooltips[word]
                if tip.term in seen:
                    continue
                seen.add(tip.term)
                replacement = f'<abbr title="{html.escape(tip.definition, quote=True)}">{escape_markdown(word)}</abbr>'
            pieces.append(escape_markdown(text[position : match.start()]))
            pieces.append(replacement)
            position = match.end()
        pieces.append(escape_markdown(text[position:]))
        return Markup("".join(pieces))


def chinese_date(day: date) -> str:
    """2026-10-09 → 2026年10月9日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


_BREAK_AFTER = "、，；：）》"
_BREAK_BEFORE = ("白名单", "名单的", "企业名单", "移出", "的公示", "的公告")


def balanced_lines(title: str, width: int) -> list[str]:
    """Break a notice title into balanced lines of at most `width` characters at word boundaries.

    GB/T 9704 7.3.1: a title that wraps keeps words whole and its lines symmetrical. Candidate
    breaks are after list punctuation or before the title's set phrases; of those, the one that
    makes the lines most even wins. Titles that fit stay on one line.
    """
    if len(title) <= width:
        return [title]
    candidates = {i + 1 for i, ch in enumerate(title) if ch in _BREAK_AFTER}
    for phrase in _BREAK_BEFORE:
        start = title.find(phrase, 1)
        while start > 0:
            candidates.add(start)
            start = title.find(phrase, start + 1)
    fitting = [i for i in candidates if 0 < i < len(title) and i <= width and len(title) - i <= width]
    if not fitting:
        middle = (len(title) + 1) // 2
        return [title[:middle], *balanced_lines(title[middle:], width)]
    best = min(fitting, key=lambda i: abs(len(title) - 2 * i))
    return [title[:best], title[best:]]
