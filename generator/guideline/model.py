"""The parsed guideline: parts → sections → blocks. Plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int


@dataclass(frozen=True)
class Item:
    """A numbered item. In part 一 these are the articles, numbered 1–20 across sections."""

    number: int
    text: str
    line: int


Block = Paragraph | Item


@dataclass(frozen=True)
class Section:
    number: int  # （一） → 1
    title: str
    blocks: tuple[Block, ...]
    line: int

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(b for b in self.blocks if isinstance(b, Item))


@dataclass(frozen=True)
class Part:
    number: int  # 一、 → 1
    title: str
    intro: tuple[Paragraph, ...]
    sections: tuple[Section, ...]
    line: int


@dataclass(frozen=True)
class Guideline:
    title: str
    preamble: tuple[Paragraph, ...]
    parts: tuple[Part, ...]
    source: str  # the file as staff know it, for messages

    @property
    def articles(self) -> tuple[Item, ...]:
        """Part 一's numbered items: the articles of the guideline."""
        return tuple(item for section in self.parts[0].sections for item in section.items)

    def article(self, number: int) -> Item:
        for item in self.articles:
            if item.number == number:
                return item
        raise KeyError(number)
