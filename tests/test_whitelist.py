"""The published whitelist: directory, verification pages, downloads, statistics, privacy, escaping."""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from generator.build import BuildConfig, build
from generator.inputs import load_inputs
from generator.model.search import keywords, name_core, name_parts
from generator.model.site import gather
from generator.register.history import Status
from generator.render.pinyin import sort_key, syllables
from tests.conftest import DATA, TODAY


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def directory_rows(site: Path, status: str | None = None) -> list[list[str]]:
    """The directory's rows as a reader without JavaScript sees them (hidden variants left out)."""
    table = soup(site / "whitelist" / "index.html").select_one("#wl-directory")
    assert table is not None
    rows = []
    for tr in table.select("tbody tr"):
        if status is not None and tr["data-status"] != status:
            continue
        for hidden in tr.select("[hidden]"):
            hidden.decompose()
        rows.append([td.get_text() for td in tr.select("td")])
    return rows


@pytest.fixture(scope="module")
def expected() -> dict[str, list[str]]:
    inputs = load_inputs(DATA)
    listings = gather(inputs, TODAY).enterprises
    return {
        "listed": [listing.name for listing in listings if listing.status is Status.LISTED],
        "directory": [listing.name for listing in listings if listing.status in (Status.LISTED, Status.NOTICE)],
        "public": [listing.uscc for listing in listings],
        "private": [
            e.uscc for e in inputs.register.enterprises if e.uscc not in {listing.uscc for listing in listings}
        ],
    }


# --- directory -----------------------------------------------------------------------------------


def test_directory_lists_listed_and_noticed_enterprises_in_pinyin_order(
    built_site: Path, expected: dict[str, list[str]]
) -> None:
    """The seed's order is 审核批准 → 入库 → 向社会公示: an enterprise in its notice period is in the
    directory, badged 公示中 with the period's end, so that looking for it never says "not found"."""
    rows = directory_rows(built_site)
    names = [row[0] for row in rows]
    assert names == expected["directory"]
    assert names == sorted(names, key=sort_key)
    assert [row[0] for row in directory_rows(built_site, "已入库")] == expected["listed"]
    assert len(names) == 28 and len(expected["listed"]) == 23
    baiyun = next(row for row in rows if row[0] == "新县白云示例葛根制品有限公司")
    assert baiyun[6:] == ["公示中，至2026年12月1日", "公示期满后入库"]
    lead = soup(built_site / "whitelist" / "index.html").select_one(".wl-lead")
    assert lead is not None
    assert "收录新县白名单企业 28 家：已入库 23 家，正在公示 5 家" in lead.get_text()


def test_directory_dates_are_written_in_chinese(built_site: Path) -> None:
    rows = directory_rows(built_site, "已入库")
    assert all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", row[7]) for row in rows), rows
    qingtan = next(row for row in rows if row[0] == "新县青檀示例纺织有限公司")
    assert qingtan[7] == "2022年6月11日"


def test_directory_rows_carry_the_dates_of_their_period(built_site: Path) -> None:
    page = soup(built_site / "whitelist" / "index.html")
    noticed = page.select('#wl-directory tr[data-status="公示中"]')
    assert len(noticed) == 5
    period = [{"start": "2026-11-25", "end": "2026-12-01"}]
    assert all(json.loads(str(tr["data-wl-periods"])) == period for tr in noticed)
    status = page.select_one("#wl-facet-status")
    assert status is not None
    assert [o.get_text() for o in status.select("option")] == ["全部", "已入库（23）", "公示中（5）"]


def test_directory_rows_link_to_their_verification_pages(built_site: Path) -> None:
    page = soup(built_site / "whitelist" / "index.html")
    for row in page.select("#wl-directory tbody tr"):
        link = row.select_one("td a")
        assert link is not None
        target = built_site / "whitelist" / str(link["href"])
        assert target.is_file(), link["href"]
        assert soup(target).select_one("h1").get_text().startswith(link.get_text())  # type: ignore[union-attr]


def test_directory_without_javascript_is_the_whole_table(built_site: Path) -> None:
    page = soup(built_site / "whitelist" / "index.html")
    form = page.select_one("#wl-filter")
    assert form is not None and form.has_attr("hidden")  # shown by the script only
    assert not page.select("#wl-directory tr[hidden]")


# --- verification pages ---------------------------------------------------------------------------


def test_a_verification_page_for_every_enterprise_ever_published(
    built_site: Path, expected: dict[str, list[str]]
) -> None:
    pages = {p.stem for p in (built_site / "whitelist").glob("9*.html")}
    assert pages == set(expected["public"])
    for code in expected["private"]:  # applying, under review, rejected before publication
        assert not (built_site / "whitelist" / f"{code}.html").exists()


