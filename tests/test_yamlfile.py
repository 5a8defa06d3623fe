"""Writing the register back: the pieces spliced in read back as intended, whatever the layout.

The quick path takes each list item's span from the lines the loader recorded and reads back only
what it changed; these registers are laid out the ways staff write YAML by hand, so that any
span it gets wrong shows up as data that differs, not as a silently damaged file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from generator.register.load import parse_yaml
from generator.staff.yamlfile import RegisterFile


def enterprise(number: int) -> str:
    return (
        f'  - uscc: "9141152300000000{number:02d}"\n'
        f"    name: 示例{number}号有限公司\n"
        f"    history:\n"
        f"      - {{date: 2026-11-0{number % 9 + 1}, event: applied}}\n"
    )


PLAIN = "rounds:\n  - id: r1\n    title: 第一批\n    notice_start: 2026-11-02\nenterprises:\n" + "".join(
    enterprise(n) for n in range(1, 4)
)
LAYOUTS = {
    "plain": PLAIN,
    "comments and blank lines between items": PLAIN.replace(
        '  - uscc: "914115230000000002"', '\n  # 第二家\n\n  - uscc: "914115230000000002"'
    ),
    "a comment after the last item": PLAIN + "  # 以上为全部企业\n\n",
    "a comment at column 0 inside an item": PLAIN.replace("    name: 示例2号", "# 注意\n    name: 示例2号"),
    "enterprises before rounds": "enterprises:\n"
    + "".join(enterprise(n) for n in range(1, 4))
    + "rounds:\n  - id: r1\n    title: 第一批\n    notice_start: 2026-11-02\n",
    "items at column 0": "rounds:\n- id: r1\n  title: 第一批\n  notice_start: 2026-11-02\nenterprises:\n"
    + "".join(enterprise(n).replace("\n  ", "\n").removeprefix("  ") for n in range(1, 4)),
    "a block scalar ending in a line like a comment": PLAIN + "    address: |\n      新县\n      # 三号楼\n",
    "a dash on a line of its own": PLAIN.replace(
        '  - uscc: "914115230000000002"', '  -\n    uscc: "914115230000000002"'
    ),
    "an empty rounds list": PLAIN.replace(
        "rounds:\n  - id: r1\n    title: 第一批\n    notice_start: 2026-11-02\n", "rounds: []\n"
    ),
}


# Layouts whose every item starts on its dash line: the quick path must serve them.
QUICK = (
    "plain",
    "comments and blank lines between items",
    "a comment after the last item",
    "a comment at column 0 inside an item",
    "enterprises before rounds",
    "items at column 0",
)


def changes(data: dict[str, Any]) -> list[dict[str, Any]]:
    """A changed record, an appended one, both, and a new round."""
    edited = copy.deepcopy(data)
    edited["enterprises"][1]["name"] = "改名示例有限公司"
    grown = copy.deepcopy(data)
    grown["enterprises"].append(
        {
            "uscc": "914115230000000099",
            "name": "新增示例有限公司",
            "history": [{"date": "2026-11-20", "event": "applied"}],
        }
    )
    both = copy.deepcopy(grown)
    both["enterprises"][2]["name"] = "又一改名示例有限公司"
    rounds = copy.deepcopy(data)
    rounds["rounds"] = [*(rounds.get("rounds") or []), {"id": "r2", "title": "第二批", "notice_start": "2026-12-01"}]
    return [edited, grown, both, rounds]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_write_reads_back_as_the_merged_register(tmp_path: Path, layout: str) -> None:
    path = tmp_path / "register.yaml"
    path.write_text(LAYOUTS[layout], encoding="utf-8")
    register = RegisterFile(path)
    assert register.data["enterprises"], "the layout parses"
    for merged in changes(register.data):
        text, verified = register.render(merged)
        assert parse_yaml(text, "x").data == merged, (layout, text)
        kept = [line for line in LAYOUTS[layout].splitlines() if line.lstrip().startswith("#")]
        assert all(line in text.splitlines() for line in kept), "comments stay"
        if layout in QUICK:
            assert verified, "the pieces were read back on their own, without reading the whole file"
        if layout == "a dash on a line of its own" and merged["enterprises"] != register.data["enterprises"]:
            assert not verified  # no quick span for that list: the whole text is read back


def test_a_write_that_cannot_be_read_back_piece_by_piece_reads_the_whole_file(tmp_path: Path) -> None:
    """The block scalar's last line looks like a comment, so the quick span leaves it out: the
    piece does not read back as the record, so the spans are read from the events and the whole
    new text is read back."""
    path = tmp_path / "register.yaml"
    path.write_text(LAYOUTS["a block scalar ending in a line like a comment"], encoding="utf-8")
    register = RegisterFile(path)
    merged = copy.deepcopy(register.data)
    merged["enterprises"][2]["name"] = "改名示例有限公司"
    text, verified = register.render(merged)
    assert not verified and parse_yaml(text, "x").data == merged
