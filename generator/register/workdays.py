"""Working days for the 公示 period: 中国法定节假日 and 调休 workdays.

chinesecalendar supplies the official calendar but only for the years it knows (2004–2026 in
1.11.0); `data/holidays.yaml` may add or correct whole years. A date in a year neither knows is an
`UnknownYear`, never a silently wrong end date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar

CALENDAR_VERSION = chinese_calendar.__version__


@dataclass(frozen=True)
class YearOverride:
    """One year's schedule as published by the State Council."""

    holidays: frozenset[date]  # 放假 days that would otherwise be workdays
    workdays: frozenset[date]  # 调休 weekend days that are workdays


class UnknownYear(Exception):
    def __init__(self, year: int) -> None:
        super().__init__(year)
        self.year = year

    def message(self, overrides_file: str) -> str:
        return (
            f"计算公示期需要 {self.year} 年的法定节假日安排，但 chinesecalendar {CALENDAR_VERSION} 没有该年数据，"
            f"{overrides_file} 中也没有；请在 {overrides_file} 中补充 {self.year} 年的放假和调休日期（格式见 README），"
            "或升级 chinesecalendar。"
        )


class WorkCalendar:
    def __init__(self, overrides: Mapping[int, YearOverride] | None = None) -> None:
        self.overrides = dict(overrides or {})

    def is_workday(self, day: date) -> bool:
        override = self.overrides.get(day.year)
        if override is not None:
            if day in override.workdays:
                return True
            return day.weekday() < 5 and day not in override.holidays
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise UnknownYear(day.year) from None

    def notice_end(self, start: date, workdays: int) -> date:
        """The last day of a period of `workdays` working days published on `start`.

        The publication day is day 1 when it is a working day (how real notices count:
        for example 2026-09-28 with five working days ends on 2026-10-09, across National Day); a
        notice published on a holiday starts on the next working day.
        """
        if workdays < 1:
            raise ValueError(workdays)
        day, counted = start, 0
        while True:
            if self.is_workday(day):
                counted += 1
                if counted == workdays:
                    return day
            day += timedelta(days=1)

    def next_workday(self, after: date) -> date:
        day = after + timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def departures(self, first_year: int, last_year: int) -> tuple[list[date], list[date]]:
        """The days of the years that break the Monday–Friday rule: weekday holidays and
        weekend workdays (调休), each in date order. Pages count working days with these and
        the weekdays alone, so a page carries a few dozen dates instead of every day."""
        holidays: list[date] = []
        workdays: list[date] = []
        day, last = date(first_year, 1, 1), date(last_year, 12, 31)
        while day <= last:
            working, weekday = self.is_workday(day), day.weekday() < 5
            if weekday and not working:
                holidays.append(day)
            elif working and not weekday:
                workdays.append(day)
            day += timedelta(days=1)
        return holidays, workdays

    def workdays_between(self, first: date, last: date) -> int:
        """Working days from `first` to `last`, both included."""
        count, day = 0, first
        while day <= last:
            count += self.is_workday(day)
            day += timedelta(days=1)
        return count
