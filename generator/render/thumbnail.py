"""Thumbnails: the first page of a PDF as a PNG for the forms page (poppler's pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator, Sequence

from generator.errors import BuildError
from generator.render.registry import Format, Job, Run

WIDTH = 360


def thumbnail(path: str, pdf_path: str) -> Job:
    """A job for the preview of the PDF at `pdf_path`."""
    return Job(path, "png", sources=(pdf_path,))


def first_page_png(pdf: bytes, name: str, width: int = WIDTH) -> bytes:
    """The same PDF gives the same bytes."""
    if shutil.which("pdftoppm") is None:
        raise BuildError("缺少 pdftoppm（Debian 软件包 poppler-utils）：无法生成表格缩略图。请运行 make run 安装依赖。")
    result = subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-f", "1", "-l", "1", "-scale-to-x", str(width), "-scale-to-y", "-1", "-"],
        input=pdf,
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        raise BuildError(f"生成 {name} 的缩略图失败：{result.stderr.decode(errors='replace')}")
    return result.stdout


class Thumbnail(Format):
    def render(self, jobs: Sequence[Job], run: Run) -> Iterator[bytes]:
        for job in jobs:
            yield first_page_png(run.sources[job.sources[0]], job.sources[0])


FORMAT = Thumbnail()
