"""The MkDocs engine: mkdocs-material with Chinese search (jieba), run as a separate process.

Everything MkDocs-specific lives here: the staged configuration that INHERITs mkdocs.yml, the
jieba user dictionary, the `.md` source of each page, the reuse of unchanged pages, and the
repairs of the theme's markup.

Reuse: a round changes a few dozen of ten thousand pages, and rendering the rest again is most of
a rebuild. A page is taken from the previous build (MkDocs' `--dirty`, which skips a page whose
source is older than its output) when the result would be the same bytes as rendering it:
- everything else the engine reads is the same (versions, configuration, templates, assets);
- its source is the same bytes, and no page the previous build had is gone (links to it would
  have to be checked again);
- it is not in the navigation (the nav's titles are read from those pages as they render), and
  the navigation every page shows is the same (checked after MkDocs ran, built again if not);
- no word added to or dropped from the search dictionary occurs in its indexed text (jieba cuts a
  text by the dictionary words it contains; mkdocs_hooks pins the dictionary total).
The search index is then the previous build's entries of the reused pages and the new entries of
the rendered ones, in page order, as one full build writes it.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from generator.errors import BuildError
from generator.publish import mkdocs_hooks
from generator.publish.engine import Earlier, SiteFacts
from generator.publish.write import Staging, link_or_copy

SEGMENT_MARK = "\\u200b"  # jieba's word separator, as the search index escapes it
USER_DICT = "userdict.txt"
# jieba's default weight for a user word only keeps it whole against its own parts; 20,000 also
# beats overlapping pairs such as 设红/区内 in 设红区内 (common words weigh 10^4–10^5).
USER_WORD_FREQ = 20000
# Distributions whose code shapes the built site.
PACKAGES = ("mkdocs", "mkdocs-material", "pymdown-extensions", "Markdown", "Jinja2", "jieba")
HOOKS = Path(mkdocs_hooks.__file__)
STATE_FORMAT = 2
# New or dropped dictionary words are looked for in every reusable page; past this many (a county
# renamed, a glossary rewritten) a full build is as quick and simpler to trust.
MAX_CHANGED_WORDS = 2000


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
        return (_code_and_config(project, facts), user_dictionary(facts))

    def start(self, project: Path, stage: Staging, facts: SiteFacts, earlier: Earlier | None) -> MkDocsRun:
        (stage.root / USER_DICT).write_text(user_dictionary(facts), encoding="utf-8")
        sources = {
            p.relative_to(stage.docs).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(stage.docs.rglob("*.md"))
        }
        layout = _layout(project, stage, facts)
        reuse = _reusable(earlier, layout, sources, facts.search_words) if earlier else Reuse()
        config = {**mkdocs_config(project, facts), "hooks": [str(HOOKS)]}
        return MkDocsRun(stage, config, facts, layout, sources, reuse)


def _code_and_config(project: Path, facts: SiteFacts) -> object:
    versions = {name: importlib.metadata.version(name) for name in PACKAGES}
    # This module's repairs and the hooks shape the engine's files too: a new repair must not meet a
    # reused site.
    code = (Path(__file__).read_bytes(), HOOKS.read_bytes())
    return (versions, (project / "mkdocs.yml").read_bytes(), settings(facts), code)


def _layout(project: Path, stage: Staging, facts: SiteFacts) -> str:
    """Everything a page's output depends on besides its own source and the dictionary: the code,
    the configuration, and every file of the docs that is not a page (templates, styles, scripts)."""
    hasher = hashlib.sha256(repr(_code_and_config(project, facts)).encode())
    for path in sorted(p for p in stage.docs.rglob("*") if p.is_file() and p.suffix != ".md"):
        hasher.update(path.relative_to(stage.docs).as_posix().encode() + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())
    return hasher.hexdigest()


@dataclass
class Reuse:
    """Pages taken from the earlier site, by source, and the earlier search entries by page URL."""

    site: Path | None = None
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    entries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    nav: object = None  # the navigation the reused pages show: titles and addresses


def _reusable(earlier: Earlier, layout: str, sources: dict[str, str], words: tuple[str, ...]) -> Reuse:
    try:
        state = json.loads(earlier.state)
        index = json.loads((earlier.site / "search" / "search_index.json").read_text(encoding="utf-8"))
        return _reusable_pages(earlier.site, state, index, layout, sources, words)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):  # a state of another shape
        return Reuse()


def _reusable_pages(
    site: Path,
    state: dict[str, Any],
    index: dict[str, Any],
    layout: str,
    sources: dict[str, str],
    words: tuple[str, ...],
) -> Reuse:
    if state["format"] != STATE_FORMAT or state["layout"] != layout:
        return Reuse()
    pages = {page["src"]: page for page in state["pages"]}
    changed = set(state["words"]).symmetric_difference(words)
    if not pages.keys() <= sources.keys() or len(changed) > MAX_CHANGED_WORDS:
        return Reuse()
    entries: dict[str, list[dict[str, Any]]] = {}
    for entry in index["docs"]:
        entries.setdefault(entry["location"].partition("#")[0], []).append(entry)
    mentions = re.compile("|".join(map(re.escape, sorted(changed)))) if changed else None

    def mentions_a_changed_word(url: str) -> bool:
        if mentions is None:
            return False
        texts = (f"{entry['title']}\n{entry['text']}".replace("\u200b", "") for entry in entries.get(url, ()))
        return any(mentions.search(text) for text in texts)

    reused = {
        source: page
        for source, page in pages.items()
        if not page["nav"]
        and page["digest"] == sources[source]
        and (site / page["url"]).is_file()
        and not mentions_a_changed_word(page["url"])
    }
    return Reuse(site, reused, entries, state["nav"])


class MkDocsRun:
    """`mkdocs build --strict` on the staged docs, in its own process so PDFs can render meanwhile.

    Never with --quiet: it hides the warnings that --strict counts, and the build would pass them.

    MkDocs dates its output (sitemap) from SOURCE_DATE_EPOCH: set to the build date, so the same
    inputs give the same bytes.
    """

    def __init__(
        self,
        stage: Staging,
        config: dict[str, Any],
        facts: SiteFacts,
        layout: str,
        sources: dict[str, str],
        reuse: Reuse,
    ) -> None:
        if importlib.util.find_spec("jieba") is None:
            raise BuildError("缺少 jieba：中文搜索无法分词。请运行 `make run` 安装依赖后再试。")
        self.stage = stage
        self.facts = facts
        self.layout = layout
        self.sources = sources
        self.state = b""
        self.seconds = 0.0
        self.config_path = stage.root / "mkdocs.yml"
        self.config_path.write_text(json.dumps(config, ensure_ascii=False, indent=1), encoding="utf-8")
        self._launch(reuse)

    def _launch(self, reuse: Reuse) -> None:
        self.reuse = reuse
        self.reused = len(reuse.pages)
        reused_in = self.stage.root / "reused.json"
        self._take_reused_pages(reused_in)
        today = self.facts.today
        epoch = int(datetime(today.year, today.month, today.day, tzinfo=UTC).timestamp())
        dirty = ["--dirty"] if reuse.pages else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "build", "--strict", *dirty, "--config-file", str(self.config_path)],
            cwd=self.stage.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={
                **os.environ,
                "SOURCE_DATE_EPOCH": str(epoch),
                "NO_MKDOCS_2_WARNING": "1",
                mkdocs_hooks.PAGES_OUT: str(self.stage.root / "pages.json"),
                mkdocs_hooks.REUSED_IN: str(reused_in) if reuse.pages else "",
            },
        )
        self.started = time.perf_counter()
        self.output = ""
        self._reader = threading.Thread(target=self._collect, daemon=True)
        self._reader.start()

    def _take_reused_pages(self, reused_in: Path) -> None:
        """Put each reused page in the output, as MkDocs left it, with its source dated before it,
        and tell the hooks what those pages had (they are not rendered)."""
        kept = {}
        for source, page in self.reuse.pages.items():
            assert self.reuse.site is not None  # pages come with the site they were taken from
            link_or_copy(self.reuse.site / page["url"], self.stage.site / page["url"])
            os.utime(self.stage.docs / source, (0, 0))
            kept[source] = {"anchors": page["anchors"], "links": page["links"]}
        reused_in.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")

    def _collect(self) -> None:
        self.output, _ = self.process.communicate()
        self.seconds += time.perf_counter() - self.started

    def wait(self) -> None:
        self._reader.join()
        if self.process.returncode != 0:
            log = "\n".join(line for line in self.output.splitlines() if not line.startswith(_JIEBA_CHATTER))
            raise BuildError(f"网站生成失败（MkDocs 返回 {self.process.returncode}）：\n{log}")
        built = json.loads((self.stage.root / "pages.json").read_text(encoding="utf-8"))
        if self.reuse.pages and built["nav"] != self.reuse.nav:
            # A title in the navigation changed (read from a page as it rendered): every page shows
            # the navigation, so none of the earlier ones can stand. Rare; built again in full.
            shutil.rmtree(self.stage.site)
            self._launch(Reuse())
            self.wait()
            return
        pages = built["pages"]
        if self.reuse.pages:
            merge_search_index(self.stage.site, pages, self.reuse)
        index = self.stage.site / "search" / "search_index.json"
        if not index.exists() or SEGMENT_MARK not in index.read_text(encoding="utf-8"):
            raise BuildError("搜索索引没有中文分词（jieba 未生效），已停止发布。")
        reused_urls = {page["url"] for page in self.reuse.pages.values()}
        repair_toggles(self.stage.site, skip=reused_urls)
        repair_query_segmentation(self.stage.site)
        unescaped_search_index(self.stage.site)
        stand_alone_404(self.stage.site, urlsplit(self.facts.base_url).path or "/")
        state = {
            "format": STATE_FORMAT,
            "layout": self.layout,
            "nav": built["nav"],
            "words": list(self.facts.search_words),
            "pages": [{**page, "digest": self.sources[page["src"]]} for page in pages],
        }
        self.state = json.dumps(state, ensure_ascii=False).encode("utf-8")

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


def merge_search_index(site: Path, pages: list[dict[str, Any]], reuse: Reuse) -> None:
    """The index of a full build: the theme indexes only the pages it rendered, in page order, so
    the reused pages' earlier entries are put back in their places. Written as the theme writes it
    (the offline copy too); the repairs below then apply to the whole."""
    folder = site / "search"
    fresh = json.loads((folder / "search_index.json").read_text(encoding="utf-8"))
    rendered: dict[str, list[dict[str, Any]]] = {}
    for entry in fresh["docs"]:
        rendered.setdefault(entry["location"].partition("#")[0], []).append(entry)
    docs: list[dict[str, Any]] = []
    for page in pages:
        source = reuse.entries if page["src"] in reuse.pages else rendered
        docs.extend(source.get(page["url"], ()))
    text = json.dumps({"config": fresh["config"], "docs": docs}, separators=(",", ":"), default=str)
    (folder / "search_index.json").write_text(text, encoding="utf-8")
    (folder / "search_index.js").write_text(_OFFLINE_INDEX_PREFIX + text, encoding="utf-8")


def repair_toggles(site: Path, skip: set[str]) -> None:
    for page in site.rglob("*.html"):
        if page.relative_to(site).as_posix() in skip:
            continue
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
