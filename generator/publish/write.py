"""Write stage: a staging folder next to the output, published by one atomic swap.

A build writes everything into `.<out>.build-*/` beside the output folder, and only when every
step has succeeded is the staged site exchanged with the published one (`renameat2` with
RENAME_EXCHANGE on Linux, so there is no moment without a site). A failed or interrupted build
leaves the published site exactly as it was. A lock file refuses a second build of the same output.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import BuildError
from generator.render.output import OutputFile

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the kernel or libc cannot."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(result == 0)


@dataclass
class Staging:
    out: Path
    root: Path

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def publish(self) -> None:
        """Swap the staged site in; the old one is removed afterwards."""
        if not self.out.exists():
            self.site.rename(self.out)
            return
        if not self.out.is_dir():
            raise BuildError(f"输出位置 {self.out} 已存在且不是文件夹，未覆盖。")
        if not _exchange(self.site, self.out):
            previous = self.root / "previous"
            self.out.rename(previous)
            self.site.rename(self.out)


@contextlib.contextmanager
def staging(out: Path) -> Iterator[Staging]:
    """A locked staging folder beside `out`, removed however the build ends."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.parent / f".{out.name}.lock"
    with open(lock_path, "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"另一个构建正在写入 {out}（锁文件 {lock_path}）；请等它结束后再试。") from None
        root = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
        try:
            yield Staging(out, root)
        finally:
            shutil.rmtree(root, ignore_errors=True)


def write_files(root: Path, files: Iterable[OutputFile]) -> int:
    """Write every file under `root`; two files with one path, or a path leaving `root`, is a bug."""
    seen: set[PurePosixPath] = set()
    count = 0
    for file in files:
        path = file.path
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


def copy_tree(source: Path, target: Path) -> None:
    """Hand-written files first; generated files are then refused if they collide with one."""
    shutil.copytree(source, target, dirs_exist_ok=False)


def collisions(root: Path, files: Iterable[OutputFile]) -> list[PurePosixPath]:
    return [f.path for f in files if root.joinpath(*f.path.parts).exists()]
