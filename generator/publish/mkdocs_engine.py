"""The MkDocs engine: mkdocs-material with Chinese search (jieba), run as a separate process.

Everything MkDocs-specific lives here: the staged configuration that INHERITs mkdocs.yml, the
jieba user dictionary, the `.md` source of each page, and the repairs of the theme's markup.
"""

from __future__ import annotations

import html
import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from generator.errors import BuildError
from generator.publish.engine import SiteFacts
from generator.publish.write import Staging

SEGMENT_MARK = "\\u200b"  # jieba's word separator, as the search index escapes it
USER_DICT = "userdict.txt"
# jieba's default weight for a user word only keeps it whole against its own parts; 20,000 also
# beats overlapping pairs such as 设红/区内 in 设红区内 (common words weigh 10^4–10^5).
USER_WORD_FREQ = 20000
# Distributions whose code shapes the built site.
PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "Markdown", "Jinja2", "jieba")


def settings(facts: SiteFacts) -> dict[str, Any]:
    """What the data decides in the engine's config: names, the banner, the footer, the dictionary."""
    return {
        "site_name": facts.title,
        # The public address: canonical links, the sitemap, and 404.html's root-absolute paths,
        # which then work when the site is served under a sub-path (e.g. /whitelist/).
        "site_url": facts.base_url,
        "site_description": facts.description,
        "copyright": html.escape(facts.footer),
        "extra": {"sample": facts.sample, "contact": dict(facts.contact)},
        # Relative to the staging folder, where the engine runs.
        "plugins": {"search": {"jieba_dict_user": USER_DICT}},
    }


def mkdocs_config(project: Path, facts: SiteFacts) -> dict[str, Any]:
    """The engine's config for a staged build: inherit mkdocs.yml, add what the data decides."""
    return {"INHERIT": str(project / "mkdocs.yml"), "docs_dir": "docs", "site_dir": "site", **settings(facts)}


def user_dictionary(facts: SiteFacts) -> str:
    return "".join(f"{word} {USER_WORD_FREQ} nz\n" for word in facts.search_words)


class MkDocs:
    def source(self, route: str) -> str:
        # use_directory_urls is off (the offline plugin needs it): x.md is published as x.html.
        return str(PurePosixPath(route).with_suffix(".md"))

    def fingerprint(self, project: Path, facts: SiteFacts) -> object:
        versions = {name: importlib.metadata.version(name) for name in PACKAGES}
        return (versions, (project / "mkdocs.yml").read_bytes(), settings(facts), user_dictionary(facts))

    def start(self, project: Path, stage: Staging, facts: SiteFacts) -> MkDocsRun:
        (stage.root / USER_DICT).write_text(user_dictionary(facts), encoding="utf-8")
        return MkDocsRun(stage, mkdocs_config(project, facts), facts)


class MkDocsRun:
    """`mkdocs build --strict` on the staged docs, in its own process so PDFs can render meanwhile.

    Never with --quiet: it hides the warnings that --strict counts, and the build would pass them.

    MkDocs dates its output (sitemap) from SOURCE_DATE_EPOCH: set to the build date, so the same
    inputs give the same bytes.
    """

    def __init__(self, stage: Staging, config: dict[str, Any], facts: SiteFacts) -> None:
        if importlib.util.find_spec("jieba") is None:
            raise BuildError("缺少 jieba：中文搜索无法分词。请运行 `make run` 安装依赖后再试。")
        self.stage = stage
        config_path = stage.root / "mkdocs.yml"
        config_path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        today = facts.today
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
        self.seconds = 0.0
        self.output = ""
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _collect(self) -> None:
        self.output, _ = self.process.communicate()
        self.seconds = time.perf_counter() - self.started

    def wait(self) -> None:
        self._reader.join()
        if self.process.returncode != 0:
            log = "\n".join(line for line in self.output.splitlines() if not line.startswith(_JIEBA_CHATTER))
            raise BuildError(f"网站生成失败（MkDocs 返回 {self.process.returncode}）：\n{log}")
        index = self.stage.site / "search" / "search_index.json"
        if not index.exists() or SEGMENT_MARK not in index.read_text(encoding="utf-8"):
            raise BuildError("搜索索引没有中文分词（jieba 未生效），已停止发布。")
        repair_toggles(self.stage.site)

    def stop(self) -> None:
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
        text = page.read_text(encoding="utf-8")
        fixed = _TOGGLE_AUTOCOMPLETE.sub(r"\1>", text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


_JIEBA_CHATTER = ("Building prefix", "Loading model", "Dumping model", "Prefix dict")

ENGINE = MkDocs()
