"""The MkDocs engine: mkdocs-material with Chinese search (jieba), run as a separate process.

Everything MkDocs-specific lives here: the staged configuration that INHERITs mkdocs.yml, the
jieba user dictionary, the `.md` source of each page, and the repairs of the theme's markup.
"""

from __future__ import annotations

import base64
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
from urllib.parse import urlsplit

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
        # This module's repairs shape the engine's files too: a new repair must not meet a reused site.
        repairs = Path(__file__).read_bytes()
        return (versions, (project / "mkdocs.yml").read_bytes(), settings(facts), user_dictionary(facts), repairs)

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
        self.facts = facts
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
        repair_query_segmentation(self.stage.site)
        unescaped_search_index(self.stage.site)
        stand_alone_404(self.stage.site, urlsplit(self.facts.base_url).path or "/")

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


# The theme's search worker cuts a Chinese query into the words its index knows, but tries only
# the pieces that stop before the query's last character (`o<t.length`): 新集镇 is never tried
# whole, and since 新 alone is a word of the guideline (新返岗), the query becomes 新* and finds
# everything that starts with 新. Trying the whole query too is the upstream loop with `<=`.
_SEGMENT_LOOP = "for(let o=s+1;o<t.length;o++)t.slice(s,o)in e&&(n[s]=o-s)"


def repair_query_segmentation(site: Path) -> None:
    workers = sorted((site / "assets" / "javascripts" / "workers").glob("search.*.min.js"))
    text = workers[0].read_text(encoding="utf-8") if len(workers) == 1 else ""
    if text.count(_SEGMENT_LOOP) != 1:
        raise BuildError("主题的搜索脚本与预期不同（mkdocs-material 版本变了？），无法修正中文查询的分词。")
    workers[0].write_text(text.replace(_SEGMENT_LOOP, _SEGMENT_LOOP.replace("o<t.length", "o<=t.length")), "utf-8")


# The theme writes its search index with every non-ASCII character escaped: each Chinese character
# takes six bytes (\u65b0) instead of UTF-8's three, nearly half of a Chinese index. The offline
# plugin copies the same text into search_index.js; both are written again in UTF-8. JSON text is
# UTF-8 by definition, and the offline copy is loaded by a script tag in pages that declare UTF-8,
# so readers parse the same index.
_OFFLINE_INDEX_PREFIX = "var __index = "


def unescaped_search_index(site: Path) -> None:
    folder = site / "search"
    escaped = (folder / "search_index.json").read_text(encoding="utf-8")
    script = folder / "search_index.js"
    if script.read_text(encoding="utf-8") != _OFFLINE_INDEX_PREFIX + escaped:
        raise BuildError("主题的离线搜索索引与预期不同（mkdocs-material 版本变了？），无法改写为 UTF-8。")
    try:
        text = json.dumps(json.loads(escaped), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate only an escape can carry: keep the theme's text
        return
    (folder / "search_index.json").write_bytes(text)
    script.write_bytes(_OFFLINE_INDEX_PREFIX.encode() + text)


# 404.html is served for a missing address at any depth, so MkDocs gives it root-absolute links
# (site_url's path). Those fail from a folder (file://) and on a server that puts the site
# elsewhere: the page would be unstyled and its links dead. So it is made to stand on its own:
# the stylesheets, the two small scripts it needs and the images are put into the page, the
# theme's search (which loads more files) is left out, and a last script fits its links to where
# the page was opened.
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
_IMAGE = re.compile(r'(<link rel="icon" href="|<img src=")([^"]+\.svg)"')
_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/")
_KEPT_SCRIPTS = ("assets/js/textsize.js",)
_NO_SEARCH = '<style>.md-search,label[for="__search"]{display:none}</style>'
_FIT_LINKS = """<script>(function(){var p=%s,b;
if(location.protocol==="file:"){b=location.href.replace(/[^/]*([?#].*)?$/,"")}
else if(location.pathname.indexOf(p)===0){return}else{b="/"}
document.querySelectorAll("a[href]").forEach(function(a){var h=a.getAttribute("href");
if(h.indexOf(p)===0){a.setAttribute("href",b+h.slice(p.length))}})})();</script>"""


def stand_alone_404(site: Path, prefix: str) -> None:
    page = site / "404.html"
    if not page.is_file():
        return
    text = page.read_text(encoding="utf-8")

    def local(url: str) -> Path:
        return site / url.removeprefix(prefix)

    def style(match: re.Match[str]) -> str:
        css = _SOURCE_MAP.sub("", local(match.group(1)).read_text(encoding="utf-8"))
        return f"<style>{css}</style>"

    def image(match: re.Match[str]) -> str:
        data = base64.b64encode(local(match.group(2)).read_bytes()).decode("ascii")
        return f'{match.group(1)}data:image/svg+xml;base64,{data}"'

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if url.removeprefix(prefix) in _KEPT_SCRIPTS:
            return f"<script>{local(url).read_text(encoding='utf-8')}</script>"
        return ""

    text = _IMAGE.sub(image, _STYLESHEET.sub(style, text))
    text = _SCRIPT.sub(script, text)
    text = text.replace("</head>", _NO_SEARCH + "</head>", 1)
    text = text.replace("</body>", _FIT_LINKS % json.dumps(prefix) + "</body>", 1)
    page.write_text(text, encoding="utf-8")


_JIEBA_CHATTER = ("Building prefix", "Loading model", "Dumping model", "Prefix dict")

ENGINE = MkDocs()
