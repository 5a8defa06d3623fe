"""The build cache: a change re-renders exactly what depends on it; stale output is never published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from generator.build import BuildConfig, BuildReport, build
from tests.conftest import TODAY, small_project


@dataclass
class Project:
    root: Path  # a copy of the project's mkdocs.yml, docs/ and forms/
    data: Path
    out: Path
    cache: Path

    def build(self, today: date = TODAY) -> BuildReport:
        return build(BuildConfig(self.data, self.out, today, project_dir=self.root, cache_dir=self.cache, workers=2))

    def pdfs(self) -> dict[str, bytes]:
        return {p.relative_to(self.out).as_posix(): p.read_bytes() for p in self.out.rglob("*.pdf")}


@pytest.fixture
def project(tmp_path: Path) -> Project:
    # Ten enterprises are enough to tell what re-renders, and keep these builds quick.
    root, data = small_project(tmp_path)
    return Project(root, data, tmp_path / "site", tmp_path / "cache")


def test_an_unchanged_rebuild_does_nothing(project: Project) -> None:
    first = project.build()
    assert first.rendered == first.pdfs and first.mkdocs_ran and not first.unchanged
    before = {p: p.stat().st_mtime_ns for p in project.out.rglob("*")}
    second = project.build()
    assert second.unchanged and second.rendered == 0 and not second.mkdocs_ran
    assert {p: p.stat().st_mtime_ns for p in project.out.rglob("*")} == before


def test_a_template_change_re_renders_exactly_its_pdfs(project: Project) -> None:
    project.build()
    before = project.pdfs()
    certificates = [name for name in before if name.endswith("-certificate.pdf")]
    template = project.root / "forms" / "certificate.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("特此证明。", "特此证明（新版）。"), "utf-8")
    report = project.build()
    assert report.rendered == len(certificates)
    assert not report.mkdocs_ran  # the site's pages did not change
    after = project.pdfs()
    assert sorted(name for name in before if before[name] != after[name]) == sorted(certificates)


def test_a_record_change_re_renders_what_shows_it(project: Project) -> None:
    project.build()
    before = project.pdfs()
    register = project.data / "register.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("name: 新县红叶示例服饰有限公司", "name: 新县红叶示例服装有限公司"), "utf-8")
    report = project.build()
    assert report.mkdocs_ran
    after = project.pdfs()
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert len(changed) == 3 and report.rendered == 3
    assert changed[0] == "notices/2022-01.pdf"  # the round's notice lists its name
    assert {name.rsplit("-", 1)[1] for name in changed[1:]} == {"certificate.pdf", "commitment.pdf"}


def test_a_field_no_pdf_shows_re_renders_nothing(project: Project) -> None:
    project.build()
    register = project.data / "register.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("main_products: 工装、校服", "main_products: 工装、校服、防护服"), "utf-8")
    report = project.build()
    assert report.rendered == 0 and report.mkdocs_ran  # the verification page shows it; no PDF does


def test_a_new_build_date_re_renders_only_what_carries_it(project: Project) -> None:
    first = project.build()
    report = project.build(date(2026, 11, 30))
    assert 0 < report.rendered < first.rendered
    assert report.rendered == 7  # the blank forms carry the build date; certificates carry their own


def test_a_new_generator_version_re_renders_everything(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    first = project.build()
    monkeypatch.setattr("generator.publish.cache.__version__", "99.0.0")
    assert project.build().rendered == first.rendered


def test_a_touched_published_site_is_rebuilt_not_trusted(project: Project) -> None:
    project.build()
    page = project.out / "index.html"
    good = page.read_bytes()
    page.write_text("tampered", encoding="utf-8")
    report = project.build()
    assert not report.unchanged
    assert page.read_bytes() == good


def test_the_cache_gives_the_same_site_as_no_cache(project: Project, tmp_path: Path) -> None:
    project.build()
    project.build(date(2026, 11, 30))  # some PDFs from the cache, some rendered
    cached = project.pdfs()
    fresh = tmp_path / "fresh"
    build(BuildConfig(project.data, fresh, date(2026, 11, 30), project_dir=project.root, cache_dir=None, workers=2))
    assert {p.relative_to(fresh).as_posix(): p.read_bytes() for p in fresh.rglob("*.pdf")} == cached