def page_of(site: Path, name: str) -> BeautifulSoup:
    text = (DATA / "register.yaml").read_text(encoding="utf-8")
    code = re.search(r'uscc: "(\w+)"\n    name: ' + re.escape(name), text)
    assert code is not None
    return soup(site / "whitelist" / f"{code.group(1)}.html")


@pytest.mark.parametrize(
    ("name", "label", "text"),
    [
        ("新县青檀示例纺织有限公司", "已入库", "2022年6月11日起入库（第一批）"),
        ("新县云杉示例木业有限公司", "公示中", "公示期 2026年11月25日至2026年12月1日"),
        ("新县金岭示例新材料有限公司", "已移出", "2023年3月15日移出新县白名单。移出原因：发生重大安全生产事故"),
        ("新县丰源示例农产品加工有限公司", "未予入库", "公示期内异议成立，未纳入白名单"),
    ],
)
def test_verification_page_states_the_status_on_the_build_date_without_naming_it(
    built_site: Path, name: str, label: str, text: str
) -> None:
    """The page says the status holds as of the site's last update, and never names that date: a
    page that did would change on every build, and unchanged pages are reused from the last one."""
    page = page_of(built_site, name)
    assert page.select_one(".wl-status__label").get_text() == label  # type: ignore[union-attr]
    assert text in page.select_one(".wl-status__text").get_text()  # type: ignore[union-attr]
    assert "状态截至 本站最近一次更新之日" in page.get_text()
    assert "2026年11月28日" not in str(page) and "2026-11-28" not in str(page)


def test_readmitted_enterprise_shows_both_periods(built_site: Path) -> None:
    history = page_of(built_site, "新县山泉示例饮品有限公司").select(".wl-history li")
    assert len(history) == 2
    assert "2022年9月1日移出，原因：违反疫情防控政策规定" in history[0].get_text()
    assert "2022年11月19日起入库" in history[1].get_text()


def test_verification_pages_stay_out_of_the_navigation(built_site: Path) -> None:
    nav = soup(built_site / "index.html").select_one("nav.md-nav--primary")
    assert nav is not None
    assert not [a for a in nav.select("a") if re.search(r"whitelist/9\w+\.html", str(a.get("href", "")))]
    assert nav.select_one('a[href="whitelist/index.html"]') is not None


# --- downloads -------------------------------------------------------------------------------------


def iso(chinese: str) -> str:
    year, month, day = map(int, re.findall(r"\d+", chinese))
    return f"{year:04d}-{month:02d}-{day:02d}"


