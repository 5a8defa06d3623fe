"""The build cache: a change re-renders exactly what depends on it; stale output is never published."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pytest

from bench.synthetic import register_yaml
from generator.build import BuildConfig, BuildReport, build
from generator.inputs import load_inputs
from generator.model.staff import gather_staff
from generator.publish import cache, mkdocs_engine
from generator.publish.cache import GENERATOR, RENDERING_PACKAGES, renderer_fingerprint
from generator.publish.engine import SiteFacts
from generator.publish.mkdocs_engine import ENGINE
from generator.publish.mkdocs_engine import PACKAGES as ENGINE_PACKAGES
from generator.register.events import EventKind
from generator.render import kit
from tests.conftest import DATA, ROOT, TODAY, small_project, snapshot


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
    assert first.rendered == first.pdfs and first.engine_ran and not first.unchanged
    before = {p: p.stat().st_mtime_ns for p in project.out.rglob("*")}
    second = project.build()
    assert second.unchanged and second.rendered == 0 and not second.engine_ran
    assert {p: p.stat().st_mtime_ns for p in project.out.rglob("*")} == before


def test_a_template_change_re_renders_exactly_its_pdfs(project: Project) -> None:
    project.build()
    before = project.pdfs()
    certificates = [name for name in before if name.endswith("-certificate.pdf")]
    template = project.root / "forms" / "certificate.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace("特此证明。", "特此证明（新版）。"), "utf-8")
    report = project.build()
    assert report.rendered == len(certificates)
    assert not report.engine_ran  # the site's pages did not change
    after = project.pdfs()
    assert sorted(name for name in before if before[name] != after[name]) == sorted(certificates)


def test_a_record_change_re_renders_what_shows_it(project: Project) -> None:
    project.build()
    before = project.pdfs()
    register = project.data / "register.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("name: 新县红叶示例服饰有限公司", "name: 新县红叶示例服装有限公司"), "utf-8")
    report = project.build()
    assert report.engine_ran
    after = project.pdfs()
    changed = sorted(name for name in after if before.get(name) != after[name])
    assert len(changed) == 2 and report.rendered == 2
    assert changed[0] == "notices/2022-01.pdf"  # the round's notice lists its name
    assert changed[1].endswith("-certificate.pdf")


def test_a_field_no_pdf_shows_re_renders_nothing(project: Project) -> None:
    project.build()
    register = project.data / "register.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace("main_products: 工装、校服", "main_products: 工装、校服、防护服"), "utf-8")
    report = project.build()
    assert report.rendered == 0 and report.engine_ran  # the verification page shows it; no PDF does


def test_a_new_build_date_re_renders_only_what_carries_it(project: Project) -> None:
    first = project.build()
    report = project.build(date(2026, 11, 30))
    assert 0 < report.rendered < first.rendered
    assert report.rendered == 7  # the blank forms carry the build date; certificates carry their own


def test_staff_forms_carry_their_applications_date_not_the_builds() -> None:
    """A rebuild on a later day plans the same staff forms, so none is rendered again; each is
    dated by its enterprise's latest 申报."""
    inputs = load_inputs(DATA)
    days = (TODAY, date(2026, 11, 30))
    plans = [kit.staff_plan(gather_staff(inputs, day), inputs.site, inputs.guideline) for day in days]
    assert plans[0] and plans[0] == plans[1]
    history = {enterprise.uscc: enterprise.history for enterprise in inputs.register.enterprises}
    for job in plans[0]:
        applied = [event.date for event in history[job.data["e"].uscc] if event.event is EventKind.APPLIED]
        assert job.data["document_date"] == applied[-1], job.path


FACTS = SiteFacts("站", "https://example.gov.cn/", "说明", "页脚", True, ("新县",), TODAY)


def pretend_upgraded(monkeypatch: pytest.MonkeyPatch, package: str) -> None:
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "999.0" if name == package else real(name))


