"""The built site in a real browser, opened from file:// as it would be from a USB stick."""

from __future__ import annotations

import re
import shutil
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
        "apply/index.html",
        "apply/check.html",
        "apply/form.html",
    ]:
        page.goto((built_site / name).as_uri())
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (name, width, overflow)
    page.close()


def visible_rows(page: Page) -> list[list[str]]:
    """The listed rows' cells (text content: phone cards below the screen are not laid out)."""
    rows = page.locator("#wl-directory tbody tr")
    return [[cell.text_content() or "" for cell in row.locator("td").all()] for row in rows.all()]


def test_directory_filter_keeps_only_the_typed_township(browser: Browser, built_site: Path) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto((built_site / "whitelist" / "index.html").as_uri())
    total = page.locator("#wl-directory tbody tr").count()
    assert page.locator("#wl-filter").is_visible()
    expected = page.locator("#wl-directory tbody tr[data-township='新集镇']").count()
    assert 0 < expected < total
    keyword = page.locator("#wl-keyword")
    keyword.fill("新集镇")
    keyword.press("End")
    page.wait_for_function(f"document.querySelectorAll('#wl-directory tbody tr').length === {expected}")
    rows = visible_rows(page)
    assert len(rows) == expected and all(row[4] == "新集镇" for row in rows)
    assert page.locator("#wl-count").inner_text() == f"显示 {expected} 家（共 {total} 家）"
    keyword.fill("没有这样的企业")
    keyword.press("End")
    page.wait_for_selector("#wl-empty:not([hidden])")
    assert visible_rows(page) == []
    page.locator("#wl-filter button[type='reset']").click()
    page.wait_for_function(f"document.querySelectorAll('#wl-directory tbody tr').length === {total}")
    assert errors == []
    page.close()


def listed_names(page: Page) -> list[str]:
    return page.locator("#wl-directory tbody tr td:first-child").all_text_contents()


def test_a_long_directory_lists_a_page_at_a_time(browser: Browser, built_site: Path, tmp_path: Path) -> None:
    """More matches than a page: the table lists one page, in order, and a button lists the next."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built_site / "whitelist" / "index.html").as_uri())
    everyone = listed_names(page)
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    directory = site / "whitelist" / "index.html"
    html = directory.read_text(encoding="utf-8")
    html, replaced = re.subn(r'data-page-size="\d+"', 'data-page-size="5"', html)
    assert replaced == 1
    directory.write_text(html, encoding="utf-8")

    page.goto(directory.as_uri())
    more = page.locator("#wl-more")
    assert listed_names(page) == everyone[:5]
    assert more.inner_text() == f"再显示 5 家（还有 {len(everyone) - 5} 家）"
    assert page.locator("#wl-count").inner_text() == f"共 {len(everyone)} 家"
    more.click()
    assert listed_names(page) == everyone[:10]
    for _ in range(10, len(everyone), 5):
        more.click()
    assert listed_names(page) == everyone
    assert more.is_hidden()

    keyword = page.locator("#wl-keyword")
    keyword.fill("新县")
    keyword.press("End")
    page.wait_for_function("document.querySelectorAll('#wl-directory tbody tr').length === 5")
    assert listed_names(page) == [name for name in everyone if "新县" in name][:5]
    assert more.is_visible()
    page.close()


def test_directory_facets_and_preselected_links(browser: Browser, built_site: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto((built_site / "whitelist" / "index.html").as_uri() + "?sector=%E7%94%B5%E5%95%86%E5%B9%B3%E5%8F%B0")
    assert page.locator("#wl-facet-sector").input_value() == "电商平台"
    rows = visible_rows(page)
    assert rows and all(row[2] == "电商平台" for row in rows)
    page.locator("#wl-facet-sector").select_option("")
    page.locator("#wl-facet-qualification").select_option("专精特新中小企业培育库企业")
    rows = visible_rows(page)
    assert rows and all("专精特新中小企业培育库企业" in row[3] for row in rows)
    page.close()
