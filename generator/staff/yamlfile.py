"""Writing the register back as staff keep it: ruamel.yaml round trip, their indentation, and a
check that the edit touched nothing but what it meant to.

The register is hand-edited, so a tool that rewrites it must keep every comment, blank line and
quote. ruamel.yaml keeps them when it indents the way the file does; the indentation is read from
the file, and the result is compared line by line before anything is written.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import tempfile
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from generator.errors import InputError, Problem, display_path

_ITEM_RE = re.compile(r"^( *)- ")


def _yaml_for(text: str) -> YAML:
    """A round-trip YAML that indents sequences as this file does (`  - x` or `- x`)."""
    offset = next((len(match.group(1)) for line in text.splitlines() if (match := _ITEM_RE.match(line))), 2)
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line staff wrote on one
    yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
    return yaml


@dataclass
class EditableYaml:
    path: Path
    text: str
    data: Any
    yaml: YAML

    @classmethod
    def read(cls, path: Path) -> EditableYaml:
        source = display_path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError([Problem(source, 0, "", "文件不存在。")]) from None
        except UnicodeDecodeError:
            raise InputError([Problem(source, 0, "", "文件不是 UTF-8 编码：请用 UTF-8 保存。")]) from None
        yaml = _yaml_for(text)
        try:
            data = yaml.load(text)
        except MarkedYAMLError as error:
            line = error.problem_mark.line + 1 if error.problem_mark else 0
            raise InputError([Problem(source, line, "", f"YAML 无法读取：{error.problem}")]) from None
        return cls(path, text, data, yaml)

    def dump(self) -> str:
        buffer = io.StringIO()
        self.yaml.dump(self.data, buffer)
        return buffer.getvalue()

    def unexpected_changes(self, new_text: str, allowed_lines: AbstractSet[int] = frozenset()) -> list[str]:
        """Lines of the original that the new text changed or dropped (1-based), besides `allowed_lines`."""
        old = self.text.splitlines()
        new = new_text.splitlines()
        changed = []
        for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if tag in ("replace", "delete"):
                changed += [f"{n + 1}: {old[n]}" for n in range(i1, i2) if n + 1 not in allowed_lines]
        return changed

    def write(self, new_text: str) -> None:
        """Replace the file atomically, keeping its permissions."""
        mode = self.path.stat().st_mode & 0o777
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                stream.write(new_text)
            os.chmod(temporary, mode)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