@pytest.mark.parametrize("package", sorted({GENERATOR, *RENDERING_PACKAGES, *ENGINE_PACKAGES}))
def test_every_package_that_shapes_the_output_is_in_its_key(package: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PDF keys hold the generator and the rendering packages; the engine key its own packages."""
    pdf_key, engine_key = renderer_fingerprint(), ENGINE.fingerprint(ROOT, FACTS)
    pretend_upgraded(monkeypatch, package)
    assert (renderer_fingerprint() != pdf_key) == (package in (GENERATOR, *RENDERING_PACKAGES))
    assert (ENGINE.fingerprint(ROOT, FACTS) != engine_key) == (package in ENGINE_PACKAGES)


def test_generator_code_fonts_and_engine_configuration_are_in_the_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf_key = renderer_fingerprint()
    monkeypatch.setattr(cache, "source_digest", lambda: "edited renderer")
    assert renderer_fingerprint() != pdf_key
    monkeypatch.undo()
    monkeypatch.setattr(cache, "fonts_fingerprint", lambda: "another font file")
    assert renderer_fingerprint() != pdf_key
    engine_key = ENGINE.fingerprint(ROOT, FACTS)
    assert ENGINE.fingerprint(ROOT, replace(FACTS, search_words=("新县", "茶业"))) != engine_key


def test_a_new_renderer_version_re_renders_every_pdf_not_the_site(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = project.build()
    pretend_upgraded(monkeypatch, "weasyprint")
    again = project.build()
    assert again.rendered == first.rendered and not again.engine_ran


def test_a_new_engine_version_or_plugin_setting_rebuilds_the_site_not_the_pdfs(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.build()
    pretend_upgraded(monkeypatch, "mkdocs-material")
    again = project.build()
    assert again.engine_ran and again.rendered == 0
    monkeypatch.undo()
    config = project.root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("  offline: {}", "  offline:\n    enabled: true"), "utf-8"
    )
    third = project.build()
    assert third.engine_ran and third.rendered == 0


def test_a_new_repair_of_the_engines_output_rebuilds_the_site(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The repairs after MkDocs (toggles, query segmentation, the UTF-8 index, the 404 page) shape
    its files: a site made before a repair changed is not reused after it."""
    project.build()
    changed = tmp_path / "mkdocs_engine.py"
    changed.write_bytes(Path(mkdocs_engine.__file__).read_bytes() + b"\n# a new repair\n")
    monkeypatch.setattr(mkdocs_engine, "__file__", str(changed))
    again = project.build()
    assert again.engine_ran and again.rendered == 0


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


# --- pages reused from the published site ------------------------------------------------------------


def test_a_later_round_reuses_unchanged_pages_and_publishes_a_full_builds_bytes(tmp_path: Path) -> None:
    """A round adds enterprises and is built on a later day: the engine takes every page it can from
    the published site, and the site is byte for byte what a full build of the same inputs makes."""
    root, data = small_project(tmp_path)
    register = data / "register.yaml"
    register.write_text(register_yaml(24), encoding="utf-8")
    site = tmp_path / "site"

    def config(out: Path, cache_dir: Path, day: date) -> BuildConfig:
        return BuildConfig(data, out, day, project_dir=root, cache_dir=cache_dir, workers=2)

    first = build(config(site, tmp_path / "cache", TODAY))
    assert first.engine_reused == 0
    register.write_text(register_yaml(24, extra_round=6), encoding="utf-8")
    later = date(2026, 11, 30)
    reused = build(config(site, tmp_path / "cache", later))
    full = build(config(tmp_path / "full", tmp_path / "other-cache", later))
    assert full.engine_reused == 0
    # The 24 verification pages and the closed rounds' notices are reused; the 6 new pages, the
    # pages in the navigation and the open notice (its days left changed) are rendered.
    assert 24 <= reused.engine_reused < reused.pages - 6
    assert snapshot(site) == snapshot(tmp_path / "full")


def test_a_new_title_in_the_navigation_is_shown_by_every_page(project: Project, tmp_path: Path) -> None:
    """Every page shows the navigation, and a page listed without a title in mkdocs.yml lends it its
    own heading: when that heading changes, no earlier page may be reused with the old one."""
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - 关于本站: about.md", "  - about.md"), "utf-8")
    project.build()
    about = project.root / "docs" / "about.md"
    about.write_text(about.read_text(encoding="utf-8").replace("# 关于本站", "# 关于这个网站"), "utf-8")
    later = date(2026, 11, 30)
    again = project.build(later)
    assert again.engine_ran and again.engine_reused == 0
    fresh = tmp_path / "fresh"
    build(BuildConfig(project.data, fresh, later, project_dir=project.root, cache_dir=tmp_path / "c2", workers=2))
    assert snapshot(project.out) == snapshot(fresh)
    pages = [p for p in (project.out / "whitelist").glob("*.html") if p.name != "index.html"]
    assert pages and all("关于这个网站" in p.read_text(encoding="utf-8") for p in pages)


def test_an_engine_state_that_is_not_the_published_sites_is_not_used(project: Project) -> None:
    """What the engine keeps of a build is named by the manifest; a state left by another build (or
    damaged) would describe pages that are not the published ones, so nothing is reused."""
    project.build()
    state = next((project.cache / "published").glob("*.engine"))
    state.write_bytes(state.read_bytes().replace(b'"nav": false', b'"nav": true', 1))
    again = project.build(date(2026, 11, 30))
    assert again.engine_ran and again.engine_reused == 0
    assert project.build(date(2026, 12, 1)).engine_reused > 0


def reuse_state(pages: list[dict[str, object]], words: list[str]) -> dict[str, object]:
    return {"format": mkdocs_engine.STATE_FORMAT, "layout": "L", "nav": [], "words": words, "pages": pages}


def page_record(source: str, *, nav: bool = False) -> dict[str, object]:
    url = source.replace(".md", ".html")
    return {"src": source, "url": url, "nav": nav, "digest": source, "anchors": [], "links": {}}


def test_a_page_is_reused_only_if_nothing_it_depends_on_changed(tmp_path: Path) -> None:
    names = ["whitelist/a.md", "whitelist/b.md", "whitelist/c.md", "guide/index.md"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name.replace(".md", ".html")).write_text("page", encoding="utf-8")
    pages = [*(page_record(name) for name in names[:3]), page_record(names[3], nav=True)]
    index = {
        "docs": [
            {"location": "whitelist/a.html", "title": "青檀\u200b纺织", "text": ""},
            {"location": "whitelist/b.html#history", "title": "历史", "text": "云杉\u200b木业"},
        ]
    }
    sources = {name: name for name in names} | {"whitelist/new.md": "new"}

    def reused(state: dict[str, object], sources: dict[str, str], words: tuple[str, ...]) -> list[str]:
        found = mkdocs_engine._reusable_pages(tmp_path, state, index, "L", sources, words)
        return sorted(found.pages)

    state = reuse_state(pages, ["云杉"])
    assert reused(state, sources, ("云杉",)) == names[:3]  # never a page in the navigation
    # A new dictionary word re-cuts the pages whose indexed text has it, across jieba's marks.
    assert reused(state, sources, ("云杉", "青檀纺织")) == ["whitelist/b.md", "whitelist/c.md"]
    assert reused(state, sources, ()) == ["whitelist/a.md", "whitelist/c.md"]  # a word dropped
    assert reused(state, sources | {"whitelist/c.md": "edited"}, ("云杉",)) == names[:2]
    assert reused(state, {k: v for k, v in sources.items() if k != "whitelist/c.md"}, ("云杉",)) == []
    assert reused({**state, "layout": "another"}, sources, ("云杉",)) == []
    (tmp_path / "whitelist" / "a.html").unlink()
    assert reused(state, sources, ("云杉",)) == names[1:3]


def test_the_dictionary_total_does_not_grow_with_the_user_words(tmp_path: Path) -> None:
    """jieba prices every word of a cut by log(total), and each user word adds to the total: pinned,
    the cut of a text depends only on the dictionary words it contains."""
    words = tmp_path / "userdict.txt"
    words.write_text("".join(f"示例词{i} 20000 nz\n" for i in range(1000)), encoding="utf-8")
    script = f"""
import importlib.util, jieba
spec = importlib.util.spec_from_file_location("hooks", {str(mkdocs_engine.HOOKS)!r})
hooks = importlib.util.module_from_spec(spec); spec.loader.exec_module(hooks)
hooks.on_startup(command="build", dirty=False)
base = jieba.dt.total
jieba.load_userdict({str(words)!r})
grown = jieba.dt.total
hooks.on_config(None)
print(grown - base, jieba.dt.total - base)
"""
    shown = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert shown.split() == ["20000000", "0"]
