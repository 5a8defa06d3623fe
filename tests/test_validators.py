"""Outside validators on every page of the built site: the Nu HTML checker, axe-core in Chromium,
every internal link and anchor, no request to another host, no console error, over http and file.

The validators come from `make test` (Makefile: vnu.jar and axe.min.js, pinned and hash-checked);
a missing validator is a failure with a hint, never a skip.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Browser

from tests.browser import chromium
from tests.conftest import ROOT, SITE_PREFIX

pytestmark = pytest.mark.browser

LOCAL = ("file:", "data:", "blob:", "about:")


def tool(variable: str) -> Path:
    value = os.environ.get(variable)
    assert value, f"{variable} is not set: run the tests with `make test`, which fetches the validators"
    path = Path(value) if Path(value).is_absolute() else ROOT / value
    assert path.is_file(), f"{path} is missing: run `make test`"
    return path


def pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_passes_the_nu_html_checker(built_site: Path) -> None:
    result = subprocess.run(
        [
            "java",
            "-jar",
            str(tool("WLSITE_VNU")),
            "--errors-only",
            "--format",
            "json",
            *map(str, built_site.rglob("*.html")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [f"{Path(unquote(m.get('url', ''))).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == []
    assert len(pages(built_site)) > 40


def test_every_internal_link_and_anchor_resolves(built_site: Path) -> None:
    ids: dict[Path, set[str]] = {}
    broken = []
    for page in built_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        ids[page] = {str(tag["id"]) for tag in soup.select("[id]")}
    for page in built_site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in (("a", "href"), ("link", "href"), ("img", "src"), ("script", "src")):
            for element in soup.select(f"{tag}[{attribute}]"):
                url = str(element[attribute])
                parts = urlsplit(url)
                if page.name == "404.html" or parts.scheme in ("data", "mailto", "tel"):
                    continue  # 404.html uses root-absolute paths for the server it is served from
                if parts.scheme or parts.netloc:
                    assert url.startswith("https://example.gov.cn/whitelist/"), (page, url)
                    continue
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
                if not target.exists():
                    broken.append(f"{page.relative_to(built_site)} → {url}")
                elif parts.fragment and target.suffix == ".html":
                    if target not in ids:
                        ids[target] = {
                            str(t["id"]) for t in BeautifulSoup(target.read_text("utf-8"), "html.parser").select("[id]")
                        }
                    if unquote(parts.fragment) not in ids[target]:
                        broken.append(f"{page.relative_to(built_site)} → {url} (no such anchor)")
    assert broken == []


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


# wcag22aa brings target-size (WCAG 2.5.8): every tap target 24 px or spaced apart; phones get
# 44 px, measured in test_reader.py.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.mark.parametrize("kind", ["http", "file"])
def test_every_page_loads_cleanly_and_passes_axe(
    built_site: Path, site_server: str, browser: Browser, kind: str
) -> None:
    axe = tool("WLSITE_AXE").read_text(encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    foreign: list[str] = []
    errors: list[str] = []
    page.on(
        "request",
        lambda r: foreign.append(r.url) if not (r.url.startswith(LOCAL) or r.url.startswith(site_server)) else None,
    )
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    violations = []
    for name in pages(built_site):
        if name == "404.html":
            continue
        url = site_server + name if kind == "http" else (built_site / name).as_uri()
        page.goto(url)
        if kind == "http":
            page.add_script_tag(content=axe)
            found = page.evaluate(
                "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations"
                ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
                ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))",
                AXE_TAGS,
            )
            violations += [f"{name}: {v}" for v in found]
    page.close()
    assert foreign == []
    assert errors == []
    assert violations == []


def test_404_page_works_under_the_sub_path(site_server: str, browser: Browser) -> None:
    """Styles and scripts are inside the page (it stands on its own); its links stay on the site."""
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    response = page.goto(site_server + "no/such/page.html")
    assert response is not None and response.status == 404
    assert "404" in page.title() and page.locator("h1").inner_text() == "页面不存在（404）"
    assert failed == []
    home = page.locator("a.md-header__button.md-logo").get_attribute("href")
    assert home is not None and home.startswith(SITE_PREFIX)
    page.get_by_role("link", name="返回首页").click()
    assert page.url == site_server + "index.html"
    page.close()
