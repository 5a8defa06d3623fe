"""Cache stage: content-addressed outputs, so an unchanged PDF is never rendered twice and an
unchanged site is never rebuilt.

A PDF's key covers everything its bytes depend on: the generator, WeasyPrint and font versions,
the template with every template it extends or includes, its stylesheets, the sample flag and
the job's data. Change any of them and the key changes; the old entry is simply never read
again. Nothing is looked up by name, so a stale entry cannot be published.

The manifest of a published site records the key of its MkDocs inputs and of the whole build,
and the size and time of every file, so a rebuild can tell that nothing changed (and that nobody
touched the published files since) without rebuilding anything.
"""

from __future__ import annotations

import dataclasses
import hashlib
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

import weasyprint
from jinja2 import Environment, meta
from pydantic import BaseModel

from generator import __version__
from generator.render.forms import STYLESHEETS, PdfJob, forms_environment

CACHE_FORMAT = 1
PRUNE_AFTER_DAYS = 30
PDF_STORE = "pdf"
MANIFEST_STORE = "published"


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
    if value is None or isinstance(value, str | int | float | bool):
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


def fonts_fingerprint() -> str:
    """Which CJK font files fontconfig offers (a new or upgraded font changes every PDF)."""
    if shutil.which("fc-list") is None:
        return "no-fc-list"
    listed = subprocess.run(
        ["fc-list", "--format", "%{file}\n", ":lang=zh"], capture_output=True, text=True, check=False
    )
    files = sorted(set(listed.stdout.split()))
    return digest([(name, os.stat(name).st_size, os.stat(name).st_mtime_ns) for name in files if os.path.exists(name)])


class PdfCache:
    def __init__(self, root: Path, forms_dir: Path, sample: bool) -> None:
        self.folder = root / PDF_STORE
        self.folder.mkdir(parents=True, exist_ok=True)
        self.forms_dir = forms_dir
        self.env: Environment = forms_environment(forms_dir)
        self.base = digest(CACHE_FORMAT, __version__, weasyprint.__version__, fonts_fingerprint(), sample)
        self._templates: dict[tuple[str, str], tuple[str, frozenset[str]]] = {}
        self.used: set[str] = set()

    def variables(self, template: str) -> frozenset[str]:
        """Every variable the template or a template it uses reads: only these can change its bytes."""
        names: set[str] = set()
        assert self.env.loader is not None
        for name in self._closure(template, set()):
            source, _, _ = self.env.loader.get_source(self.env, name)
            names |= meta.find_undeclared_variables(self.env.parse(source))
        return frozenset(names)

    def _closure(self, name: str, seen: set[str]) -> list[str]:
        if name in seen:
            return []
        seen.add(name)
        assert self.env.loader is not None
        source, _, _ = self.env.loader.get_source(self.env, name)
        found = [name]
        for child in meta.find_referenced_templates(self.env.parse(source)):
            if child is not None:
                found += self._closure(child, seen)
        return found

    def template_key(self, template: str, style: str) -> tuple[str, frozenset[str]]:
        """The template, everything it extends or includes, its stylesheets; and the variables it reads."""
        if (template, style) not in self._templates:
            files = sorted(self._closure(template, set())) + sorted(STYLESHEETS[style])
            key = digest(*[(name, (self.forms_dir / name).read_bytes()) for name in files])
            self._templates[(template, style)] = (key, self.variables(template))
        return self._templates[(template, style)]

    def key(self, job: PdfJob) -> str:
        """Everything the PDF's bytes depend on, and nothing else: a variable the template never
        reads cannot make it render again."""
        template_key, variables = self.template_key(job.template, job.style)
        data = {name: value for name, value in job.context.items() if name in variables}
        return digest(self.base, template_key, job.template, job.style, canonical(data))

    @staticmethod
    def stores(root: Path) -> list[Path]:
        """The folders under a cache root that hold its entries (an output must not be one)."""
        return [root / PDF_STORE, root / MANIFEST_STORE]

    def path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.pdf"

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
        for path in self.folder.glob("*/*.pdf"):
            if path.stem not in self.used and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        return removed


@dataclasses.dataclass
class Manifest:
    """What is published at one output folder, and from which inputs."""

    build_key: str
    mkdocs_key: str
    mkdocs_files: dict[str, tuple[int, int]]  # relative path → (size, mtime_ns), the engine's output
    other_files: dict[str, tuple[int, int]]  # PDFs written after the engine ran

    @staticmethod
    def location(cache_root: Path, out: Path) -> Path:
        return cache_root / MANIFEST_STORE / f"{hashlib.sha256(str(out.absolute()).encode()).hexdigest()[:24]}.json"

    @classmethod
    def load(cls, cache_root: Path, out: Path) -> Manifest | None:
        path = cls.location(cache_root, out)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                data["build_key"],
                data["mkdocs_key"],
                {k: tuple(v) for k, v in data["mkdocs_files"].items()},
                {k: tuple(v) for k, v in data["other_files"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, cache_root: Path, out: Path) -> None:
        path = self.location(cache_root, out)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(dataclasses.asdict(self), ensure_ascii=False), encoding="utf-8")

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
        return self.matches(out, self.mkdocs_files) and self.matches(out, self.other_files)
