"""Charts as inline SVG, made at build time: no JavaScript, no CDN, crisp at any size.

Each chart carries a `<title>` and `<desc>` for screen readers, uses the page's own fonts
(system CJK fonts; `theme.font: false`), and is narrow enough to stay legible on a 375 px phone.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from generator.guideline.zones import Zone

FONT = "font-family=\"'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif\""
INK = "#1f2328"
MUTED = "#57606a"

ZONE_COLOURS = {  # fill, border: light tints keep dark text at AAA contrast
    "绿区": ("#e6f4ea", "#1e7e34"),
    "蓝区": ("#e3f0fb", "#1a5fb4"),
    "黄区": ("#fff6d6", "#9a6700"),
    "红区": ("#fde7e7", "#b42318"),
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def text_width(text: str) -> float:
    """Width in em: CJK and full-width characters are 1, others about 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


def wrap(text: str, max_em: float) -> list[str]:
    """Break text into lines of at most `max_em` em, preferring to break after punctuation."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if text_width(line + ch) > max_em and line:
            # Keep closing punctuation on the line it closes (basic 避头 rule).
            if ch in "，。、；：）》”！？,.;:)":
                line += ch
                continue
            lines.append(line)
            line = ""
        line += ch
    if line:
        lines.append(line)
    if len(lines) > 1 and len(lines[-1]) == 1:  # no single-character last line
        lines[-2], lines[-1] = lines[-2][:-1], lines[-2][-1] + lines[-1]
    return lines


def _svg(width: int, height: int, ident: str, title: str, desc: str, body: str) -> Markup:
    """The finished chart; every text in it went through `_e`, so it is safe to embed as is."""
    return Markup(
        f'<svg class="wl-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg" {FONT}>'
        f'<title id="{ident}-title">{_e(title)}</title><desc id="{ident}-desc">{_e(desc)}</desc>'
        f"{body}</svg>"
    )


def _lines(
    x: float,
    y: float,
    lines: Sequence[str],
    size: int,
    *,
    colour: str = INK,
    weight: str = "normal",
    anchor: str = "start",
    leading: float = 1.4,
) -> str:
    spans = "".join(
        f'<tspan x="{x:g}" y="{y + i * size * leading:g}">{_e(line)}</tspan>' for i, line in enumerate(lines)
    )
    return f'<text font-size="{size}" fill="{colour}" font-weight="{weight}" text-anchor="{anchor}">{spans}</text>'


def zones_diagram(zones: Sequence[Zone]) -> Markup:
    """The four zones as a 2 × 2 grid of coloured boxes: who is there, the mask rule, facilities."""
    width, gap, pad, size = 400, 12, 12, 15
    box_w = (width - gap) // 2
    text_em = (box_w - 2 * pad - 8) / size
    cells = []
    for zone in zones:
        lines = wrap(f"人员：{zone.who}", text_em)
        if zone.rule:
            lines += wrap(f"口罩：{zone.rule}", text_em)
        if zone.facilities:
            lines += wrap(f"设有：{'、'.join(zone.facilities)}", text_em)
        cells.append((zone, lines))
    row_heights = [
        max(len(lines) for _, lines in cells[row : row + 2]) * size * 1.45 + 58 for row in range(0, len(cells), 2)
    ]
    body = []
    for index, (zone, lines) in enumerate(cells):
        fill, border = ZONE_COLOURS.get(zone.name, ("#f6f8fa", MUTED))
        x = (index % 2) * (box_w + gap)
        y = sum(row_heights[: index // 2]) + gap * (index // 2)
        h = row_heights[index // 2]
        body.append(
            f'<rect x="1.5" y="1.5" width="{box_w - 3}" height="{h - 3:.0f}" rx="8" fill="{fill}" stroke="{border}" '
            f'stroke-width="3" transform="translate({x} {y:.0f})"/>'
        )
        body.append(f'<rect x="{x + 1.5}" y="{y + 1.5:.0f}" width="8" height="{h - 3:.0f}" rx="4" fill="{border}"/>')
        body.append(_lines(x + pad + 8, y + 30, [zone.name], 20, weight="bold", colour=border))
        body.append(_lines(x + pad + 8, y + 56, lines, size, leading=1.45))
    height = sum(row_heights) + gap * (len(row_heights) - 1)
    desc = "；".join(
        f"{z.name}：{z.who}，{z.rule}" + (f"，设{'、'.join(z.facilities)}" if z.facilities else "") for z in zones
    )
    return _svg(width, int(height), "zones", "企业内部四类风险区域", desc, "".join(body))


@dataclass(frozen=True)
class FlowStep:
    title: str
    detail: str
    branch: str = ""  # an exit to the side, e.g. 异议成立 → 不予入库


def flow_chart(steps: Sequence[FlowStep], ident: str = "flow", title: str = "白名单申报流程") -> Markup:
    """A vertical chain of steps with arrows; side exits drawn as dashed boxes on the right."""
    # Details at the steps' own size: on a 375 px phone 15 units are 12.5 px, 13 were 11 px.
    width, main_w, side_x, size = 400, 238, 262, 15
    side_w = width - side_x - 2
    arrow = 26
    body = [
        f'<defs><marker id="{ident}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{MUTED}"/></marker></defs>'
    ]
    y = 1.0
    for index, step in enumerate(steps):
        detail = wrap(step.detail, (main_w - 24) / size)
        box_h = 36 + len(detail) * size * 1.35 + 8
        body.append(
            f'<rect x="1" y="{y:.0f}" width="{main_w}" height="{box_h:.0f}" rx="8" fill="#eef2f8" '
            f'stroke="#1a5fb4" stroke-width="2"/>'
        )
        body.append(_lines(12, y + 24, [f"{index + 1}. {step.title}"], size, weight="bold"))
        body.append(_lines(12, y + 46, detail, size, colour=MUTED, leading=1.35))
        if step.branch:
            mid = y + box_h / 2
            lines = wrap(step.branch, (side_w - 16) / size)
            side_h = 14 + len(lines) * size * 1.35
            body.append(
                f'<line x1="{main_w + 1}" y1="{mid:.0f}" x2="{side_x - 3}" y2="{mid:.0f}" stroke="{MUTED}" '
                f'stroke-width="2" marker-end="url(#{ident}-arrow)"/>'
            )
            body.append(
                f'<rect x="{side_x}" y="{mid - side_h / 2:.0f}" width="{side_w}" height="{side_h:.0f}" rx="6" '
                f'fill="#ffffff" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="5 3"/>'
            )
            body.append(_lines(side_x + 8, mid - side_h / 2 + 20, lines, size, leading=1.35))
        y += box_h
        if index < len(steps) - 1:
            centre = main_w / 2
            body.append(
                f'<line x1="{centre:.0f}" y1="{y + 2:.0f}" x2="{centre:.0f}" y2="{y + arrow - 2:.0f}" stroke="{MUTED}" '
                f'stroke-width="2" marker-end="url(#{ident}-arrow)"/>'
            )
            y += arrow
    desc = "；".join(
        f"第{i}步 {s.title}：{s.detail}" + (f"（{s.branch}）" if s.branch else "") for i, s in enumerate(steps, 1)
    )
    return _svg(width, int(y) + 2, ident, title, desc, "".join(body))


def bar_chart(rows: Sequence[tuple[str, int, int]], ident: str, title: str, colour: str = "#1a5fb4") -> Markup:
    """Horizontal bars with the label on the left and the count at the end of each bar; the third
    number of a row (enterprises in their 公示 period) is a pale bar after it, named in words.

    The chart is drawn 360 units wide at 15 units a letter: on a 375 px phone it is about 330 px
    wide, so its labels stay at or above 13 px (older readers: 12 px at least).
    """
    width, label_w, row_h, size = 360, 112, 30, 15
    top = max((value + pending for _, value, pending in rows), default=0) or 1
    bar_space = width - label_w - 92
    body = []
    for index, (label, value, pending) in enumerate(rows):
        y = index * row_h
        shown = label if text_width(label) * size <= label_w - 8 else wrap(label, (label_w - 16) / size)[0] + "…"
        body.append(_lines(label_w - 8, y + 20, [shown], size, anchor="end"))
        bar = max(2.0, bar_space * value / top) if value else 0.0
        body.append(f'<rect x="{label_w}" y="{y + 6}" width="{bar:.1f}" height="{row_h - 12}" rx="3" fill="{colour}"/>')
        extra = max(2.0, bar_space * pending / top) if pending else 0.0
        if extra:
            body.append(
                f'<rect x="{label_w + bar:.1f}" y="{y + 6}" width="{extra:.1f}" height="{row_h - 12}" rx="3" '
                f'fill="{colour}" fill-opacity="0.25" stroke="{colour}" stroke-dasharray="3 2"/>'
            )
        count = f"{value}＋公示中{pending}" if pending else str(value)
        body.append(_lines(label_w + bar + extra + 6, y + 20, [count], size, colour=INK))
    desc = "；".join(f"{label}：{value}" + (f"，另有公示中 {extra}" if extra else "") for label, value, extra in rows)
    return _svg(width, max(row_h, len(rows) * row_h), ident, title, desc, "".join(body))
