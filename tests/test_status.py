"""Working days and the status an enterprise has on a given date."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from generator.errors import InputError
from generator.inputs import Inputs, load_inputs
from generator.register.history import Standing, Status
from generator.register.load import parse_yaml
from generator.register.validate import check_holidays
from generator.register.workdays import UnknownYear, WorkCalendar, YearOverride
from tests.conftest import DATA

CALENDAR = WorkCalendar()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 9, 28), date(2026, 10, 9)),  # National Day inside the period
        (date(2026, 4, 30), date(2026, 5, 9)),  # Labour Day, ends on a make-up Saturday
        (date(2026, 2, 12), date(2026, 2, 25)),  # Spring Festival, make-up Saturday 2-14 counts
        (date(2022, 6, 6), date(2022, 6, 10)),  # an ordinary week
    ],
)
def test_five_working_days_known_answers(start: date, end: date) -> None:
    assert CALENDAR.notice_end(start, 5) == end


def test_departures_are_the_days_that_break_the_monday_to_friday_rule() -> None:
    """What pages carry to count working days: weekday holidays and weekend workdays only."""
    holidays, workdays = CALENDAR.departures(2026, 2026)
    assert date(2026, 10, 1) in holidays and date(2026, 10, 3) not in holidays  # a Saturday anyway
    assert workdays == sorted(workdays) and date(2026, 2, 14) in workdays  # the make-up Saturday
    assert all(day.weekday() < 5 for day in holidays) and all(day.weekday() >= 5 for day in workdays)
    assert len(holidays) + len(workdays) < 40
    day = date(2026, 1, 1)
    while day.year == 2026:
        expected = (day.weekday() < 5 and day not in holidays) or day in workdays
        assert CALENDAR.is_workday(day) == expected, day
        day += timedelta(days=1)


def test_publication_on_a_holiday_starts_counting_on_the_next_working_day() -> None:
    # 10-01 is a holiday: day 1 is 10-08, then 10-09, the make-up Saturday 10-10, 10-12, 10-13.
    assert CALENDAR.notice_end(date(2026, 10, 1), 5) == date(2026, 10, 13)


def test_one_working_day_on_a_working_day_is_that_day() -> None:
    assert CALENDAR.notice_end(date(2026, 11, 25), 1) == date(2026, 11, 25)


def test_a_year_the_library_does_not_know_is_an_error_naming_it() -> None:
    with pytest.raises(UnknownYear) as raised:
        CALENDAR.notice_end(date(2026, 12, 28), 5)
    assert raised.value.year == 2027
    assert "2027 年" in raised.value.message("data/holidays.yaml")


HOLIDAYS_2027 = textwrap.dedent(
    """\
    # 2027 年放假安排（示例）
    "2027":
      holidays: [2027-01-01]
      workdays: [2027-01-09]
    """
)


def test_holidays_file_supplies_unknown_years() -> None:
    overrides, problems = check_holidays(parse_yaml(HOLIDAYS_2027, "data/holidays.yaml"))
    assert problems == []
    calendar = WorkCalendar(overrides)
    # 12-28 … 12-31 are four working days, 2027-01-01 is a holiday, 01-04 is the fifth.
    assert calendar.notice_end(date(2026, 12, 28), 5) == date(2027, 1, 4)
    # The make-up Saturday counts.
    assert calendar.notice_end(date(2027, 1, 8), 2) == date(2027, 1, 9)


def test_override_wins_over_the_library() -> None:
    calendar = WorkCalendar({2026: YearOverride(frozenset({date(2026, 11, 26)}), frozenset())})
    assert calendar.notice_end(date(2026, 11, 25), 2) == date(2026, 11, 27)


def test_holidays_file_errors_are_located() -> None:
    text = '"27":\n  holidays: [2027-01-01]\n"2028":\n  holydays: [2028-01-01]\n  workdays: [2027-02-02]\n'
    _, problems = check_holidays(parse_yaml(text, "h.yaml"))
    assert [str(p) for p in problems] == [
        "h.yaml:1: 27: 应为四位年份（例如 2027），实际为“27”",
        "h.yaml:4: 2028.holydays: 未知字段“holydays”；是不是“holidays”？",
        "h.yaml:5: 2028.workdays[0]: 2027-02-02 不在 2028 年",
    ]


def test_a_round_in_an_unknown_year_builds_with_a_holidays_file(data_dir: Path) -> None:
    register = data_dir / "register.yaml"
    text = register.read_text(encoding="utf-8")
    text = text.replace(
        "enterprises:", '  - id: "2027-01"\n    title: 第五批\n    notice_start: 2027-01-04\n\nenterprises:', 1
    )
    register.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_inputs(data_dir)
    assert [p.code for p in raised.value.problems] == ["round.calendar"]
    assert "2027 年" in raised.value.problems[0].message
    (data_dir / "holidays.yaml").write_text(HOLIDAYS_2027, encoding="utf-8")
    inputs = load_inputs(data_dir)
    assert inputs.warnings == ()
    assert inputs.schedules["2027-01"].end == date(2027, 1, 8)


@pytest.fixture(scope="module")
def sample() -> Inputs:
    return load_inputs(DATA)


def standing_of(inputs: Inputs, name: str, on: date) -> Standing | None:
    enterprise = next(e for e in inputs.register.enterprises if e.name == name)
    return inputs.timelines[enterprise.uscc].standing(on)


def status_of(inputs: Inputs, name: str, on: date) -> Status | None:
    result = standing_of(inputs, name, on)
    return result.status if result else None


def test_status_follows_the_history_through_a_round(sample: Inputs) -> None:
    name = "新县青檀示例纺织有限公司"
    assert status_of(sample, name, date(2022, 5, 19)) is None
    assert status_of(sample, name, date(2022, 5, 20)) is Status.APPLYING
    assert status_of(sample, name, date(2022, 5, 25)) is Status.REVIEWING
    assert status_of(sample, name, date(2022, 6, 3)) is Status.REVIEWING  # approved, not yet published
    assert status_of(sample, name, date(2022, 6, 6)) is Status.NOTICE
    assert status_of(sample, name, date(2022, 6, 10)) is Status.NOTICE
    listed = standing_of(sample, name, date(2022, 6, 11))
    assert listed is not None and listed.status is Status.LISTED
    assert listed.period is not None and listed.period.listed_from == date(2022, 6, 11)


def test_removal_and_readmission(sample: Inputs) -> None:
    name = "新县山泉示例饮品有限公司"
    removed = standing_of(sample, name, date(2022, 9, 1))
    assert removed is not None and removed.status is Status.REMOVED
    assert removed.period is not None and removed.period.reason == "违反疫情防控政策规定"
    assert status_of(sample, name, date(2022, 10, 20)) is Status.APPLYING
    assert status_of(sample, name, date(2022, 11, 14)) is Status.NOTICE
    again = standing_of(sample, name, date(2026, 11, 28))
    assert again is not None and again.status is Status.LISTED
    assert [p.schedule.round.id for p in again.periods] == ["2022-01", "2022-03"]


def test_objection_upheld_during_the_notice(sample: Inputs) -> None:
    name = "新县丰源示例农产品加工有限公司"
    assert status_of(sample, name, date(2022, 8, 23)) is Status.NOTICE
    refused = standing_of(sample, name, date(2022, 8, 24))
    assert refused is not None and refused.status is Status.NOT_ADMITTED
    assert refused.is_public and refused.period is not None and refused.period.listed_from is None


def test_the_sample_has_a_round_in_notice_on_the_session_date(sample: Inputs) -> None:
    counts: dict[Status | None, int] = {}
    for enterprise in sample.register.enterprises:
        status = status_of(sample, enterprise.name, date(2026, 11, 28))
        counts[status] = counts.get(status, 0) + 1
    assert counts[Status.NOTICE] >= 3
    assert counts[Status.REMOVED] >= 2
    assert counts[Status.LISTED] >= 20


def test_a_new_application_waits_for_its_own_round_not_the_one_it_left(sample: Inputs) -> None:
    enterprise = next(e for e in sample.register.enterprises if e.name == "新县山泉示例饮品有限公司")
    timeline = sample.timelines[enterprise.uscc]
    pending = timeline.pending_round(date(2022, 6, 3))
    assert pending is not None and pending.id == "2022-01"
    assert timeline.pending_round(date(2022, 10, 25)) is None  # removed, then applied again
    again = timeline.pending_round(date(2022, 11, 12))
    assert again is not None and again.id == "2022-03"