def test_downloads_hold_exactly_the_listed_rows_of_the_directory(built_site: Path) -> None:
    """The downloads are the whitelist proper on the build date (the page says so): the listed
    rows, with dates as ISO dates for machines."""
    rows = directory_rows(built_site, "已入库")
    expected_rows = [(r[0], r[1], r[2], r[3], r[4], r[5], iso(r[7])) for r in rows]
    downloads = soup(built_site / "whitelist" / "index.html").select_one(".wl-downloads")
    assert downloads is not None and "已入库的 23 家企业，不含公示中的企业" in downloads.get_text()
    folder = built_site / "downloads"

    raw = (folder / "whitelist.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    records = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert records[0][:5] == ["企业名称", "统一社会信用代码", "行业类别", "入库条件", "所属乡镇"]
    as_rows = [(r[0], r[1], r[2], r[3], r[4], r[5], r[7]) for r in records[1:]]
    assert as_rows == expected_rows

    sheet = load_workbook(folder / "whitelist.xlsx").active
    assert sheet is not None
    values = [tuple(str(c) for c in row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert [(v[0], v[1], v[2], v[3], v[4], v[5], v[7]) for v in values] == expected_rows
    assert sheet["A1"].font.bold and sheet.column_dimensions["A"].width >= 30

    document = json.loads((folder / "whitelist.json").read_text(encoding="utf-8"))
    assert document["format"] == "wlsite-whitelist" and document["version"] == 1
    assert document["count"] == len(rows) and document["date"] == "2026-11-28"
    as_json = [
        (e["name"], e["uscc"], e["sector"], "、".join(e["qualifications"]), e["township"], e["round"]["title"],
         e["listed_since"])
        for e in document["enterprises"]
    ]  # fmt: skip
    assert as_json == expected_rows
    assert document["enterprises"][0]["url"].startswith("https://example.gov.cn/whitelist/whitelist/9")


# --- statistics --------------------------------------------------------------------------------------


def test_statistics_add_up(built_site: Path) -> None:
    page = soup(built_site / "stats.html")
    for key in ["by-sector", "by-township", "by-round"]:
        table = page.select_one(f"h2#{key}").find_next("table")  # type: ignore[union-attr]
        counts = [int(tr.select("td")[1].get_text()) for tr in table.select("tbody tr")]  # type: ignore[union-attr]
        assert sum(counts) == 23, key
    assert len(page.select("svg.wl-chart")) == 4


def test_statistics_say_what_they_count(built_site: Path) -> None:
    """Enterprises removed vs removal events, 公示中 per round, several conditions per enterprise."""
    page = soup(built_site / "stats.html")
    lead = page.select_one(".wl-lead").get_text()  # type: ignore[union-attr]
    assert "已入库企业 23 家，另有 5 家正在公示" in lead
    assert "已移出的企业 2 家（累计移出 3 家次，发布移出公告 2 次；其中 1 家移出后重新申请" in lead
    rounds = page.select_one("h2#by-round").find_next("table")  # type: ignore[union-attr]
    cells = [[td.get_text() for td in tr.select("td")] for tr in rounds.select("tbody tr")]  # type: ignore[union-attr]
    assert cells[-1] == ["第四批", "0", "5"]
    notes = [note.get_text() for note in page.select(".wl-note")]
    assert any(note.startswith("一家企业可符合多项入库条件") for note in notes)


# --- pinyin ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("新县长江物流", "xin1 xian4 chang2 jiang1 wu4 liu2"),  # not 县长 (zhǎng)
        ("新县长兴机械", "xin1 xian4 chang2 xing1 ji1 xie4"),
        ("新县重阳食品", "xin1 xian4 chong2 yang2 shi2 pin3"),
        ("新县重工装备", "xin1 xian4 zhong4 gong1 zhuang1 bei4"),
        ("新县行知电商", "xin1 xian4 xing2 zhi1 dian4 shang1"),
        ("新县行业协会", "xin1 xian4 hang2 ye4 xie2 hui4"),
        ("中国银行新县支行", "zhong1 guo2 yin2 hang2 xin1 xian4 zhi1 hang2"),  # not zhī xíng
    ],
)
def test_pinyin_readings_of_the_tricky_characters(name: str, reading: str) -> None:
    assert " ".join(syllables(name)) == reading


def test_pinyin_order() -> None:
    names = ["新县重工装备", "新县长江物流", "新县安康医药", "新县行知电商", "新县长兴机械", "中国银行新县支行"]
    assert sorted(names, key=sort_key) == [
        "新县安康医药",  # an
        "新县长江物流",  # chang jiang
        "新县长兴机械",  # chang xing
        "新县行知电商",  # xing
        "新县重工装备",  # zhong
        "中国银行新县支行",  # zhong guo
    ]


# --- search ------------------------------------------------------------------------------------------


def test_enterprise_names_are_searchable_by_their_core(built_site: Path) -> None:
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = {doc["location"]: doc["title"].split("\u200b") for doc in index["docs"]}
    page = next(loc for loc, title in titles.items() if "青檀示例纺织" in title)
    assert page.startswith("whitelist/9")
    assert name_core("新县青檀示例纺织有限公司", "新县") == "青檀示例纺织"
    directory = [doc for doc in index["docs"] if doc["location"].startswith("whitelist/index.html")]
    assert all("91411523" not in doc["text"] for doc in directory)  # the table is not indexed twice


def test_verification_pages_index_only_name_code_and_keywords(built_site: Path) -> None:
    """At 10,000 enterprises every byte per page counts: one small entry each, no label, no history;
    besides the name and code only the words a reader may type (name parts, township, trade)."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    entries = {doc["location"]: doc for doc in index["docs"] if doc["location"].startswith("whitelist/9")}
    assert len(entries) == len(list((built_site / "whitelist").glob("9*.html")))
    inputs = load_inputs(DATA)
    for item in gather(inputs, TODAY).enterprises:
        doc = entries[f"whitelist/{item.uscc}.html"]
        words = " ".join(keywords(item, "新县"))
        assert doc["text"].replace("\u200b", "") == f"<p>{item.uscc}</p> <p>{words}</p>"
        assert item.township in words


def test_name_parts_start_at_words() -> None:
    assert name_parts("新县白云示例葛根制品有限公司", "新县") == ["示例葛根制品", "葛根制品", "制品"]
    assert name_parts("新县岚山茶业有限公司", "新县") == ["茶业"]


def test_round_notices_leave_their_lists_to_the_verification_pages(built_site: Path) -> None:
    """Each listed enterprise is found once, by its own page, not again in its round's notice."""
    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    notices = [
        doc
        for doc in index["docs"]
        if doc["location"].startswith("notices/")
        and not doc["location"].startswith(("notices/removal-", "notices/index"))
    ]
    assert any(doc["location"].endswith("#list") for doc in notices)  # the heading stays findable
    assert notices and all("91411523" not in doc["text"] for doc in notices)


# --- privacy and escaping ---------------------------------------------------------------------------

SENTINEL_NAME = "SENTINELCONTACTNAME"
SENTINEL_PHONE = "0376-07777777"
SENTINEL_NOTE = "哨兵内部备注SENTINELNOTE"
HOSTILE = "新县*星号*_下划线_|竖线|#井号`反引号`{{ 模板 }}{% 语句 %}[点我](javascript:alert(1))有限公司"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with sentinel private values everywhere and a hostile name on a listed enterprise."""
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    shutil.copytree(DATA, data)
    register = data / "register.yaml"
    text = register.read_text(encoding="utf-8")
    text = re.sub(
        r'contact: \{name: [^,]+, phone: "[^"]+"\}',
        f'contact: {{name: {SENTINEL_NAME}, phone: "{SENTINEL_PHONE}"}}',
        text,
    )
    text = re.sub(r"note: [^}]+\}", f"note: {SENTINEL_NOTE}}}", text)
    text = re.sub(r"(event: approved[^}]*)\}", rf"\1, note: {SENTINEL_NOTE}}}", text)
    text = text.replace("name: 新县青檀示例纺织有限公司", f"name: '{HOSTILE}'")
    text = text.replace(
        "main_products: 棉纱、坯布", "main_products: '**粗体** <br 不是标签 & 符号'".replace("<br", "＜br")
    )
    register.write_text(text, encoding="utf-8")
    # The sentinels must really be in the data, or the privacy test proves nothing.
    assert text.count(SENTINEL_NAME) == text.count("  - uscc:") and text.count(SENTINEL_PHONE) > 30
    assert text.count(SENTINEL_NOTE) > 25 and HOSTILE in text
    out = root / "site"
    build(BuildConfig(data_dir=data, out_dir=out, today=TODAY))
    return out


def texts_of(path: Path) -> Iterator[tuple[str, str]]:
    """Every text a file holds, looking inside zips, gzip and PDFs: (where, text)."""
    data = path.read_bytes()
    yield from _texts(str(path), data)


def _texts(where: str, data: bytes) -> Iterator[tuple[str, str]]:
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.namelist():
                yield from _texts(f"{where}!{member}", archive.read(member))
    elif data[:2] == b"\x1f\x8b":
        yield from _texts(f"{where}!gunzip", gzip.decompress(data))
    elif data[:5] == b"%PDF-":
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        yield where, "\n".join(page.extract_text() for page in reader.pages)
        yield where, data.decode("latin-1")
    else:
        yield where, data.decode("utf-8", errors="replace")


def test_no_private_field_appears_in_any_output_file(hostile_site: Path) -> None:
    needles = [
        SENTINEL_NAME,
        SENTINEL_PHONE,
        SENTINEL_PHONE.replace("-", ""),
        "07777777",
        "哨兵内部备注",
        "SENTINELNOTE",
    ]
    needles += [json.dumps(n)[1:-1] for n in needles]  # as the search index escapes non-ASCII
    files = [p for p in hostile_site.rglob("*") if p.is_file()]
    assert len(files) > 50
    for path in files:
        for where, text in texts_of(path):
            for needle in needles:
                assert needle not in text, f"{needle} found in {where}"


def test_hostile_text_is_published_literally(hostile_site: Path) -> None:
    rows = directory_rows(hostile_site)
    assert HOSTILE in [row[0] for row in rows]
    html = "\n".join(p.read_text(encoding="utf-8") for p in hostile_site.rglob("*.html"))
    assert 'href="javascript:' not in html and "href='javascript:" not in html
    page = soup(hostile_site / "whitelist" / "index.html")
    cell = next(td for td in page.select("#wl-directory td") if td.get_text() == HOSTILE)
    assert not cell.select("em, strong, code, a[href^='javascript']")
    verification = next(
        soup(p) for p in (hostile_site / "whitelist").glob("9*.html") if HOSTILE in p.read_text(encoding="utf-8")
    )
    heading = verification.select_one("h1")
    assert heading is not None and heading.get_text().startswith(HOSTILE)
    assert not heading.select("em, strong, code")
    title = verification.select_one("title")
    assert title is not None and title.get_text().startswith(HOSTILE)
    facts = verification.get_text()
    assert "**粗体** ＜br 不是标签 & 符号" in facts
    csv_text = (hostile_site / "downloads" / "whitelist.csv").read_text(encoding="utf-8-sig")
    assert HOSTILE in csv_text
