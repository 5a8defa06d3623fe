"""An output folder cannot eat data: a build replaces only what a build made (or an empty or
absent folder), refuses every other folder before touching anything, publishes through symbolic
links, never shares a file with its cache, and cleans up after builds that were killed."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import BuildConfig, build
from generator.cli import cli
from generator.publish import write
from generator.publish.write import OUTPUT_MARKER, STAGING_MARKER, OutputRefused
from tests.conftest import TODAY, small_project, snapshot


def refused(config: BuildConfig) -> str:
    with pytest.raises(OutputRefused) as raised:
        build(config)
    return str(raised.value)


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    return small_project(tmp_path, enterprises=2)


def test_out_pointed_at_the_data_folder_keeps_the_register(data_dir: Path) -> None:
    before = snapshot(data_dir)
    result = CliRunner().invoke(
        cli, ["build", "--data", str(data_dir), "--out", str(data_dir), "--today", "2026-11-28"]
    )
    assert result.exit_code == 1
    assert "就是数据文件夹" in result.stderr and "没有改动任何文件" in result.stderr
    assert snapshot(data_dir) == before


def test_out_pointed_at_the_project_or_above_it_is_refused(project: tuple[Path, Path]) -> None:
    root, data = project
    assert "就是项目文件夹" in refused(BuildConfig(data, root, TODAY, project_dir=root))
    assert "包含了" in refused(BuildConfig(data, root.parent, TODAY, project_dir=root))
    assert (root / "mkdocs.yml").is_file() and (data / "register.yaml").is_file()


def test_a_folder_holding_a_file_the_build_did_not_make_is_left_alone(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    root, data = project
    home = tmp_path / "home"
    home.mkdir()
    (home / "工作记录.docx").write_bytes(b"staff's own file")
    message = refused(BuildConfig(data, home, TODAY, project_dir=root))
    assert OUTPUT_MARKER in message and "换一个新的或空的文件夹" in message
    assert [p.name for p in home.iterdir()] == ["工作记录.docx"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".home.", ".home"))]


def test_outputs_inside_each_other_or_the_cache_are_refused_before_anything(
    project: tuple[Path, Path], tmp_path: Path
) -> None:
    root, data = project
    site = tmp_path / "site"
    nested = refused(BuildConfig(data, site, TODAY, project_dir=root, staff_dir=site / "staff"))
    assert "两个输出文件夹必须互不包含" in nested
    assert not site.exists() and not (tmp_path / ".site.lock").exists()
    cache = tmp_path / "work" / "cache"
    for out in (cache, cache / "pdf" / "site", cache.parent):
        assert "缓存文件夹" in refused(BuildConfig(data, out, TODAY, project_dir=root, cache_dir=cache))
    assert "数据文件夹" in refused(BuildConfig(data, data / "site", TODAY, project_dir=root))
    assert "docs/ 文件夹" in refused(BuildConfig(data, root / "docs" / "site", TODAY, project_dir=root))


def test_a_mount_point_is_refused_with_a_folder_on_it_suggested(
    project: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, data = project
    stick = tmp_path / "usb"
    stick.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda path: Path(path) == stick or real(path))
    message = refused(BuildConfig(data, stick, TODAY, project_dir=root))
    assert "挂载点" in message and str(stick / "site") in message


def test_a_built_site_is_marked_and_replaced_an_empty_folder_is_used(
    project: tuple[Path, Path], tmp_path: Path, pdf_cache: Path
) -> None:
    root, data = project
    out = tmp_path / "empty"
    out.mkdir()
    config = BuildConfig(data, out, TODAY, root, staff_dir=tmp_path / "staff", cache_dir=pdf_cache, workers=1)
    build(config)
    assert (out / OUTPUT_MARKER).is_file() and (tmp_path / "staff" / OUTPUT_MARKER).is_file()
    (out / "index.html").unlink()
    build(config)  # its own marked output: replaced
    assert (out / "index.html").is_file()


def test_a_symlinked_output_is_published_through_the_link(
    project: tuple[Path, Path], tmp_path: Path, pdf_cache: Path
) -> None:
    root, data = project
    webroot = tmp_path / "var" / "www" / "html"
    webroot.mkdir(parents=True)
    link = tmp_path / "site"
    link.symlink_to(webroot, target_is_directory=True)
    build(BuildConfig(data, link, TODAY, project_dir=root, cache_dir=pdf_cache, workers=1))
    assert link.is_symlink() and (webroot / "index.html").is_file()
    build(BuildConfig(data, link, TODAY.replace(day=29), project_dir=root, cache_dir=pdf_cache, workers=1))
    assert link.is_symlink() and "2026年11月29日" in (webroot / "whitelist" / "index.html").read_text("utf-8")
    assert not [p for p in webroot.parent.iterdir() if ".build-" in p.name or ".pdf-" in p.name]


def test_published_pdfs_share_no_bytes_with_the_cache(project: tuple[Path, Path], tmp_path: Path) -> None:
    root, data = project
    cache = tmp_path / "cache"
    first = BuildConfig(data, tmp_path / "a", TODAY, project_dir=root, cache_dir=cache, workers=1)
    build(first)
    pdf = first.out_dir / "forms" / "application.pdf"
    good = pdf.read_bytes()
    assert pdf.stat().st_nlink == 1
    with open(pdf, "r+b") as handle:  # an editor saving over the published file in place
        handle.write(b"%PDF-broken")
    build(BuildConfig(data, tmp_path / "b", TODAY, project_dir=root, cache_dir=cache, workers=1))
    assert (tmp_path / "b" / "forms" / "application.pdf").read_bytes() == good


def test_staging_left_by_a_killed_build_is_removed_foreign_folders_are_not(
    project: tuple[Path, Path], tmp_path: Path, pdf_cache: Path
) -> None:
    root, data = project
    killed = [tmp_path / ".site.build-k1l", tmp_path / ".site.pdf-9x"]
    for folder in killed:
        (folder / "site" / "staff").mkdir(parents=True)
        (folder / STAGING_MARKER).write_text("", encoding="utf-8")
        (folder / "site" / "staff" / "private.pdf").write_bytes(b"%PDF")
    foreign = tmp_path / ".site.build-notours"
    foreign.mkdir()
    build(BuildConfig(data, tmp_path / "site", TODAY, project_dir=root, cache_dir=pdf_cache, workers=1))
    assert not any(folder.exists() for folder in killed)
    assert foreign.is_dir()


def test_site_and_staff_are_published_both_or_neither(
    project: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_cache: Path
) -> None:
    root, data = project
    staff = tmp_path / "staff"
    config = BuildConfig(data, tmp_path / "site", TODAY, root, staff_dir=staff, cache_dir=pdf_cache, workers=1)
    build(config)
    before, staff_before = snapshot(config.out_dir), snapshot(tmp_path / "staff")
    original = write.Staging.publish

    def staff_fails(self: write.Staging) -> None:
        if self.out.name == "staff":
            raise OSError(28, "No space left on device")
        original(self)

    monkeypatch.setattr(write.Staging, "publish", staff_fails)
    with pytest.raises(OSError):
        build(replace(config, today=TODAY.replace(day=29)))
    assert snapshot(config.out_dir) == before and snapshot(tmp_path / "staff") == staff_before
    assert not [p for p in tmp_path.iterdir() if ".build-" in p.name]
