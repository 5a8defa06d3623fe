"""Site stage: run MkDocs on the staged docs. The generator writes Markdown and this runs the
engine as a separate process, so nothing else depends on MkDocs internals."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from generator.errors import BuildError
from generator.publish.write import Staging

SEGMENT_MARK = "\\u200b"  # jieba's word separator, as the search index escapes it


def run_mkdocs(project: Path, stage: Staging, settings: dict[str, Any], today: date) -> None:
    """Build `stage.docs` into `stage.site` with the project's mkdocs.yml plus `settings`.

    MkDocs dates its output (sitemap) from SOURCE_DATE_EPOCH: set to the build date, so the same
    inputs give the same bytes.
    """
    if importlib.util.find_spec("jieba") is None:
        raise BuildError("缺少 jieba：中文搜索无法分词。请运行 `make run` 安装依赖后再试。")
    config = {"INHERIT": str(project / "mkdocs.yml"), "docs_dir": "docs", "site_dir": "site", **settings}
    config_path = stage.root / "mkdocs.yml"
    config_path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--config-file", str(config_path)],
        cwd=stage.root,
        capture_output=True,
        text=True,
        check=False,
        env={
            **os.environ,
            "SOURCE_DATE_EPOCH": str(int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp())),
        },
    )
    if result.returncode != 0:
        log = "\n".join(
            line
            for line in (result.stdout + result.stderr).splitlines()
            if not line.startswith(("Building prefix", "Loading model", "Dumping model", "Prefix dict"))
        )
        raise BuildError(f"网站生成失败（MkDocs 返回 {result.returncode}）：\n{log}")
    index = stage.site / "search" / "search_index.json"
    if not index.exists() or SEGMENT_MARK not in index.read_text(encoding="utf-8"):
        raise BuildError("搜索索引没有中文分词（jieba 未生效），已停止发布。")
