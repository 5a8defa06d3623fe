"""MkDocs hooks of the staged build, loaded by path from the staged config (see mkdocs_engine).

They make a page's output a function of that page's source alone, so that an unchanged page can
be taken from the previous build instead of rendered again:

- jieba's dictionary total is pinned to its base dictionary's. `add_word` adds each user word's
  frequency to the total, and every word of a segmentation costs log(total): with the total
  growing with the number of enterprises, a new name could re-cut a page that never mentions it.
- What MkDocs learns only by rendering a page (the anchors it has, the anchors it links to) is
  written out after the build and given back for the pages that are reused, so that anchor links
  are checked as in a full build.
- MkDocs' warning that a `--dirty` build may be inaccurate is dropped: the reuse is decided page by
  page by the engine, and --strict would count the warning as a failure.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

import jieba
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

# Where the engine reads what each page of this build needs to be reused next time.
PAGES_OUT = "WLSITE_PAGES_OUT"
# What the pages reused from the previous build had: their anchors and the anchors they link to.
REUSED_IN = "WLSITE_REUSED_IN"
_DIRTY_NOTICE = "A 'dirty' build is being performed"

_base_total = 0
_reused: dict[str, Any] = {}
_files = Files([])
_nav = Navigation([], [])


class _DropDirtyNotice(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_DIRTY_NOTICE)


def on_startup(command: str, dirty: bool) -> None:
    global _base_total
    jieba.initialize()
    _base_total = jieba.dt.total
    if dirty:
        logging.getLogger("mkdocs.commands.build").addFilter(_DropDirtyNotice())
    if os.environ.get(REUSED_IN):
        _reused.update(json.loads(Path(os.environ[REUSED_IN]).read_text(encoding="utf-8")))


@event_priority(-100)  # after the search plugin has loaded the user dictionary
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    jieba.dt.total = _base_total
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    global _files
    _files = files
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    global _nav
    _nav = nav
    return nav


def on_pre_page(page: Page, config: MkDocsConfig, files: Files) -> Page:
    # A reused page is a hard link to the published file: rendering it would write through it.
    if page.file.src_uri in _reused:
        raise PluginError(f"page {page.file.src_uri} was reused from the previous build but is being rendered")
    return page


def on_env(env: Any, config: MkDocsConfig, files: Files) -> Any:
    def file(source: str) -> File:
        found = files.get_file_from_path(source)
        if found is None:  # the engine reuses nothing when a page of the previous build is gone
            raise PluginError(f"{source} was in the previous build but is not in this one")
        return found

    for source, saved in _reused.items():
        page = file(source).page
        assert page is not None
        page.present_anchor_ids = set(saved["anchors"])
        page.links_to_anchors = {file(target): links for target, links in saved["links"].items()}
    return env


def on_post_build(config: MkDocsConfig) -> None:
    in_nav = {page.file.src_uri for page in _nav.pages}
    pages = []
    for file in _files.documentation_pages(inclusion=InclusionLevel.is_included):
        page = file.page
        assert page is not None
        pages.append(
            {
                "src": file.src_uri,
                "url": file.url,
                "nav": file.src_uri in in_nav,
                "anchors": sorted(page.present_anchor_ids or ()),
                "links": {target.src_uri: links for target, links in (page.links_to_anchors or {}).items()},
            }
        )
    built = {"nav": _outline(_nav.items), "pages": pages}
    Path(os.environ[PAGES_OUT]).write_text(json.dumps(built, ensure_ascii=False), encoding="utf-8")


def _outline(items: list[Any]) -> list[Any]:
    """The navigation as every page shows it: titles, addresses and sections."""
    return [[item.title, getattr(item, "url", None), _outline(item.children or [])] for item in items]
