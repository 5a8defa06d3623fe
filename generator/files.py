"""Reading input files: regular files only, never more than a limit.

A data file may be a symbolic link to a regular file (staff keep registers elsewhere), but not a
device, a FIFO or a socket: `/dev/zero` would be read until memory runs out and a FIFO would
hang `check`. The size is checked before reading and enforced while reading, so a file that
grows meanwhile cannot slip past it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import InputError, Problem, display_path

MEGABYTE = 1024 * 1024


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, or a located `InputError`."""
    source = display_path(path)

    def refuse(code: str, message: str) -> InputError:
        return InputError([Problem(source, 0, "", message, code=code)])

    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise refuse("file.missing", "文件不存在。") from None
    except IsADirectoryError:
        raise refuse("file.not_regular", "这是一个文件夹，不是文件。") from None
    except OSError as error:
        raise refuse("file.unreadable", f"无法读取文件：{error.strerror}。") from None
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise refuse("file.not_regular", "不是普通文件（是设备、管道或套接字），不能作为数据读取。")
        if info.st_size > max_bytes:
            raise refuse("file.too_large", _too_large(info.st_size, max_bytes))
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise refuse("file.too_large", _too_large(len(data), max_bytes))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"文件过大：{size / MEGABYTE:.1f} MB，上限为 {limit // MEGABYTE} MB。"
