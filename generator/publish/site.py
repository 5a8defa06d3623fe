"""Site stage: run MkDocs on the staged docs. The generator writes Markdown and this runs the
engine as a separate process, so nothing else depends on MkDocs internals."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from generator.errors import BuildError
from generator.publish.write import Staging

SEGMENT_MARK = "\\u200b"  # jieba's word separator, as the search index escapes it


def mkdocs_config(project: Path, settings: dict[str, Any]) -> dict[str, Any]:
    """The engine's config for a staged build: inherit mkdocs.yml, add what the data decides."""
    return {"INHERIT": str(project / "mkdocs.yml"), "docs_dir": "docs", "site_dir": "site", **settings}


class MkDocsRun:
    """`mkdocs build --strict` on the staged docs, in its own process so PDFs can render meanwhile.

    Never with --quiet: it hides the warnings that --strict counts, and the build would pass them.

    MkDocs dates its output (sitemap) from SOURCE_DATE_EPOCH: set to the build date, so the same
    inputs give the same bytes.
    """

    def __init__(self, stage: Staging, config: dict[str, Any], today: date) -> None:
        if importlib.util.find_spec("jieba") is None:
            raise BuildError("缺少 jieba：中文搜索无法分词。请运行 `make run` 安装依赖后再试。")
        self.stage = stage
        config_path = stage.root / "mkdocs.yml"
        config_path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        epoch = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config_path)],
            cwd=stage.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "NO_MKDOCS_2_WARNING": "1"},
        )
        self.started = time.perf_counter()
        self.seconds = 0.0  # the engine's own run time, known once it has finished
        self.output = ""
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        self.output, _ = self.process.communicate()
        self.seconds = time.perf_counter() - self.started

    def wait(self) -> None:
        self._reader.join()
        output = self.output
        if self.process.returncode != 0:
            log = "\n".join(line for line in output.splitlines() if not line.startswith(_JIEBA_CHATTER))
            raise BuildError(f"网站生成失败（MkDocs 返回 {self.process.returncode}）：\n{log}")
        index = self.stage.site / "search" / "search_index.json"
        if not index.exists() or SEGMENT_MARK not in index.read_text(encoding="utf-8"):
            raise BuildError("搜索索引没有中文分词（jieba 未生效），已停止发布。")
        repair_toggles(self.stage.site)

    def stop(self) -> None:
        """Stop the engine if the build failed elsewhere."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


# Material writes autocomplete="off" on its drawer and search checkboxes (to stop Firefox restoring
# their state), which HTML allows on text-like inputs only. They sit in base.html outside any block,
# so no template override can reach them; the attribute is removed after the build instead.
_TOGGLE_AUTOCOMPLETE = re.compile(
    r'(<input class="md-toggle" data-md-toggle="\w+" type="checkbox" id="__\w+") autocomplete="off">'
)


def repair_toggles(site: Path) -> None:
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        fixed = _TOGGLE_AUTOCOMPLETE.sub(r"\1>", html)
        if fixed != html:
            page.write_text(fixed, encoding="utf-8")


_JIEBA_CHATTER = ("Building prefix", "Loading model", "Dumping model", "Prefix dict")
