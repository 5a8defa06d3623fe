"""Write stage: output folders that can only ever replace what a build made, published by atomic swaps.

A build writes everything into `.<out>.build-*/` beside the output folder, and only when every
step has succeeded is the staged site exchanged with the published one (`renameat2` with
RENAME_EXCHANGE on Linux, so there is no moment without a site). A failed or interrupted build
leaves the published site exactly as it was. A lock file refuses a second build of the same output.

A swap deletes what was there, so before anything is touched every output is checked: it must be
absent, empty, or carry the marker a previous build wrote into it; it must not be a mount point
(a rename cannot replace one), nor overlap the data, the project, the cache or the other output.
An output that is a symbolic link is published through it: the swap happens beside its target.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.errors import BuildError

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100

# Written into every folder a build publishes, and into its staging folders: only folders that
# carry it are ever replaced or cleaned up.
OUTPUT_MARKER = ".wlsite-output"
STAGING_MARKER = ".wlsite-staging"
_MARKER_TEXT = "此文件夹由 wlsite 生成，重新生成时会被整个替换；请不要在其中存放其他文件。\n"


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the root it is written under (docs/ or the site), with forward slashes
    data: bytes


class OutputRefused(BuildError):
    """An output folder the build will not replace; nothing has been touched."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("\n".join(reasons))
        self.reasons = list(reasons)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the kernel or libc cannot."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


@dataclass(frozen=True)
class Output:
    """One folder a build publishes: as staff named it, and the real folder that is swapped."""

    label: str  # 网站输出文件夹, for messages
    requested: Path
    path: Path  # absolute; the target when `requested` is a symbolic link

    @classmethod
    def of(cls, label: str, requested: Path) -> Output:
        return cls(label, requested, requested.resolve())

    def shown(self) -> str:
        if self.requested.is_symlink():
            return f"{self.requested}（链接到 {self.path}）"
        return str(self.requested)


def is_marked(folder: Path) -> bool:
    return (folder / OUTPUT_MARKER).is_file()


