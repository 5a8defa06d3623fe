"""The enterprise's journey: may I apply, how, and an application typed once in the browser,
printed on A4, saved as a file and imported by staff without retyping."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from generator.cli import cli
from generator.inputs import load_inputs
from generator.model.public import public_enterprises
from generator.register.load import parse_yaml
from generator.register.validate import check_register, check_site
from generator.register.workdays import WorkCalendar
from tests.browser import chromium
from tests.conftest import DATA

pytestmark = pytest.mark.browser

CODE = "91411523MA9G12340J"  # a valid code no enterprise of the sample has
ANSWERS = {
    "uscc": "9141 1523 ma9g 1234 0j",  # as typed from a licence: spaces, lower case
    "name": "新县申请示例纺织有限公司",
    "address": "新县新集镇示例路 8 号",
    "industry": "纺织业",
    "main_products": "棉纱、色织布",
    "legal_representative": "王某明",
    "employees": "120",
    "epidemic_lead.name": "刘某华",
    "epidemic_lead.title": "常务副总经理",
    "contact.name": "陈某",
    "contact.phone": "0376-01234567",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def soup(site: Path, name: str) -> BeautifulSoup:
    return BeautifulSoup((site / name).read_text(encoding="utf-8"), "html.parser")


# --- the start page ------------------------------------------------------------------------------


def test_the_start_page_says_who_may_apply_what_to_bring_where_and_what_next(built_site: Path) -> None:
    page = soup(built_site, "apply/index.html")
    text = page.get_text()
    for words in (
        "在县内注册",
        "规上工业企业",
        "关系民生的商贸流通电商企业",
        "通过弄虚作假行为达到申报标准",
        "营业执照副本复印件",
    ):
        assert words in text, words
    criteria = soup(built_site, "criteria.html")
    for link in page.select(".wl-conditions a"):
        target, _, anchor = str(link["href"]).partition("#")
        assert target == "../criteria.html" and criteria.find(id=anchor) is not None, link
    qualifying = page.select("#qualifying + ol a")
    assert qualifying[0].get_text() == "规上工业企业"
    assert criteria.find(id=str(qualifying[0]["href"]).split("#")[1]).parent.get_text().startswith("规上工业企业")  # type: ignore[union-attr]
    assert page.select_one('a[href="tel:0376-0000000"]') and page.select_one('a[href="mailto:gxj@example.gov.cn"]')
    assert "新县新集镇示例路 1 号" in text and "465550" in text
    assert "暂无正在受理的批次" in text and "截至 2026年11月28日" in text  # round 4 is already published
    assert "公示 5 个工作日" in text.replace("\n", "")
    home = soup(built_site, "index.html")
    assert home.select_one('a[href="apply/index.html"]') is not None


def test_every_page_ends_with_the_authoritys_contact(built_site: Path) -> None:
    for name in ("index.html", "whitelist/index.html", "notices/index.html", "guide/index.html"):
        footer = soup(built_site, name).select_one(".wl-footer-contact")
        assert footer is not None and "新县工业和信息化局" in footer.get_text(), name
        assert footer.select_one('a[href^="tel:"]') and footer.select_one('a[href^="mailto:"]')


# --- can I apply? -----------------------------------------------------------------------------


def answer(
    page: Page, sector: str = "工业", no: str = "", exclusion: str = "", qualifications: tuple[str, ...] = ()
) -> str:
    page.check(f"input[name=sector][value={sector}]")
    for box in page.locator(".wl-question[data-kind=baseline]").all():
        key = box.get_attribute("data-key")
        box.locator(f"input[value={'no' if key == no else 'yes'}]").check()
    for box in page.locator(".wl-question[data-kind=exclusion]").all():
        key = box.get_attribute("data-key")
        box.locator(f"input[value={'yes' if key == exclusion else 'no'}]").check()
    for name in qualifications:
        page.check(f"input[name=qualification][value={name}]")
    return page.locator("#wl-verdict").inner_text()


CHECKS = [
    ({"qualifications": ("规上工业企业",)}, "可以申请", ""),
    ({"qualifications": ("专精特新中小企业培育库企业", "万人助万企县领导包联企业")}, "可以申请", ""),
    ({"sector": "商贸流通", "qualifications": ("关系民生的商贸流通电商企业",)}, "可以申请", ""),
    ({"sector": "电商平台", "qualifications": ("规上工业企业",)}, "暂不能申请", "“规上工业企业”只适用于工业类企业"),
    ({"qualifications": ()}, "暂不能申请", "不符合任何一项"),
    *(
        ({"no": key, "qualifications": ("规上工业企业",)}, "暂不能申请", f"不满足基本条件“{text}”")
        for key, text in [
            ("registered_in_county", "在县内注册"),
            ("operating_normally", "生产经营状态正常"),
            ("good_credit", "诚信度好"),
            ("environment_compliant", "达到环保排放标准"),
            ("safety_compliant", "达到安全生产标准"),
            ("follows_guideline", "严格执行疫情防控工作指南"),
        ]
    ),
    *(
        ({"exclusion": key, "qualifications": ("规上工业企业",)}, "暂不能申请", f"有不得纳入的情形“{text}”")
        for key, text in [
            ("fraud", "通过弄虚作假行为达到申报标准"),
            ("major_accident", "近三年发生重大安全、重大质量事故或有严重环境违法行为"),
            ("serious_dishonesty", "近三年发生严重社会失信行为"),
        ]
    ),
]


def test_the_self_check_answers_each_condition_and_exclusion(browser: Browser, built_site: Path) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((built_site / "apply" / "check.html").as_uri())
    assert page.locator("#wl-verdict").is_hidden()
    for given, verdict, reason in CHECKS:
        page.reload()
        said = answer(page, **given)  # type: ignore[arg-type]
        assert said.startswith(verdict), (given, said)
        assert reason in said, (given, said)
    page.close()


def test_without_javascript_the_self_check_is_a_printable_checklist(browser: Browser, built_site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((built_site / "apply" / "check.html").as_uri())
    assert page.locator(".wl-question").count() == 9 and page.locator("#wl-verdict").is_hidden()
    assert "规则：基本条件全部为“是”" in page.inner_text(".wl-selfcheck__rule")
    context.close()


# --- the form -----------------------------------------------------------------------------------


def fill(page: Page) -> None:
    for name, value in ANSWERS.items():
        page.fill(f"[name='{name}']", value)
    page.check("input[name=sector][value=工业]")
    page.select_option("select[name=township]", "新集镇")
    page.check("input[name=qualifications][value=规上工业企业]")
    for box in page.locator("input[name^='declarations.']").all():
        box.check()


def note(page: Page, field: str) -> str:
    return page.locator(f'.wl-field[data-field="{field}"] .wl-field__note').inner_text()


@pytest.mark.parametrize(("width", "scheme"), [(375, "file"), (1280, "file"), (375, "http"), (1280, "http")])
def test_an_application_is_filled_checked_printed_saved_and_imported(
    browser: Browser, built_site: Path, site_server: str, data_dir: Path, tmp_path: Path, width: int, scheme: str
) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    url = (built_site / "apply" / "form.html").as_uri() if scheme == "file" else site_server + "apply/form.html"
    page.goto(url)
    page.fill("[name=uscc]", "91411523MA9G12340X")
    page.click("button[data-action=check]")
    python_says = {p.field: p.message for p in register_problems({"uscc": "91411523MA9G12340X"})}
    assert note(page, "uscc") == python_says["enterprises[0].uscc"]
    assert note(page, "name") == "不能为空"
    assert page.locator("#wl-form-summary").is_visible()

    fill(page)
    page.click("button[data-action=check]")
    assert page.locator("#wl-form-summary").inner_text() == "检查通过：可以打印和保存。"

    page.reload()  # the draft stays in the browser
    assert page.input_value("[name=name]") == ANSWERS["name"]

    with page.expect_download() as download:
        page.click("button[data-action=save]")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == f"白名单申请-{CODE}.json"

    page.evaluate("window.wlsiteApplication.form.preparePrint()")
    page.emulate_media(media="print")
    pdf = tmp_path / "printed.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\n", info) and "(A4)" in info  # A4, one page each
    pages = [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"], capture_output=True, text=True).stdout
        for n in (1, 2)
    ]
    assert "工业企业白名单申请表" in pages[0] and ANSWERS["name"] in pages[0] and "常务副总经理" in pages[0]
    assert "落实疫情防控主体责任承诺书" in pages[1] and CODE in pages[1] and "法定代表人（签字）" in pages[1]
    assert "（王某明）" in pages[1] and "八、" in pages[1].replace(" ", "")  # nothing cut off at the end
    context.close()
    assert all(r.startswith(("file:", "data:", "blob:", "about:", site_server)) for r in requests)

    result = CliRunner().invoke(cli, ["import", str(saved), "--data", str(data_dir), "--today", "2026-12-01"])
    assert result.exit_code == 0, result.stderr
    inputs = load_inputs(data_dir)
    imported = next(e for e in inputs.register.enterprises if e.uscc == CODE)
    assert [(e.date, e.event.value) for e in imported.history] == [(date(2026, 12, 1), "applied")]
    assert (imported.name, imported.township, imported.employees, imported.qualifications) == (
        ANSWERS["name"], "新集镇", 120, ("规上工业企业",)
    )  # fmt: skip
    assert (imported.epidemic_lead.name, imported.epidemic_lead.title) == ("刘某华", "常务副总经理")
    assert (imported.contact.name, imported.contact.phone) == ("陈某", "0376-01234567")
    assert all(dict(imported.declarations).values()) and not any(dict(imported.exclusions).values())
    public = public_enterprises(inputs.register.enterprises, inputs.timelines, date(2026, 12, 1))
    assert CODE not in {item.uscc for item in public}  # applying: not public, contact never shown


def register_problems(fields: dict[str, Any]) -> list[Any]:
    """What `wlsite check` says of a record with these fields (others left out)."""
    text = "enterprises:\n  - " + "\n    ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items())
    site, _ = check_site(parse_yaml((DATA / "site.yaml").read_text(encoding="utf-8"), "site.yaml"))
    _, found = check_register(parse_yaml(text + "\n", "r.yaml"), site, WorkCalendar(), "h.yaml")
    return found


SAME_WORDS: list[dict[str, Any]] = [
    {"uscc": code}
    for code in (
        "91411523MA9G1234",
        "91411523MA9G1234OJ",
        "9141152AMA9G12340J",
        "91411523MA9G12341M",
        "91411523MA9G12340X",
    )
] + [
    {"name": "新县<b>甲</b>示例有限公司"},
    {"name": "新县\u2060示例有限公司"},
    {"name": "新县\x07示例有限公司"},
    {"name": "新" * 501},
    {"employees": "二百"},
    {"contact": {"name": "陈某", "phone": "12345"}},
    {"sector": "电商平台", "qualifications": ["规上工业企业"]},
]


def test_the_page_says_what_wlsite_check_says_in_the_same_words(browser: Browser, built_site: Path) -> None:
    page = browser.new_page()
    page.goto((built_site / "apply" / "form.html").as_uri())
    for fields in SAME_WORDS:
        python = {p.field.removeprefix("enterprises[0]."): p.message for p in register_problems(fields)}
        script = page.evaluate("(r) => window.wlsiteApplication.rules.check(r)", fields)
        shown = {item["field"].replace("qualifications", "qualifications[0]"): item["message"] for item in script}
        given = [f for f in python if f.split(".")[0].split("[")[0] in fields and not f.startswith("contact.name")]
        assert given, (fields, python)
        for field in given:
            assert shown[field] == python[field], (fields, field)
    page.close()


def test_an_application_file_of_an_unknown_version_is_refused(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "白名单申请-x.json"
    path.write_text(json.dumps({"format": "wlsite-application/9", "uscc": CODE}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(path), "--data", str(data_dir)])
    assert result.exit_code == 1 and "wlsite-application/9" in result.stderr and "不认识" in result.stderr


def test_several_files_or_a_folder_import_together_or_not_at_all(tmp_path: Path, data_dir: Path) -> None:
    folder = tmp_path / "收到的申请"
    folder.mkdir()
    base = json.loads((Path(__file__).parent / "data" / "application.json").read_text(encoding="utf-8"))
    good = {**base, "uscc": CODE}
    (folder / "a.json").write_text(json.dumps(good, ensure_ascii=False), encoding="utf-8")
    bad = {**base, "uscc": "91411523MA9G12341M", "name": "新县另一示例有限公司"}
    (folder / "b.json").write_text(
        json.dumps({**bad, "contact": {"name": "赵某", "phone": "1"}}, ensure_ascii=False), "utf-8"
    )
    before = (data_dir / "register.yaml").read_bytes()
    result = CliRunner().invoke(cli, ["import", str(folder), "--data", str(data_dir), "--date", "2026-11-30"])
    assert result.exit_code == 1
    assert f"{(folder / 'b.json').as_posix()}: 联系电话（contact.phone）: 电话号码格式不对：“1”" in result.stderr
    assert (data_dir / "register.yaml").read_bytes() == before
    (folder / "b.json").unlink()
    result = CliRunner().invoke(cli, ["import", str(folder), "--data", str(data_dir), "--date", "2026-11-30"])
    assert result.exit_code == 0, result.stderr
    added = next(e for e in load_inputs(data_dir).register.enterprises if e.uscc == CODE)
    assert added.history[0].date == date(2026, 11, 30)
