"""The public site as a member of the public meets it, in Chromium: status on the reader's date
with no rebuild, search for what people type, a 375 px phone (text sizes, tap targets, the
text-size switch), printing the directory and a notice, and the 404 page wherever it is served."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import unquote

import pytest
from playwright.sync_api import Browser, Page

from generator.inputs import load_inputs
from tests.browser import chromium
from tests.conftest import DATA, serving
from tests.test_validators import tool

pytestmark = pytest.mark.browser

BAIYUN = "新县白云示例葛根制品有限公司"  # approved in the fourth round: 公示 2026-11-25 to 2026-12-01


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@cache
def register() -> dict[str, tuple[str, str]]:
    """name → (credit code, township)."""
    return {e.name: (e.uscc, e.township) for e in load_inputs(DATA).register.enterprises}


def page_of(name: str) -> str:
    return f"whitelist/{register()[name][0]}.html"


@contextmanager
def reader(browser: Browser, day: str | None = None, width: int = 1280, scripts: bool = True) -> Iterator[Page]:
    """A fresh browser profile whose clock reads `day` (9 a.m.), closed afterwards."""
    context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=scripts)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if day is not None:
        page.clock.set_fixed_time(f"{day}T09:00:00")
    try:
        yield page
        assert errors == []
    finally:
        context.close()


def shown(page: Page, selector: str) -> str:
    """The text of the element as the reader sees it (hidden variants left out)."""
    return page.locator(selector).first.inner_text()


# --- status on the reader's date --------------------------------------------------------------------


def test_a_notice_counts_down_on_the_readers_date(browser: Browser, built_site: Path) -> None:
    notice = (built_site / "notices" / "2026-01.html").as_uri()
    for day, left in [("2026-11-28", 2), ("2026-11-30", 2), ("2026-12-01", 1)]:  # 11-28 is a Saturday
        with reader(browser, day) as page:
            page.goto(notice)
            state = shown(page, ".wl-notice-state")
            assert f"还剩 {left} 个工作日" in state and "公示中" in state, (day, state)
            year, month, date = (int(part) for part in day.split("-"))
            assert f"截至 {year}年{month}月{date}日" in state, state


def test_after_the_period_pages_say_so_without_a_rebuild(browser: Browser, built_site: Path) -> None:
    """The site was built on 2026-11-28; a week later the notice is over and its enterprises are
    listed: every page says so from the reader's clock alone."""
    with reader(browser, "2026-12-08") as page:
        page.goto((built_site / "notices" / "2026-01.html").as_uri())
        state = shown(page, ".wl-notice-state")
        assert "公示期已结束（2026年12月1日）" in state and "公示中" not in state

        page.goto((built_site / page_of(BAIYUN)).as_uri())
        status = page.locator(".wl-status:visible")
        assert status.count() == 1
        assert status.locator(".wl-status__label").inner_text() == "已入库"
        assert "2026年12月2日起入库（第四批）" in status.inner_text()
        assert "状态截至 2026年12月8日" in status.inner_text()
        assert "数据更新于 2026年11月28日" in shown(page, ".md-copyright__highlight")

        page.goto((built_site / "whitelist" / "index.html").as_uri())
        row = page.locator("#wl-directory tbody tr", has_text=BAIYUN)
        cells = row.locator("td").all_inner_texts()
        assert cells[6:] == ["已入库", "2026年12月2日"]
        lead = shown(page, ".wl-lead")
        assert "截至 2026年12月8日" in lead and "已入库 28 家" in lead and "正在公示" not in lead
        options = page.locator("#wl-facet-status option").all_inner_texts()
        assert options == ["全部", "已入库（28）", "公示中（0）"]

        page.goto((built_site / "notices" / "index.html").as_uri())
        item = page.locator(".wl-notice-index li", has_text="第四批")
        assert "公示期已结束" in item.inner_text() and "公示中" not in item.inner_text()

        page.goto((built_site / "index.html").as_uri())
        latest = shown(page, ".wl-open-notices")
        assert "公示期已结束" in latest and "还剩" not in latest