def mark(folder: Path) -> None:
    (folder / OUTPUT_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")


def _overlap(a: Path, b: Path) -> str | None:
    """How two absolute, resolved paths overlap: 'same', 'inside' (a in b), 'contains', or None."""
    if a == b:
        return "same"
    if a.is_relative_to(b):
        return "inside"
    if b.is_relative_to(a):
        return "contains"
    return None


def refuse_unsafe(
    outputs: Sequence[Output],
    protected: Iterable[tuple[str, Path, frozenset[str]]],
) -> None:
    """Raise `OutputRefused` with every reason an output may not be replaced; touch nothing.

    `protected` lists (name, folder, overlaps refused): e.g. the project may contain the site
    (`site/`) but the site may not be the project or contain it.
    """
    reasons: list[str] = []
    resolved = [(name, folder.resolve(), refused) for name, folder, refused in protected]
    for output in outputs:
        reason = _refusal(output, resolved)
        if reason:
            reasons.append(reason)
    for index, first in enumerate(outputs):
        for second in outputs[index + 1 :]:
            relation = _overlap(first.path, second.path)
            if relation is not None:
                where = {"same": "与", "inside": "位于", "contains": "包含了"}[relation]
                tail = "是同一个文件夹" if relation == "same" else ""
                reasons.append(
                    f"{first.label} {first.shown()} {where}{second.label} {second.shown()}{tail}："
                    "两个输出文件夹必须互不包含。"
                )
    if reasons:
        raise OutputRefused(reasons)


def _refusal(output: Output, protected: list[tuple[str, Path, frozenset[str]]]) -> str | None:
    """The first reason this output may not be replaced (one line each, the gravest first)."""
    path, shown = output.path, output.shown()
    for name, folder, refused in protected:
        relation = _overlap(path, folder)
        if relation in refused:
            where = {"same": "就是", "inside": "位于", "contains": "包含了"}[relation]
            return f"{output.label} {shown} {where}{name} {folder}：生成时会删除其中的文件，已拒绝。"
    if path.exists() and not path.is_dir():
        return f"{output.label} {shown} 已存在且不是文件夹，未覆盖。"
    if path.is_dir() and os.path.ismount(path):
        return (
            f"{output.label} {shown} 是一个挂载点（例如 U 盘或网络盘的根目录），无法整体替换；"
            f"请在其中新建一个文件夹作为输出，例如 {output.requested / 'site'}。"
        )
    if path.is_dir() and any(path.iterdir()) and not is_marked(path):
        return (
            f"{output.label} {shown} 已存在，里面有不是 wlsite 生成的文件（没有标记文件 {OUTPUT_MARKER}）；"
            "生成网站会整个替换这个文件夹，为避免删除这些文件，已拒绝。"
            "请换一个新的或空的文件夹；如果确认里面是以前生成的网站，可以先手工删除它。"
        )
    return None


@dataclass
class Staging:
    out: Path  # the real folder to replace (symbolic links resolved)
    root: Path
    previous: Path | None = field(default=None, init=False)  # the replaced site, until cleanup

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def publish(self) -> None:
        """Swap the staged site in (marked as ours); the old one stays in the staging folder until
        cleanup, so `rollback` can put it back."""
        mark(self.site)
        if not self.out.exists():
            self.site.rename(self.out)
            return
        if not self.out.is_dir():
            raise BuildError(f"输出位置 {self.out} 已存在且不是文件夹，未覆盖。")
        if not _exchange(self.site, self.out):
            self.out.rename(self.root / "previous")
            self.site.rename(self.out)
            self.previous = self.root / "previous"
            return
        self.previous = self.site

    def rollback(self) -> None:
        """Undo `publish` (another output of the same build failed to publish)."""
        if self.previous is None:
            shutil.rmtree(self.out)
        elif not _exchange(self.previous, self.out):
            broken = self.root / "rolled-back"
            self.out.rename(broken)
            self.previous.rename(self.out)


def _remove_stale(parent: Path, name: str) -> None:
    """Staging folders of builds that were killed (`kill -9`, power loss): ours by name and
    marker, and only removed under the lock, so no running build owns them."""
    for prefix in (f".{name}.build-", f".{name}.pdf-"):
        for folder in parent.glob(f"{prefix}*"):
            if folder.is_dir() and not folder.is_symlink() and (folder / STAGING_MARKER).is_file():
                shutil.rmtree(folder, ignore_errors=True)


def scratch_folder(out: Path, kind: str) -> Path:
    """A marked temporary folder beside `out` (call under its lock)."""
    folder = Path(tempfile.mkdtemp(prefix=f".{out.name}.{kind}-", dir=out.parent))
    (folder / STAGING_MARKER).write_text(_MARKER_TEXT, encoding="utf-8")
    return folder


@contextlib.contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the output's lock, after removing what killed builds left beside it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"另一个构建正在写入 {out}（锁文件 {lock_path}）；请等它结束后再试。") from None
        _remove_stale(out.parent, out.name)
        yield


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Staging]:
    """A staging folder beside `out` (whose lock the caller holds), removed however the build ends."""
    root = scratch_folder(out, "build")
    try:
        yield Staging(out, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def publish_all(stages: Sequence[Staging]) -> None:
    """Publish every staged output, or none: a failure rolls back those already swapped in."""
    done: list[Staging] = []
    try:
        for stage in stages:
            stage.publish()
            done.append(stage)
    except BaseException:
        for stage in reversed(done):
            stage.rollback()
        raise


def write_files(root: Path, files: Iterable[OutputFile]) -> int:
    """Write every file under `root`; two files with one path, or a path leaving `root`, is a bug."""
    seen: set[PurePosixPath] = set()
    count = 0
    for file in files:
        path = PurePosixPath(file.path)
        if path.is_absolute() or ".." in path.parts:
            raise BuildError(f"生成的文件路径无效：{path}")
        if path in seen:
            raise BuildError(f"两个生成的文件使用了同一路径：{path}")
        seen.add(path)
        target = root.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
        count += 1
    return count


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link a file of the site being replaced into the new one (it is deleted after the swap,
    so the two never coexist as published files); copy across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def copy_file(source: Path, target: Path) -> None:
    """A private copy: cache entries are never hard-linked into a site, where editing a published
    file in place would corrupt the entry and every later build would publish the damage."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def copy_tree(source: Path, target: Path) -> None:
    """Hand-written files first; generated files are then refused if they collide with one."""
    shutil.copytree(source, target, dirs_exist_ok=False)


def collisions(root: Path, files: Iterable[OutputFile]) -> list[str]:
    return [f.path for f in files if (root / f.path).exists()]
