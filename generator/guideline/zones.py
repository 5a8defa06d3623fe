"""The four risk zones of article 15, read from the guideline text itself.

The county text says who is in each zone, which mask they wear, and (in other articles) which
facility sits in which zone. Reading it here keeps the diagram true to the text it illustrates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.guideline.model import Guideline

ZONE_NAMES = ("绿区", "蓝区", "黄区", "红区")
_WHO_RE = re.compile(r"(绿区|蓝区|黄区|红区)[(（]([^()（）]*)[)）]")
_MASK_RE = re.compile(r"([红黄蓝绿]{1,4})区域([^,，。;；]*?佩戴[^,，。;；]*)")
_FACILITY_RE = re.compile(r"(临时[^\s,，。、(（]{1,4}点)[(（]设([红黄蓝绿])区内[)）]")


@dataclass(frozen=True)
class Zone:
    name: str  # 绿区
    who: str  # 正常生产
    rule: str  # 佩戴一次性医用外科口罩
    facilities: tuple[str, ...]  # 临时隔离点
    defined_in: int  # the article that names the zones
    articles: tuple[int, ...]  # every article the box draws on


def find_zones(guideline: Guideline) -> tuple[Zone, ...]:
    """The zones in the order the text names them; empty when the text defines none."""
    who: dict[str, tuple[str, int]] = {}
    rules: dict[str, tuple[str, int]] = {}
    facilities: dict[str, list[tuple[str, int]]] = {}
    for article in guideline.articles:
        for name, people in _WHO_RE.findall(article.text):
            who.setdefault(name, (people, article.number))
        for colours, rule in _MASK_RE.findall(article.text):
            for colour in colours:
                rules.setdefault(colour + "区", (rule.strip().removeprefix("人员"), article.number))
        for facility, colour in _FACILITY_RE.findall(article.text):
            entries = facilities.setdefault(colour + "区", [])
            if facility not in (f for f, _ in entries):
                entries.append((facility, article.number))
    if set(who) != set(ZONE_NAMES):
        return ()
    zones = []
    for name, (people, defined_in) in who.items():  # dicts keep the order the text names them in
        rule, rule_article = rules.get(name, ("", defined_in))
        found = facilities.get(name, [])
        numbers = sorted({defined_in, rule_article, *(n for _, n in found)})
        zones.append(Zone(name, people, rule, tuple(f for f, _ in found), defined_in, tuple(numbers)))
    return tuple(zones)
