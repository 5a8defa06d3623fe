"""End-to-end: the sample data built into a site, checked as a reader and a search engine would."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import BuildConfig, build
from generator.errors import InputError
from generator.guideline.parse import clean_line
from generator.publish import write
from tests.conftest import SEED, TODAY, small_project, snapshot

HAN = re.compile(r"[\u4e00-\u9fff]+")
PART_PAGES = ["guide/index.html", "criteria.html", "process.html", "measures.html"]


def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def article_text(site: Path, page: str) -> str:
    article = soup(site, page).select_one("article")
    assert article is not None
    for figure in article.select("figure"):  # charts repeat the text; judge the text itself
        figure.decompose()
    return article.get_text()


def test_every_page_is_built(built_site: Path) -> None:
    for page in ["index.html", *PART_PAGES, "glossary.html", "about.html", "404.html"]:
        assert (built_site / page).is_file(), page
    assert (built_site / "search" / "search_index.js").is_file()


def test_every_han_sentence_of_the_source_is_published_in_order(built_site: Path) -> None:
    lines = [clean_line(line) for line in SEED.read_text(encoding="utf-8").splitlines()]
    runs = HAN.findall("\n".join(lines[1:]))  # the title is on every page; the body in order
    published = "".join(HAN.findall("".join(article_text(built_site, page) for page in PART_PAGES)))
    position = 0
    for run in runs:
        found = published.find(run, position)
        assert found >= 0, f"not published (or out of order): {run}"
        position = found + len(run)


def test_every_article_has_its_anchor_and_a_visible_permalink(built_site: Path) -> None:
    page = soup(built_site, "guide/index.html")
    for number in range(1, 21):
        heading = page.select_one(f"h3#article-{number}")
        assert heading is not None, number
        assert heading.get_text().startswith(f"第 {number} 条")
        link = heading.select_one("a.headerlink")
        assert link is not None and link["href"] == f"#article-{number}"


def test_glossary_terms_are_tooltips_in_the_text(built_site: Path) -> None:
    page = soup(built_site, "guide/index.html")
    article9 = page.select_one("#article-9").find_next_sibling("p")  # type: ignore[union-attr]
    abbr = article9.select_one("abbr")  # type: ignore[union-attr]
    assert abbr is not None and abbr.get_text() == "两码一证"
    assert "健康码" in str(abbr["title"])
    glossary = soup(built_site, "glossary.html")
    assert glossary.select_one("h2#term-红区") is not None  # a section each: one search entry per term


def test_diagrams_are_inline_svg(built_site: Path) -> None:
    zones = soup(built_site, "guide/index.html").select_one("svg[aria-labelledby='zones-title zones-desc']")
    assert zones is not None
    labels = [t.get_text() for t in zones.select("text")]
    for name in ["绿区", "蓝区", "黄区", "红区"]:
        assert name in labels
    assert any("一次性医用外科口罩" in t for t in labels)
    flow = soup(built_site, "process.html").select_one("svg[aria-labelledby='flow-title flow-desc']")
    assert flow is not None and "向社会公示" in flow.get_text()


def search_entries(site: Path) -> list[dict[str, str]]:
    docs: list[dict[str, str]] = json.loads((site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    return docs


def tokens(text: str) -> set[str]:
    return set(text.split("\u200b"))


def test_search_index_is_utf8_and_the_offline_copy_is_the_same(built_site: Path) -> None:
    """Written by the theme, every Chinese character took six bytes (\\u65b0); in UTF-8 it takes three."""
    raw = (built_site / "search" / "search_index.json").read_bytes()
    text = raw.decode("utf-8")
    assert "新县" in text and "\\u65b0" not in text
    script = (built_site / "search" / "search_index.js").read_bytes()
    assert script == b"var __index = " + raw
    assert len(raw) < len(json.dumps(json.loads(text)).encode()) * 0.7


def test_search_index_is_segmented_with_the_glossary(built_site: Path) -> None:
    entries = {e["location"]: e for e in search_entries(built_site)}
    assert "红区" in tokens(entries["guide/index.html#article-15"]["text"])
    assert "红区" in tokens(entries["guide/index.html#article-13"]["text"])
    assert "两码一证" in tokens(entries["guide/index.html#article-9"]["text"])


def test_no_page_refers_to_another_host(built_site: Path) -> None:
    """Nothing is loaded from, and no link leads to, another host; the only absolute URL is the
    canonical address of the page on the site's own public host (never fetched)."""
    for page in built_site.rglob("*.html"):
        document = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for element in document.select("[src], [href]"):
            url = str(element.get("src") or element.get("href"))
            if not re.match(r"https?://", url):
                continue
            canonical = element.name == "link" and element.get("rel") == ["canonical"]
            assert canonical and url.startswith("https://example.gov.cn/whitelist/"), (page, url)
    html = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html and "unpkg.com" not in html
    assert "assets/vendor/iframe-worker/shim.js" in html


