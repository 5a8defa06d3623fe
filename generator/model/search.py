"""What search must keep whole: names, townships and glossary terms (the engine's dictionary)."""

from __future__ import annotations

from generator.model.site import SiteModel

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
