"""Shared fixtures: the sample data, a fixed build date, and one built site per test session."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from generator.build import BuildConfig, build

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SEED = DATA / "guidelines" / "xinxian.txt"
TODAY = date(2026, 11, 28)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A private copy of the sample data that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built once for the session on the fixed date."""
    root = tmp_path_factory.mktemp("built")
    out = root / "site"
    build(BuildConfig(data_dir=DATA, out_dir=out, today=TODAY, staff_dir=root / "staff"))
    return out
