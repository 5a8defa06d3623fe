"""Hostile YAML: nothing expands, executes, recurses without bound or reads without limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.register.load import MAX_DEPTH, load_yaml, parse_yaml


def refusal(text: str) -> str:
    with pytest.raises(InputError) as raised:
        parse_yaml(text, "r.yaml")
    return str(raised.value)


def test_alias_bomb_is_refused_at_the_first_anchor_without_expanding() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    bomb += "".join(f"{chr(99 + i)}: &{chr(99 + i)} [{', '.join([f'*{chr(98 + i)}'] * 9)}]\n" for i in range(9))
    assert refusal(bomb) == "r.yaml:1: 不允许使用锚点（&a）：请把内容直接写出来。"


def test_python_tags_never_execute(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f"x: !!python/object/apply:os.system ['touch {marker}']\n"
    assert "不允许使用 YAML 标签（!!python/object/apply:os.system）" in refusal(text)
    assert not marker.exists()


def test_deep_nesting_is_refused() -> None:
    assert f"嵌套层次超过 {MAX_DEPTH} 层" in refusal("a: " + "[" * 200 + "]" * 200 + "\n")


def test_oversized_file_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "register.yaml"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # 50 MB, sparse
    reads: list[int] = []
    real = os.fdopen

    class Recorded:
        def __init__(self, descriptor: int, mode: str) -> None:
            self.handle = real(descriptor, mode)

        def __enter__(self) -> Recorded:
            return self

        def __exit__(self, *_: object) -> None:
            self.handle.close()

        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            data: bytes = self.handle.read(size)
            return data

    monkeypatch.setattr(os, "fdopen", Recorded)
    with pytest.raises(InputError) as raised:
        load_yaml(big)
    assert reads == []
    assert f"{big.as_posix()}: 文件过大：50.0 MB，上限为 32 MB。" == str(raised.value)


def test_non_utf8_register_is_located(tmp_path: Path) -> None:
    path = tmp_path / "register.yaml"
    path.write_bytes("rounds: []\n# 说明\n".encode("gb18030"))
    with pytest.raises(InputError) as raised:
        load_yaml(path)
    assert str(raised.value) == f"{path.as_posix()}:2: 文件不是 UTF-8 编码：请用 UTF-8 保存。"


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        load_yaml(tmp_path / "register.yaml")
    assert str(raised.value) == f"{(tmp_path / 'register.yaml').as_posix()}: 文件不存在。"


def test_private_fields_are_marked_in_the_model() -> None:
    from generator.register.models import Enterprise, private_paths

    assert private_paths(Enterprise) == ["contact", "history.note"]