def test_without_javascript_the_text_is_the_build_dates_and_says_so(browser: Browser, built_site: Path) -> None:
    with reader(browser, "2026-12-08", scripts=False) as page:
        page.goto((built_site / "notices" / "2026-01.html").as_uri())
        state = shown(page, ".wl-notice-state")
        assert "公示中" in state and "截至 2026年11月28日还剩 2 个工作日" in state
        page.goto((built_site / page_of(BAIYUN)).as_uri())
        assert page.locator(".wl-status:visible .wl-status__label").inner_text() == "公示中"
        assert "状态截至 本站最近一次更新之日" in shown(page, ".wl-status:visible")
        assert shown(page, ".md-copyright__highlight") == "新县工业和信息化局"


def test_the_directory_finds_an_enterprise_in_its_notice_period(browser: Browser, built_site: Path) -> None:
    with reader(browser, "2026-11-28", width=375) as page:
        page.goto((built_site / "whitelist" / "index.html").as_uri())
        keyword = page.locator("#wl-keyword")
        keyword.fill("白云")
        keyword.press("End")
        page.wait_for_function("document.querySelectorAll('#wl-directory tbody tr').length === 1")
        row = page.locator("#wl-directory tbody tr").first.text_content() or ""
        assert BAIYUN in row and "公示中，至2026年12月1日" in row
        assert page.locator("#wl-count").inner_text() == "显示 1 家（共 28 家）"
        page.locator("#wl-filter button[type='reset']").click()
        page.locator("#wl-facet-status").select_option("公示中")
        page.wait_for_function("document.querySelectorAll('#wl-directory tbody tr').length === 5")
        statuses = page.locator("#wl-directory tbody tr td:nth-child(7)").all_text_contents()
        assert all(text.startswith("公示中") for text in statuses)


# --- search: what people type → what they should find first ------------------------------------------

# (query, expected first hit): a page, a page#section, or "township:NAME" (any enterprise there).
SEARCHES = [
    ("白云", f"enterprise:{BAIYUN}"),
    ("葛根", f"enterprise:{BAIYUN}"),
    ("茶业", "enterprise:新县岚山示例茶业有限公司"),
    ("纺织", "enterprise:新县青檀示例纺织有限公司"),
    ("青檀", "enterprise:新县青檀示例纺织有限公司"),
    ("沙窝镇", "township:沙窝镇"),
    ("新集镇", "township:新集镇"),
    ("第13条", "guide/index.html#article-13"),
    ("第9条", "guide/index.html#article-9"),
    ("红区", "guide/index.html#article-13"),
    ("两码一证", "guide/index.html#article-9"),
    ("怎么申请", "apply/index.html"),
    ("电话", "apply/index.html#where"),
    ("申请表", "apply/form.html"),
]


def first_hit(page: Page, query: str) -> list[str]:
    """The links of the first result group: the page, then its best sections."""
    box = page.locator("input.md-search__input")
    box.fill("")  # no stale results: the list empties before the next query
    box.press("End")  # the theme reads the query on keyup
    page.wait_for_function("document.querySelector('.md-search-result__list').children.length === 0")
    box.fill(query)
    box.press("End")
    page.locator(".md-search-result__item").first.wait_for(timeout=45000)
    group = page.locator(".md-search-result__item").first
    links = [unquote(re.sub(r"\?h=[^#]*", "", str(a.get_attribute("href")))) for a in group.locator("a").all()]
    return [link.split("/site/", 1)[-1] for link in links]


def matches(links: list[str], expected: str) -> bool:
    kind, _, value = expected.partition(":")
    if kind == "enterprise":
        return links[0] == page_of(value)
    if kind == "township":
        by_page = {page_of(name): township for name, (_, township) in register().items()}
        return by_page.get(links[0]) == value
    page, _, section = expected.partition("#")
    return links[0] == page and (not section or links[1:2] == [expected])


def test_search_finds_what_people_type_first(browser: Browser, built_site: Path) -> None:
    with reader(browser) as page:
        page.goto((built_site / "index.html").as_uri())
        missed = []
        for query, expected in SEARCHES:
            links = first_hit(page, query)
            if not matches(links, expected):
                missed.append((query, expected, links[:3]))
        assert missed == []


