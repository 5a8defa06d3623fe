"""Notices (公示, 移出公告), the feed, and the staff round workflow, on fixed build dates."""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import replace
from datetime import date
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from generator.cli import cli
from generator.inputs import load_inputs
from generator.model.notices import RoundNotice
from generator.model.site import gather
from generator.register.history import schedule_rounds
from generator.render import notices
from generator.render.registry import Run, render_jobs
from tests.conftest import DATA, ROOT, TODAY

ATOM = "{http://www.w3.org/2005/Atom}"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_round_notice_has_everything_a_real_notice_has(built_site: Path) -> None:
    page = soup(built_site / "notices" / "2026-01.html")
    text = page.get_text()
    assert page.select_one("h1").get_text().startswith("关于新县第四批工业、商贸流通、电商类白名单企业名单的公示")  # type: ignore[union-attr]
    assert "根据《新县工业、商贸流通、电商类企业疫情防控工作指南和白名单企业保障办法》" in text
    assert "2026年11月25日至2026年12月1日（5 个工作日）" in text
    for needle in ["书面形式实名", "0376-0000000", "新县新集镇示例路 1 号", "465550", "gxj@example.gov.cn"]:
        assert needle in text, needle
    sign = page.select_one(".wl-notice-sign")
    assert sign is not None and sign.get_text() == "新县工业和信息化局2026年11月25日"
    rows = page.select(".wl-notice-list tbody tr")
    assert len(rows) == 5
    assert all(re.fullmatch(r"91411523\w{10}", row.select("td")[2].get_text()) for row in rows)


def test_a_notice_in_its_period_says_so_with_the_days_left(built_site: Path) -> None:
    state = soup(built_site / "notices" / "2026-01.html").select_one(".wl-notice-state")
    assert state is not None and "公示中" in state.get_text() and "还剩 2 个工作日" in state.get_text()
    home = soup(built_site / "index.html").select_one(".wl-open-notices")
    assert home is not None
    assert "关于新县第四批" in home.get_text() and "还剩 2 个工作日" in home.get_text()
    assert home.select_one('a[href="notices/2026-01.html"]') is not None


def test_a_notice_carries_its_dates_and_says_how_old_its_text_is(built_site: Path) -> None:
    """The page script tells the status on the reader's date from these; without it the text is
    the build date's, and says so."""
    page = soup(built_site / "notices" / "2026-01.html")
    state = page.select_one(".wl-notice-state")
    assert state is not None
    assert json.loads(str(state["data-wl-periods"])) == [{"start": "2026-11-25", "end": "2026-12-01"}]
    shown = state.select_one('[data-wl-when="公示中"]')
    later = state.select_one('[data-wl-when="已入库"]')
    assert shown is not None and not shown.has_attr("hidden")
    assert "截至 2026年11月28日还剩 2 个工作日" in shown.get_text()
    assert later is not None and later.has_attr("hidden") and "公示期已结束（2026年12月1日）" in later.get_text()


def test_the_objection_channel_is_tap_to_call_and_tap_to_mail(built_site: Path) -> None:
    contact = soup(built_site / "notices" / "2026-01.html").select_one(".wl-notice-contact")
    assert contact is not None
    assert contact.select_one('a[href="tel:0376-0000000"]') is not None
    assert contact.select_one('a[href="mailto:gxj@example.gov.cn"]') is not None


def test_the_notice_index_names_the_feed_in_chinese(built_site: Path) -> None:
    lead = soup(built_site / "notices" / "index.html").select_one(".wl-lead")
    assert lead is not None and "订阅公告更新（Atom 格式）" in lead.get_text() and "订阅源" not in lead.get_text()


def test_a_closed_notice_says_how_it_ended(built_site: Path) -> None:
    state = soup(built_site / "notices" / "2022-02.html").select_one(".wl-notice-state")
    assert state is not None
    assert "公示期已结束" in state.get_text() and "7 家企业纳入白名单" in state.get_text()
    assert "新县丰源示例农产品加工有限公司经核实异议成立，不予入库" in state.get_text()
    assert soup(built_site / "index.html").select_one(".wl-open-notices a[href='notices/2022-02.html']") is None


