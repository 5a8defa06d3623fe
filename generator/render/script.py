"""Data the page scripts read, published as a script so that every page shares one copy.

A page that embeds the build date changes on every build; a shared script lets a page stay
byte-for-byte the same from one build to the next while its status is still told on the reader's
date. A script, not a JSON file the pages fetch: fetching fails from file://.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

from generator.render.registry import Format, Job, Run


def calendar_script(calendar: dict[str, object]) -> bytes:
    data = json.dumps(calendar, ensure_ascii=False, separators=(",", ":"))
    return f"var wlCalendar = {data};\n".encode()


class Script(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        for job in jobs:
            yield calendar_script(job.data["calendar"])


FORMAT = Script()
