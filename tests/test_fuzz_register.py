"""Hypothesis: random edits to a valid register give located problems, never a crash."""

from __future__ import annotations

import copy
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import InputError
from generator.register.load import load_yaml, parse_yaml
from generator.register.validate import check_register, check_site
from generator.register.workdays import WorkCalendar
from tests.conftest import DATA

SOURCE = "data/register.yaml"
SAMPLE = load_yaml(DATA / "register.yaml").data
SITE, _ = check_site(load_yaml(DATA / "site.yaml"))

SPECIAL = [
    "", "0123", "no", "on", "true", "2022-13-01", "2026-02-30", "9999-99-99", "<b>x</b>", "\x07", "{{ x }}",
    "91411523MA9G12340J", "规上工业企业", "approved", "removed", "2022-01", "-1", "1e9", "NaN", "新集镇",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(SPECIAL),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
    st.dates(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated_registers(draw: st.DrawFn) -> str:
    """The sample register with one to four random edits: replace, delete, add a key, swap a type."""
    data = copy.deepcopy(SAMPLE)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        candidates = [p for p in paths(data) if p]
        if not candidates:  # everything deleted already
            break
        path = draw(st.sampled_from(candidates))
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add_key", "swap_type"]))
        key = path[-1]
        if action == "delete":
            del parent[key]
        elif action == "add_key" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(values)
        elif action == "swap_type":
            current = parent[key]
            parent[key] = [current] if not isinstance(current, list) else {"x": current}
        else:
            parent[key] = draw(values)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_registers())
def test_mutations_give_located_problems_never_a_crash(text: str) -> None:
    try:
        loaded = parse_yaml(text, SOURCE)
    except InputError as error:
        assert all(p.file == SOURCE and p.line >= 0 for p in error.problems)
        return
    checked, problems = check_register(loaded, SITE, WorkCalendar(), "data/holidays.yaml")
    for problem in problems:
        assert problem.file == SOURCE and problem.line >= 1 and problem.message
    if checked is None:
        assert problems


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_is_a_register_or_a_located_error(text: str) -> None:
    try:
        loaded = parse_yaml(text, SOURCE)
    except InputError as error:
        assert error.problems and all(p.file == SOURCE for p in error.problems)
        return
    check_register(loaded, SITE, WorkCalendar(), "data/holidays.yaml")