def test_search_has_one_entry_per_glossary_term(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    terms = [doc for doc in index["docs"] if doc["location"].startswith("glossary.html#term-")]
    assert len(terms) == len(load_inputs(DATA).glossary.terms)
    assert any(unquote(doc["location"]) == "glossary.html#term-红区" for doc in terms)


# --- a 375 px phone -------------------------------------------------------------------------------

PHONE_PAGES = [
    "index.html",
    "guide/index.html",
    "glossary.html",
    "process.html",
    "stats.html",
    "whitelist/index.html",
    "notices/index.html",
    "notices/2026-01.html",
    "notices/removal-2023-03-15.html",
    "apply/index.html",
    "apply/check.html",
]

# Text smaller than 16 px, targets smaller than 44 × 44 px and chart labels under 12 px, as
# rendered. Links inside running text are not targets of their own (WCAG 2.5.8 exempts them);
# an input inside its label is measured by the label, which is what a finger hits.
MEASURE = """() => {
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && !el.closest("[hidden]")
      && el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const text = [], targets = [], charts = [];
  const sizes = {};
  const walker = document.createTreeWalker(document.querySelector(".md-main"), NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    if (el.closest("svg, .md-sidebar, .headerlink") || !shown(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    sizes[el.tagName] = Math.min(sizes[el.tagName] || 99, size);
    if (size < 16) text.push([el.tagName, el.textContent.trim().slice(0, 20), size]);
  }
  document.querySelectorAll("a[href], button, input:not([type=hidden]), select, label.md-header__button")
    .forEach((el) => {
      if (!shown(el) || el.closest(".md-sidebar") || el.classList.contains("md-skip")) return;
      const box = (el.tagName === "INPUT" && el.closest("label") ? el.closest("label") : el).getBoundingClientRect();
      if (box.width >= 44 && box.height >= 44) return;
      let block = el.parentElement;
      while (getComputedStyle(block).display.startsWith("inline")) block = block.parentElement;
      const inText = getComputedStyle(el).display === "inline"
        && block.textContent.trim().length > el.textContent.trim().length;
      if (!inText) targets.push([el.tagName, el.textContent.trim().slice(0, 16), box.width, box.height]);
    });
  document.querySelectorAll("svg.wl-chart text").forEach((label) => {
    const px = parseFloat(label.getAttribute("font-size")) * label.getScreenCTM().a;
    if (px < 12) charts.push([label.textContent.slice(0, 12), px]);
  });
  return {text, targets, charts, sizes};
}"""


def test_a_phone_gets_16_px_text_44_px_targets_and_12_px_chart_labels(browser: Browser, built_site: Path) -> None:
    problems = {}
    with reader(browser, width=375) as page:
        for name in PHONE_PAGES:
            page.goto((built_site / name).as_uri())
            found = page.evaluate(MEASURE)
            assert found["sizes"]["P"] >= 16, (name, found["sizes"])
            if found["text"] or found["targets"] or found["charts"]:
                problems[name] = {key: found[key] for key in ("text", "targets", "charts")}
    assert problems == {}


def test_axe_target_size_on_a_phone(browser: Browser, site_server: str) -> None:
    axe = tool("WLSITE_AXE").read_text(encoding="utf-8")
    violations = []
    with reader(browser, width=375) as page:
        for name in [*PHONE_PAGES, page_of(BAIYUN), "apply/form.html"]:
            page.goto(site_server + name)
            page.add_script_tag(content=axe)
            found = page.evaluate(
                "async () => (await axe.run(document, {runOnly: {type: 'rule', values: ['target-size']}}))"
                ".violations.map(v => v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '))"
            )
            violations += [f"{name}: {v}" for v in found]
    assert violations == []


def test_the_text_size_switch_scales_the_page_and_is_remembered(browser: Browser, site_server: str) -> None:
    def body_size(page: Page) -> float:
        return float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.md-typeset p')).fontSize)"))

    with reader(browser, width=375) as page:
        page.goto(site_server + "guide/index.html")
        switch = page.locator(".wl-textsize")
        assert switch.is_visible() and switch.locator("button").all_inner_texts() == ["标准", "大", "特大"]
        standard = body_size(page)
        assert standard >= 16
        switch.get_by_role("button", name="大", exact=True).click()
        assert body_size(page) == pytest.approx(standard * 1.2, rel=0.02)
        assert switch.get_by_role("button", name="大", exact=True).get_attribute("aria-pressed") == "true"
        page.goto(site_server + "notices/2026-01.html")  # another page: the choice is remembered
        assert page.evaluate("document.documentElement.classList.contains('wl-text-large')")
        larger = body_size(page)
        page.locator(".wl-textsize").get_by_role("button", name="特大").click()
        largest = body_size(page)
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.locator(".wl-textsize").get_by_role("button", name="标准").click()
        assert larger == pytest.approx(body_size(page) * 1.2, rel=0.02)
        assert largest == pytest.approx(body_size(page) * 1.4, rel=0.02)


# --- printing --------------------------------------------------------------------------------------


def test_printing_the_directory_shows_every_column_and_no_controls(browser: Browser, built_site: Path) -> None:
    with reader(browser, "2026-11-28", width=700) as page:  # about the width of A4 less its margins
        page.goto((built_site / "whitelist" / "index.html").as_uri())
        page.emulate_media(media="print")
        headers = page.locator("#wl-directory thead th")
        columns = ["企业名称", "统一社会信用代码", "行业类别", "入库条件", "所属乡镇", "批次", "状态", "入库日期"]
        assert headers.all_inner_texts() == columns
        for header in headers.all():
            box = header.bounding_box()
            assert box is not None and box["width"] > 0 and box["x"] + box["width"] <= 700, header.inner_text()
        first = page.locator("#wl-directory tbody tr").first.locator("td")
        assert all(cell.is_visible() for cell in first.all()) and first.count() == 8
        for control in ["#wl-filter", "#wl-more", ".wl-textsize", ".md-header", ".md-sidebar--primary"]:
            assert not page.locator(control).first.is_visible(), control

        page.goto((built_site / "notices" / "2026-01.html").as_uri())
        page.emulate_media(media="print")
        annex = page.locator(".wl-notice-list thead th")
        assert annex.count() == 6 and all(th.is_visible() for th in annex.all())
        assert not page.locator(".wl-notice-pdf").is_visible()


def test_a_phone_reads_the_notice_annex_as_cards(browser: Browser, built_site: Path) -> None:
    with reader(browser, width=375) as page:
        page.goto((built_site / "notices" / "2026-01.html").as_uri())
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        name = page.locator(".wl-notice-list tbody tr").first.locator("td").nth(1)
        box = name.bounding_box()
        assert box is not None and box["height"] < 3 * 30  # a name on one or two lines, not three
        head = page.locator(".wl-notice-list thead").bounding_box()
        assert head is not None and head["height"] <= 1  # for screen readers only: each cell has its label


# --- the 404 page -------------------------------------------------------------------------------------


def looks_like_the_site(page: Page) -> None:
    assert page.locator("h1").inner_text() == "页面不存在（404）"
    header = page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor")
    assert header == "rgb(155, 28, 28)"  # the site's red: the theme's styles are there


def test_404_over_file_is_styled_and_its_links_work(browser: Browser, built_site: Path) -> None:
    with reader(browser) as page:
        page.goto((built_site / "404.html").as_uri())
        looks_like_the_site(page)
        page.get_by_role("link", name="返回首页").click()
        assert page.url == (built_site / "index.html").as_uri()


def test_404_away_from_the_sites_own_path_is_styled_and_its_links_work(browser: Browser, built_site: Path) -> None:
    """An intranet server that puts the site at its root, not under /whitelist/."""
    with serving(built_site, "/") as root, reader(browser) as page:
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        response = page.goto(root + "deep/er/no/such/page.html")
        assert response is not None and response.status == 404
        looks_like_the_site(page)
        page.get_by_role("link", name="查询白名单企业名录").click()
        assert page.url == root + "whitelist/index.html"
        assert page.locator("h1").inner_text().startswith("白名单企业名录")
        assert failed == []