def test_sample_banner_on_every_page(built_site: Path) -> None:
    for page in ["index.html", *PART_PAGES, "glossary.html", "about.html"]:
        assert "示例数据" in (built_site / page).read_text(encoding="utf-8"), page


def test_chinese_ui_and_no_generator_footer(built_site: Path) -> None:
    page = soup(built_site, "index.html")
    assert page.html is not None and page.html["lang"] == "zh"
    assert "Material for MkDocs" not in page.get_text()


def test_every_image_and_control_is_named_in_chinese(built_site: Path) -> None:
    han = re.compile(r"[\u4e00-\u9fff]")
    for path in built_site.rglob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for image in page.select("img"):
            assert han.search(str(image.get("alt", ""))), (path, image)
        for named in page.select("[aria-label]"):
            assert han.search(str(named["aria-label"])), (path, named)


def test_the_home_page_speaks_to_the_public(built_site: Path) -> None:
    page = soup(built_site, "index.html")
    text = page.get_text()
    assert "离线使用" not in text and "index.html" not in text
    about = page.select_one("h2#about")
    assert about is not None and about.get_text().startswith("关于本站")
    assert page.select_one('.wl-about a[href="tel:0376-0000000"]') is not None
    assert page.select_one('.wl-about a[href="about.html"]') is not None


def test_the_404_page_is_chinese_and_stands_on_its_own(built_site: Path) -> None:
    page = soup(built_site, "404.html")
    assert page.select_one("h1").get_text() == "页面不存在（404）"  # type: ignore[union-attr]
    assert page.title is not None and "页面不存在" in page.title.get_text()
    assert not page.select("link[rel=stylesheet], script[src]")  # everything it needs is inside
    assert all(str(img["src"]).startswith("data:") for img in page.select("img"))


def test_bad_input_leaves_the_published_site_untouched_and_stages_nothing(
    data_dir: Path, tmp_path: Path, built_site: Path
) -> None:
    out = tmp_path / "site"
    shutil.copytree(built_site, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (data_dir / "guidelines" / "xinxian.txt").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError):
        build(BuildConfig(data_dir=data_dir, out_dir=out, today=TODAY))
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "site"]  # no lock, no staging: never started


def test_a_failed_swap_leaves_the_site_untouched_and_removes_its_staging(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_cache: Path
) -> None:
    root, data = small_project(tmp_path, enterprises=2)
    config = BuildConfig(data, tmp_path / "site", TODAY, project_dir=root, cache_dir=pdf_cache, workers=1)
    build(config)
    before = snapshot(config.out_dir)
    staged: list[Path] = []

    def refused(a: Path, b: Path) -> bool:
        staged.append(a)
        assert (a / "index.html").is_file()  # the new site was completely staged
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(write, "_exchange", refused)
    with pytest.raises(OSError):
        build(replace(config, today=TODAY.replace(day=29)))
    assert staged and snapshot(config.out_dir) == before
    assert not [p for p in tmp_path.iterdir() if ".build-" in p.name or ".pdf-" in p.name]


def test_bad_input_writes_nothing_when_nothing_was_published(data_dir: Path, tmp_path: Path) -> None:
    (data_dir / "guidelines" / "xinxian.txt").write_text("", encoding="utf-8")
    out = tmp_path / "site"
    with pytest.raises(InputError) as raised:
        build(BuildConfig(data_dir=data_dir, out_dir=out, today=TODAY))
    assert "文件为空" in str(raised.value)
    assert not out.exists()


def test_build_refuses_to_publish_without_jieba(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from generator.errors import BuildError

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "jieba" else real(name, *a))
    out = tmp_path / "site"
    with pytest.raises(BuildError) as raised:
        build(BuildConfig(data_dir=data_dir, out_dir=out, today=TODAY))
    assert "缺少 jieba" in str(raised.value)
    assert not out.exists()
