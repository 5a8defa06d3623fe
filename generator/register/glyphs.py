"""Which characters the PDFs can draw: the union of the installed fonts' character sets.

WeasyPrint draws each character with the first font that has it, falling back through every
font fontconfig offers; a character no font has comes out as an empty box (.notdef), and the
build fails on it. `check` refuses such characters up front (an emoji in a name, say), naming
the character and the field, instead of failing the build later.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess


@functools.cache
def uncovered() -> re.Pattern[str] | None:
    """A pattern matching any character no installed font has; None where fontconfig cannot say."""
    if shutil.which("fc-list") is None:
        return None
    listed = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, check=False)
    ranges: list[tuple[int, int]] = []
    for token in set(listed.stdout.split()):  # fonts share most of their ranges
        first, _, last = token.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    if not ranges:
        return None
    merged: list[list[int]] = []
    for low, high in sorted(ranges):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    covered = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in merged)
    # Line breaks are layout, not glyphs.
    return re.compile(f"[^{covered}\n\r\t]")


def missing_glyph(text: str) -> str | None:
    """The first character of `text` that no font can draw, or None."""
    pattern = uncovered()
    found = pattern.search(text) if pattern is not None else None
    return found.group() if found else None