def test_removal_notice_lists_the_removals_of_that_date(built_site: Path) -> None:
    page = soup(built_site / "notices" / "removal-2023-03-15.html")
    assert "等2家企业移出新县白名单的公告" in page.select_one("h1").get_text()  # type: ignore[union-attr]
    reasons = [tr.select("td")[3].get_text() for tr in page.select(".wl-notice-list tbody tr")]
    assert set(reasons) == {"发生重大安全生产事故，不再符合白名单条件", "企业停产，生产经营状态异常"}
    assert "内部材料" not in page.get_text()  # the private note stays private


def test_notice_index_is_newest_first(built_site: Path) -> None:
    links = [a["href"] for a in soup(built_site / "notices" / "index.html").select(".wl-notice-index a")]
    assert links == [
        "2026-01.html",
        "removal-2023-03-15.html",
        "2022-03.html",
        "removal-2022-09-01.html",
        "2022-02.html",
        "2022-01.html",
    ]


def test_round_links_in_the_directory_resolve(built_site: Path) -> None:
    page = soup(built_site / "whitelist" / "index.html")
    links = {a["href"] for a in page.select("#wl-directory a[href*='notices/']")}
    assert links
    for href in links:
        assert (built_site / "whitelist" / str(href)).resolve().is_file(), href


def test_period_end_is_written_in_chinese_with_working_days() -> None:
    """2026-09-28 with 5 working days runs over National Day and ends on 2026-10-09."""
    inputs = load_inputs(DATA)
    early = inputs.register.rounds[0].model_copy(update={"notice_start": date(2026, 9, 28)})
    schedule = schedule_rounds([early], 5, inputs.calendar)["2022-01"]
    assert (schedule.start, schedule.end) == (date(2026, 9, 28), date(2026, 10, 9))
    on = date(2026, 9, 30)
    model = gather(inputs, on)
    notice = RoundNotice(schedule, "关于第一批的公示", model.enterprises[:1], ())
    model = replace(model, notices=(notice,))
    page = next(job for job in notices.plan(model) if job.path == "notices/2022-01.html")
    content = next(render_jobs([page], Run(ROOT / "forms", True, model)))[1].decode()
    assert "2026年9月28日至2026年10月9日（5 个工作日）" in content
    text = re.sub(r"<[^>]+>", "", content)
    assert "截至 2026年9月30日还剩 3 个工作日" in text  # 9-30, then 10-8 and 10-9 after the holiday


# --- the feed -------------------------------------------------------------------------------------


def test_feed_is_valid_atom_with_stable_ids_and_data_dates(built_site: Path) -> None:
    raw = (built_site / "feed.xml").read_bytes()
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    root = ElementTree.fromstring(raw)
    assert root.tag == f"{ATOM}feed"
    for required in ["id", "title", "updated", "author"]:
        assert root.find(f"{ATOM}{required}") is not None, required
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 6
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 6
    assert ids[0] == "https://example.gov.cn/whitelist/notices/2026-01.html"
    updated = [e.findtext(f"{ATOM}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00\+08:00", u) for u in updated)
    assert root.findtext(f"{ATOM}updated") == "2026-11-25T00:00:00+08:00"  # the newest notice, not the clock
    assert soup(built_site / "notices" / "index.html").select_one('a[href="../feed.xml"]') is not None


