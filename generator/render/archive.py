"""Zip files that are the same bytes for the same content: fixed timestamps, modes and order."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from generator.render.registry import Format, Job, Run


def _stamp(day: date) -> tuple[int, int, int, int, int, int]:
    return (max(day.year, 1980), day.month, day.day, 0, 0, 0)


def build_zip(members: Iterable[tuple[str, bytes]], day: date) -> bytes:
    """A deflated zip of `(name, data)` members, in the given order, all dated `day`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=_stamp(day))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def normalise_zip(data: bytes, day: date) -> bytes:
    """Rewrite a zip written by another library (openpyxl) with fixed timestamps."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return build_zip(members, day)


def kit(path: str, members: Sequence[tuple[str, str]], readme: str, day: date) -> Job:
    """A zip of other jobs' outputs: `members` are (name in the zip, path of the job), after a
    说明.txt with `readme` (CRLF line ends, for Notepad)."""
    return Job(
        path,
        "zip",
        data={"names": [name for name, _ in members], "readme": readme, "day": day},
        sources=tuple(source for _, source in members),
    )


class Archive(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        for job in jobs:
            readme = job.data["readme"].replace("\n", "\r\n").encode("utf-8")
            members = [("说明.txt", readme)]
            members += [
                (name, run.sources[source]) for name, source in zip(job.data["names"], job.sources, strict=True)
            ]
            yield build_zip(members, job.data["day"])


FORMAT = Archive()
