"""The built site in a real browser, opened from file:// as it would be from a USB stick."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser import chromium

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def search(page: Page, url: str, query: str) -> list[str]:
    """Open `url`, type a query into its search box; the result links in order, without `?h=`."""
    page.goto(url)
    opener = page.locator("label.md-header__button[for='__search']").first
    if opener.is_visible():  # phones: the search box hides behind an icon
        opener.click()
    box = page.locator("input.md-search__input")
    box.fill(query)
    # The theme reads the query on keyup; `fill` (like an input method) sends only `input`.
    box.press("End")
    results = page.locator(".md-search-result__list a")
    results.first.wait_for(timeout=45000)
    return [re.sub(r"\?h=[^#]*", "", str(a.get_attribute("href"))) for a in results.all()]


def test_search_works_from_file_and_touches_no_other_host(browser: Browser, built_site: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    home = (built_site / "index.html").as_uri()
    red = search(page, home, "红区")
    assert any(link.endswith("#article-15") for link in red), red
    assert any(link.endswith("#article-13") for link in red), red
    codes = search(page, home, "两码一证")
    assert any(link.endswith("guide/index.html#article-9") for link in codes), codes
    assert requests, "the page made no requests at all"
    foreign = [url for url in requests if not url.startswith(LOCAL_SCHEMES)]
    assert foreign == []
    assert errors == []
    page.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_pages_fit_the_screen(browser: Browser, built_site: Path, width: int) -> None:
    page = browser.new_page(viewport={"width": width, "height": 800})
    for name in [
        "index.html",
        "guide/index.html",
        "criteria.html",
        "process.html",
        "measures.html",
        "glossary.html",
    ]:
        page.goto((built_site / name).as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)
    page.close()