# --- round new / round status / diff -------------------------------------------------------------------


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def inserted_only(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`, asserting nothing else changed."""
    import difflib

    added = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines()).get_opcodes():
        assert tag in ("equal", "insert"), (tag, before.splitlines()[i1:i2])
        if tag == "insert":
            added += after.splitlines()[j1:j2]
    return added


def test_round_new_appends_and_keeps_every_other_byte(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    before = register.read_text(encoding="utf-8")
    code, out, err = run("round", "new", "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    after = register.read_text(encoding="utf-8")
    assert inserted_only(before, after) == ['  - id: "2026-02"', "    title: 第五批", "    notice_start: 2026-11-30"]
    assert "公示期：2026年11月30日至2026年12月4日（5 个工作日）" in out
    assert run("check", "--data", str(data_dir))[0] == 0


def test_round_new_follows_the_files_own_indentation(tmp_path: Path, data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    flat = textwrap.dedent(
        """\
        # 登记册（列表不缩进的写法）
        rounds:
        - id: "2022-01"
          title: 第一批   # 首批
          notice_start: 2022-06-06
        enterprises: []
        """
    )
    register.write_text(flat, encoding="utf-8")
    code, _, err = run("round", "new", "--data", str(data_dir), "--today", "2026-11-28", "--title", "第二批")
    assert code == 0, err
    added = inserted_only(flat, register.read_text(encoding="utf-8"))
    assert added == ['- id: "2026-01"', "  title: 第二批", "  notice_start: 2026-11-30"]


def test_round_new_into_an_unknown_year_writes_nothing(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    before = register.read_bytes()
    code, _, err = run("round", "new", "--data", str(data_dir), "--today", "2026-12-29")
    assert code == 1
    assert "2027 年" in err and "holidays.yaml" in err
    assert register.read_bytes() == before


def test_round_new_refuses_a_duplicate_id(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    before = register.read_bytes()
    code, _, err = run("round", "new", "--data", str(data_dir), "--today", "2026-11-28", "--id", "2026-01")
    assert code == 1 and "批次编号“2026-01”已存在" in err
    assert register.read_bytes() == before


def test_round_status_says_what_the_site_shows(data_dir: Path) -> None:
    code, out, _ = run("round", "status", "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0
    lines = out.splitlines()
    assert "  2026-01  第四批  2026-11-25 至 2026-12-01  5 家  公示中：还剩 2 个工作日（含当天）" in lines
    assert "  2022-02  第二批  2022-08-22 至 2022-08-26  8 家  公示已结束：6 家在库，1 家已移出，1 家异议成立" in lines


@pytest.fixture
def changed_register(tmp_path: Path) -> Path:
    """The sample with: a field change, a new removal, and the pending applicant approved in round 4."""
    text = (DATA / "register.yaml").read_text(encoding="utf-8")
    text = text.replace("main_products: 棉纱、坯布", "main_products: 棉纱、坯布、色织布")
    text = text.replace(
        '      - {date: 2022-06-01, event: approved, round: "2022-01"}\n  - uscc',
        '      - {date: 2022-06-01, event: approved, round: "2022-01"}\n'
        "      - {date: 2026-11-20, event: removed, reason: 企业停产}\n  - uscc",
        1,
    )
    text = text.replace(
        "      - {date: 2026-11-18, event: applied}\n",
        '      - {date: 2026-11-18, event: applied}\n      - {date: 2026-11-20, event: approved, round: "2026-01"}\n',
    )
    path = tmp_path / "new.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_reports_what_changes_on_the_site(changed_register: Path) -> None:
    code, out, err = run("diff", str(DATA / "register.yaml"), str(changed_register), "--data", str(DATA),
                         "--today", TODAY.isoformat())  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert f"按 {TODAY} 生成的网站：新增 1 家，不再公开 0 家，变化 1 家。" in lines
    site = lines[lines.index(f"按 {TODAY} 生成的网站：新增 1 家，不再公开 0 家，变化 1 家。") :]
    assert lines[0] == "登记册：新增企业 0 家，修改 2 家，删除 0 家；新增事件 2 条；新增批次 0 个。"
    assert any(line.startswith("  + 新县恒泰示例钢结构有限公司（") and line.endswith("：公示中") for line in site)
    change = next(line for line in site if line.startswith("  ~ 新县青檀示例纺织有限公司"))
    assert "已入库 → 已移出（企业停产）" in change and "主要产品 棉纱、坯布 → 棉纱、坯布、色织布" in change
    record = next(line for line in lines if line.startswith("  ~ 新县青檀示例纺织有限公司"))
    assert "新增事件 2026-11-20 移出" in record
    assert site.index("第四批：") < next(i for i, line in enumerate(site) if "恒泰" in line)


def test_diff_of_a_register_with_itself_is_empty() -> None:
    code, out, _ = run("diff", str(DATA / "register.yaml"), str(DATA / "register.yaml"), "--data", str(DATA))
    assert code == 0 and out.splitlines()[0] == "登记册没有变化。"
    assert out.splitlines()[1].endswith("生成的网站：公开内容没有变化。")
