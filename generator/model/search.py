"""What search must keep whole (the engine's dictionary) and what finds an enterprise.

The site search matches the beginnings of the words its index was cut into (jieba, with the
dictionary below). A name's core stays one word, so that its brand finds it; the other words a
reader types (茶业, 葛根, the township) are given to the index by `keywords`, each starting a word.
"""

from __future__ import annotations

import logging

import jieba

from generator.model.public import PublicEnterprise
from generator.model.site import SiteModel

jieba.setLogLevel(logging.WARNING)  # it announces loading its dictionary on every first use

ORGANISATION_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "合作社", "集团", "公司")


def name_core(name: str, county: str) -> str:
    """The distinctive middle of an enterprise name: 新县青檀纺织有限公司 → 青檀纺织.

    Search matches word beginnings only, so the core is what must be one word: then 青檀 finds the
    enterprise, and the full name still splits into 新县 + 青檀纺织 + 有限公司.
    """
    core = name.removeprefix(county)
    for form in ORGANISATION_FORMS:
        if core.endswith(form) and len(core) > len(form):
            return core[: -len(form)]
    return core


def search_words(model: SiteModel) -> tuple[str, ...]:
    """Glossary terms, the county and its townships, and the core of every published enterprise name."""
    county = model.site.county.name
    words = {term.term for term in model.glossary.terms}
    words.update(model.site.county.townships)
    words.add(county)
    words.update(name_core(item.name, county) for item in model.enterprises)
    return tuple(sorted(w for w in words if w and not any(ch.isspace() for ch in w)))


def name_parts(name: str, county: str) -> list[str]:
    """Every tail of the name's core that starts at a word of two or more characters:
    新县白云示例葛根制品有限公司 → 示例葛根制品, 葛根制品, 制品. The whole core is a word already."""
    core = name_core(name, county)
    parts: list[str] = []
    position = 0
    for word in jieba.lcut(core):
        if position and len(word) > 1:
            parts.append(core[position:])
        position += len(word)
    return parts


def keywords(item: PublicEnterprise, county: str) -> list[str]:
    """What a reader may type to find an enterprise besides the start of its name."""
    found = [*name_parts(item.name, county), item.township, item.industry]
    return list(dict.fromkeys(word for word in found if word))
