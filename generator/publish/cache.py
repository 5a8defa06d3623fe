"""Cache stage: content-addressed outputs, so an unchanged PDF is never rendered twice and an
unchanged site is never rebuilt.

An output's key covers everything its bytes depend on: the renderers' code (the generator's
version and a digest of its source), the versions of every package that shapes output, the font
files, the format's own key of the job (template files, stylesheets, the data the template
reads). Change any of them and the key changes; the old entry is simply never read again.
Nothing is looked up by name, so a stale entry cannot be published.

The manifest of a published site records the key of its engine inputs and of the whole build,
and the size and time of every file, so a rebuild can tell that nothing changed (and that nobody
touched the published files since) without rebuilding anything. A manifest or entry that cannot
be read is treated as absent and rebuilt.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

CACHE_FORMAT = 2
PRUNE_AFTER_DAYS = 30
OUTPUT_STORE = "pdf"
MANIFEST_STORE = "published"
GENERATOR = "wlsite"
# Distributions whose code turns a job into bytes (the site engine lists its own).
RENDERING_PACKAGES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "cssselect2",
    "Jinja2",
    "segno",
    "openpyxl",
    "fonttools",
    "pikepdf",
)


def canonical(value: Any) -> Any:
    """Plain JSON-able data with one spelling per value: the input of every cache key."""
    if isinstance(value, BaseModel):
        return canonical(value.model_dump())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: canonical(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): canonical(item) for key, item in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [canonical(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool | bytes):
        return value
    raise TypeError(f"cannot key {type(value).__name__}")


def _bytes_digest(value: object) -> str:
    if isinstance(value, bytes):
        return hashlib.sha256(value).hexdigest()
    raise TypeError(f"cannot key {type(value).__name__}")


def digest(*parts: object) -> str:
    """One SHA-256 over any mix of JSON-able values and bytes (nested bytes hashed in place)."""
    hasher = hashlib.sha256()
    for part in parts:
        data = (
            part
            if isinstance(part, bytes)
            else json.dumps(part, ensure_ascii=False, sort_keys=True, default=_bytes_digest).encode()
        )
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def versions(names: Iterable[str]) -> dict[str, str]:
    """Installed versions of distributions, from their metadata."""
    return {name: importlib.metadata.version(name) for name in names}


@functools.cache
def source_digest() -> str:
    """The generator's own code and templates: a change to a renderer changes every key it shapes,
    even when the version number was not raised."""
    package = Path(__file__).resolve().parents[1]
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".j2"))
    return digest([(p.relative_to(package).as_posix(), p.read_bytes()) for p in files])


def fonts_fingerprint() -> str:
    """Which CJK font files fontconfig offers (a new or upgraded font changes every PDF)."""
    if shutil.which("fc-list") is None:
        return "no-fc-list"
    listed = subprocess.run(
        ["fc-list", "--format", "%{file}\n", ":lang=zh"], capture_output=True, text=True, check=False
    )
    files = sorted(set(listed.stdout.split()))
    return digest([(name, os.stat(name).st_size, os.stat(name).st_mtime_ns) for name in files if os.path.exists(name)])


def renderer_fingerprint() -> str:
    """Everything besides a job that shapes rendered bytes: part of every output key."""
    return digest(CACHE_FORMAT, versions([GENERATOR, *RENDERING_PACKAGES]), source_digest(), fonts_fingerprint())


class Cache:
    """Rendered outputs by key, as files (so the largest builds never hold them in memory)."""

    def __init__(self, root: Path) -> None:
        self.folder = root / OUTPUT_STORE
        self.folder.mkdir(parents=True, exist_ok=True)
        self.used: set[str] = set()

    @staticmethod
    def stores(root: Path) -> list[Path]:
        """The folders under a cache root that hold its entries (an output must not be one)."""
        return [root / OUTPUT_STORE, root / MANIFEST_STORE]

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.bin"

    def get(self, key: str) -> Path | None:
        path = self.path(key)
        if path.is_file():
            self.used.add(key)
            return path
        return None

    def put(self, key: str, data: bytes) -> Path:
        path = self.path(key)
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
        self.used.add(key)
        return path

    def prune(self) -> int:
        """Drop entries this build did not use that were written more than a month ago."""
        limit = time.time() - PRUNE_AFTER_DAYS * 86400
        removed = 0
        for path in self.folder.glob("*/*.bin"):
            if path.stem not in self.used and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


@dataclasses.dataclass
class Manifest:
    """What is published at one output folder, and from which inputs."""

    build_key: str
    engine_key: str
    engine_files: dict[str, tuple[int, int]]  # relative path → (size, mtime_ns), the engine's output
    other_files: dict[str, tuple[int, int]]  # outputs written after the engine ran
    engine_state: str  # digest of what the engine kept of this build (its own file beside this one)

    @staticmethod
    def location(cache_root: Path, out: Path) -> Path:
        return cache_root / MANIFEST_STORE / f"{hashlib.sha256(str(out).encode()).hexdigest()[:24]}.json"

    @classmethod
    def load(cls, cache_root: Path, out: Path) -> Manifest | None:
        path = cls.location(cache_root, out)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(
                str(data["build_key"]),
                str(data["engine_key"]),
                {str(k): (int(v[0]), int(v[1])) for k, v in data["engine_files"].items()},
                {str(k): (int(v[0]), int(v[1])) for k, v in data["other_files"].items()},
                str(data["engine_state"]),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
            return None
        return manifest

    def save(self, cache_root: Path, out: Path) -> None:
        path = self.location(cache_root, out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dataclasses.asdict(self), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def save_engine_state(cls, cache_root: Path, out: Path, state: bytes) -> str:
        """Written before the manifest that names its digest: a state left by a build that did not
        finish never matches, and is never taken for the published site's."""
        path = cls.location(cache_root, out).with_suffix(".engine")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(state)
        return hashlib.sha256(state).hexdigest()

    def load_engine_state(self, cache_root: Path, out: Path) -> bytes | None:
        try:
            state = self.location(cache_root, out).with_suffix(".engine").read_bytes()
        except OSError:
            return None
        return state if hashlib.sha256(state).hexdigest() == self.engine_state else None

    @staticmethod
    def stat_files(root: Path, names: Iterable[str]) -> dict[str, tuple[int, int]]:
        stats = {}
        for name in names:
            info = (root / name).stat()
            stats[name] = (info.st_size, info.st_mtime_ns)
        return stats

    def matches(self, out: Path, files: dict[str, tuple[int, int]]) -> bool:
        """Whether the published files are still exactly what was published (nobody touched them)."""
        try:
            return all(
                ((out / name).stat().st_size, (out / name).stat().st_mtime_ns) == tuple(expected)
                for name, expected in files.items()
            )
        except OSError:
            return False

    def intact(self, out: Path) -> bool:
        return self.matches(out, self.engine_files) and self.matches(out, self.other_files)
