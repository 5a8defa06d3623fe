"""A government publication is never half-published: failed, interrupted or concurrent builds
leave the published site byte for byte as it was; the same inputs give the same bytes; hostile
guideline text is a located error, never a traceback."""

from __future__ import annotations

import fcntl
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build import BuildConfig, build
from generator.errors import BuildError, InputError
from generator.guideline.parse import decode, parse_text
from generator.publish import mkdocs_engine as site_stage
from tests.conftest import SEED, TODAY, small_project, snapshot


@pytest.fixture
def published(tmp_path: Path, pdf_cache: Path) -> tuple[BuildConfig, dict[str, bytes]]:
    root, data = small_project(tmp_path)
    staff = tmp_path / "staff"
    config = BuildConfig(data, tmp_path / "site", TODAY, root, staff_dir=staff, cache_dir=pdf_cache, workers=2)
    build(config)
    return config, snapshot(config.out_dir)


def leftovers(config: BuildConfig) -> list[str]:
    return [p.name for p in config.out_dir.parent.iterdir() if ".build-" in p.name]


def test_a_template_error_after_staging_leaves_the_site_untouched(
    published: tuple[BuildConfig, dict[str, bytes]],
) -> None:
    config, before = published
    template = config.forms_dir / "certificate.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace("{{ e.uscc }}", "{{ e.no_such_field.x }}"), "utf-8"
    )
    with pytest.raises(BuildError) as raised:
        build(config)
    assert "certificate.html.j2" in str(raised.value)
    assert snapshot(config.out_dir) == before
    assert leftovers(config) == []


def test_an_engine_failure_leaves_the_site_untouched(published: tuple[BuildConfig, dict[str, bytes]]) -> None:
    config, before = published
    (config.project_dir / "docs" / "broken.md").write_text("[链接](no-such-page.md)\n", encoding="utf-8")
    with pytest.raises(BuildError) as raised:
        build(replace(config, today=date(2026, 11, 29)))
    assert "MkDocs" in str(raised.value) and "no-such-page.md" in str(raised.value)
    assert snapshot(config.out_dir) == before
    assert leftovers(config) == []


def test_an_interrupted_build_leaves_the_site_untouched(
    published: tuple[BuildConfig, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    config, before = published
    engines: list[site_stage.MkDocsRun] = []
    original = site_stage.MkDocsRun.wait

    def interrupted(self: site_stage.MkDocsRun) -> None:
        engines.append(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(site_stage.MkDocsRun, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build(replace(config, today=date(2026, 11, 29)))
    monkeypatch.setattr(site_stage.MkDocsRun, "wait", original)
    assert engines and engines[0].process.poll() is not None  # the engine was stopped, not orphaned
    assert snapshot(config.out_dir) == before
    assert leftovers(config) == []


def test_two_builds_at_once_are_refused(published: tuple[BuildConfig, dict[str, bytes]]) -> None:
    config, before = published
    lock = config.out_dir.parent / f".{config.out_dir.name}.lock"
    with open(lock, "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        with pytest.raises(BuildError) as raised:
            build(replace(config, today=date(2026, 11, 29)))
    assert "另一个构建正在写入" in str(raised.value)
    assert snapshot(config.out_dir) == before


def test_the_same_inputs_give_the_same_bytes(published: tuple[BuildConfig, dict[str, bytes]], tmp_path: Path) -> None:
    config, before = published
    again = BuildConfig(config.data_dir, tmp_path / "again", TODAY, project_dir=config.project_dir,
                        staff_dir=tmp_path / "again-staff", workers=1)  # fmt: skip
    build(again)
    assert snapshot(again.out_dir) == before  # site, PDFs, zips, xlsx, sitemap, search index
    assert snapshot(again.staff_dir) == snapshot(config.staff_dir)  # type: ignore[arg-type]


text_or_seed = st.one_of(
    st.text(max_size=400),
    st.text(alphabet="一二三四五（）()、.．1234567890\n 第条红区", max_size=300),
    st.builds(
        lambda cut, insert: SEED.read_text(encoding="utf-8")[:cut] + insert,
        st.integers(min_value=0, max_value=10089),
        st.text(max_size=40),
    ),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text_or_seed)
def test_any_guideline_text_is_parsed_or_refused_with_a_location(text: str) -> None:
    try:
        guideline = parse_text(text, "g.txt")
    except InputError as error:
        assert error.problems and all(p.file == "g.txt" and p.message for p in error.problems)
        return
    assert len(guideline.parts) == 4 and guideline.articles


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes_are_decoded_or_refused_with_a_location(data: bytes) -> None:
    try:
        parse_text(decode(data, "g.txt"), "g.txt")
    except InputError as error:
        assert error.problems and all(p.file == "g.txt" and p.line >= 0 for p in error.problems)
