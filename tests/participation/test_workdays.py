"""Tests for participation/workdays.py (official Chinese working-day calendar).

Holiday facts asserted here were checked against chinese_calendar 1.11 (which
matches the State Council notices for 2025), not taken from memory.
"""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from participation.workdays import (
    FIRST_COVERED_YEAR,
    LAST_COVERED_YEAR,
    add_workdays,
    deadline_info,
    is_covered,
    is_workday,
    workdays_between,
)


def days(start: date, end: date) -> list[date]:
    """Every date in [start, end]."""
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def first_monday(year: int) -> date:
    d = date(year, 1, 1)
    return d + timedelta(days=(7 - d.weekday()) % 7)


# --------------------------------------------------------------------------- coverage


def test_covered_range_matches_library():
    assert min(chinese_calendar.holidays).year == FIRST_COVERED_YEAR
    assert max(chinese_calendar.holidays).year == LAST_COVERED_YEAR
    assert FIRST_COVERED_YEAR <= 2025 <= LAST_COVERED_YEAR
    assert is_covered(date(2025, 10, 1))
    assert not is_covered(date(LAST_COVERED_YEAR + 1, 1, 1))
    assert not is_covered(date(FIRST_COVERED_YEAR - 1, 12, 31))


def test_agrees_with_library_for_all_of_2025():
    for d in days(date(2025, 1, 1), date(2025, 12, 31)):
        assert is_workday(d) == chinese_calendar.is_workday(d), d


# --------------------------------------------------------------------------- National Day 2025


def test_national_day_2025_holidays():
    for d in days(date(2025, 10, 1), date(2025, 10, 8)):
        assert not is_workday(d), d
    # Oct 6 is Mid-Autumn, folded into the same break; Oct 1-3 and 6-8 are weekdays.
    assert date(2025, 10, 6).weekday() == 0


def test_national_day_2025_make_up_workdays():
    assert date(2025, 9, 28).weekday() == 6  # Sunday
    assert date(2025, 10, 11).weekday() == 5  # Saturday
    assert is_workday(date(2025, 9, 28))
    assert is_workday(date(2025, 10, 11))
    # The neighbouring weekend days stay off.
    assert not is_workday(date(2025, 9, 27))
    assert not is_workday(date(2025, 10, 12))


def test_add_workdays_across_national_day_2025():
    assert add_workdays(date(2025, 9, 30), 1) == date(2025, 10, 9)
    assert add_workdays(date(2025, 9, 30), 3) == date(2025, 10, 11)  # make-up Saturday
    assert add_workdays(date(2025, 9, 30), 4) == date(2025, 10, 13)
    # Friday before the make-up Sunday: the next working day is that Sunday.
    assert add_workdays(date(2025, 9, 26), 1) == date(2025, 9, 28)
    # Starting inside the holiday.
    assert add_workdays(date(2025, 10, 3), 1) == date(2025, 10, 9)


def test_workdays_between_across_national_day_2025():
    # (Sep 30, Oct 12]: Oct 9, 10, 11.
    assert workdays_between(date(2025, 9, 30), date(2025, 10, 12)) == 3
    # Sep 26 (Fri) .. Oct 12: Sep 28, 29, 30, Oct 9, 10, 11.
    assert workdays_between(date(2025, 9, 26), date(2025, 10, 12)) == 6
    assert workdays_between(date(2025, 10, 1), date(2025, 10, 8)) == 0


# --------------------------------------------------------------------------- Spring Festival 2025


def test_spring_festival_2025():
    for d in days(date(2025, 1, 28), date(2025, 2, 4)):
        assert not is_workday(d), d
    assert is_workday(date(2025, 1, 26))  # make-up Sunday
    assert is_workday(date(2025, 2, 8))  # make-up Saturday
    assert is_workday(date(2025, 2, 5))


def test_fifteen_working_days_over_spring_festival():
    closed = date(2025, 1, 27)
    deadline = add_workdays(closed, 15)
    # Feb 5-8 (incl. make-up Sat), 10-14, 17-21, 24.
    assert deadline == date(2025, 2, 24)
    naive = closed
    for _ in range(15):
        naive += timedelta(days=1)
        while naive.weekday() >= 5:
            naive += timedelta(days=1)
    assert naive == date(2025, 2, 17)  # a plain Mon-Fri count would be a week early


# --------------------------------------------------------------------------- weekends


def test_ordinary_weekend_and_weekdays():
    # A quiet week in 2025 with no holiday rules: 2025-03-10 (Mon) .. 03-16 (Sun).
    week = days(date(2025, 3, 10), date(2025, 3, 16))
    assert [is_workday(d) for d in week] == [True] * 5 + [False] * 2


def test_add_workdays_skips_weekend():
    assert add_workdays(date(2025, 3, 14), 1) == date(2025, 3, 17)  # Fri -> Mon
    assert add_workdays(date(2025, 3, 15), 1) == date(2025, 3, 17)  # Sat -> Mon
    assert add_workdays(date(2025, 3, 10), 5) == date(2025, 3, 17)
    assert add_workdays(date(2025, 3, 10), 10) == date(2025, 3, 24)


def test_start_never_counts():
    # A working-day start is not "day 1".
    assert is_workday(date(2025, 3, 10))
    assert add_workdays(date(2025, 3, 10), 1) == date(2025, 3, 11)


def test_workdays_between_weekend():
    assert workdays_between(date(2025, 3, 14), date(2025, 3, 16)) == 0  # (Fri, Sun]
    assert workdays_between(date(2025, 3, 14), date(2025, 3, 17)) == 1
    assert workdays_between(date(2025, 3, 10), date(2025, 3, 17)) == 5


# --------------------------------------------------------------------------- n = 0, negatives


def test_add_zero_workdays_returns_start():
    assert add_workdays(date(2025, 3, 12), 0) == date(2025, 3, 12)
    assert add_workdays(date(2025, 10, 1), 0) == date(2025, 10, 1)  # even on a holiday


def test_add_negative_workdays_rejected():
    with pytest.raises(ValueError):
        add_workdays(date(2025, 3, 12), -1)


def test_workdays_between_same_day_is_zero():
    assert workdays_between(date(2025, 3, 12), date(2025, 3, 12)) == 0
    assert workdays_between(date(2025, 10, 1), date(2025, 10, 1)) == 0


def test_workdays_between_negative_range():
    assert workdays_between(date(2025, 3, 17), date(2025, 3, 10)) == -5
    assert workdays_between(date(2025, 10, 12), date(2025, 9, 30)) == -3
    a, b = date(2025, 1, 20), date(2025, 2, 20)
    assert workdays_between(b, a) == -workdays_between(a, b)


@pytest.mark.parametrize("n", [0, 1, 2, 5, 15, 30, 60])
@pytest.mark.parametrize(
    "start", [date(2025, 1, 24), date(2025, 9, 27), date(2025, 12, 31), date(2025, 3, 15)]
)
def test_add_and_between_are_inverse(start, n):
    end = add_workdays(start, n)
    assert workdays_between(start, end) == n
    if n:
        assert is_workday(end)
        assert workdays_between(start, end - timedelta(days=1)) == n - 1


def test_datetime_accepted():
    assert is_workday(datetime(2025, 10, 11, 9, 30))
    result = add_workdays(datetime(2025, 9, 30, 18, 0), 1)
    assert result == date(2025, 10, 9)
    assert type(result) is date
    assert workdays_between(datetime(2025, 9, 30, 23, 59), datetime(2025, 10, 12, 0, 1)) == 3


# --------------------------------------------------------------------------- fallback


def test_library_itself_raises_beyond_its_range():
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(LAST_COVERED_YEAR + 1, 3, 1))


def test_fallback_is_monday_to_friday_after_last_year():
    monday = first_monday(LAST_COVERED_YEAR + 1)
    week = days(monday, monday + timedelta(days=6))
    assert [is_workday(d) for d in week] == [True] * 5 + [False] * 2
    # New Year's Day is a statutory holiday, but without data a weekday counts.
    new_year = date(LAST_COVERED_YEAR + 1, 1, 1)
    assert is_workday(new_year) == (new_year.weekday() < 5)


def test_fallback_before_first_year():
    year = FIRST_COVERED_YEAR - 1
    for d in days(date(year, 6, 1), date(year, 6, 30)):
        assert is_workday(d) == (d.weekday() < 5)


def test_add_workdays_crosses_into_fallback():
    start = date(LAST_COVERED_YEAR, 12, 31)
    end = add_workdays(start, 10)
    assert end.year == LAST_COVERED_YEAR + 1
    assert end.weekday() < 5
    assert workdays_between(start, end) == 10
    # Ten Mon-Fri days after Dec 31 land at most 14 calendar days later.
    assert (end - start).days <= 14


def test_workdays_between_in_fallback_year():
    monday = first_monday(LAST_COVERED_YEAR + 1)
    assert workdays_between(monday, monday + timedelta(days=14)) == 10
    assert workdays_between(monday + timedelta(days=14), monday) == -10


# --------------------------------------------------------------------------- deadline_info


def test_deadline_info_before_deadline():
    # Consultation closed 2025-09-26 (Fri); reply due within 5 working days:
    # Sep 28 (make-up Sun), 29, 30, Oct 9, 10.
    deadline, left = deadline_info(date(2025, 9, 26), 5, today=date(2025, 9, 26))
    assert deadline == date(2025, 10, 10)
    assert left == 5
    assert deadline_info(date(2025, 9, 26), 5, today=date(2025, 10, 3)) == (deadline, 2)
    assert deadline_info(date(2025, 9, 26), 5, today=date(2025, 10, 9)) == (deadline, 1)


def test_deadline_info_on_deadline_day():
    assert deadline_info(date(2025, 9, 26), 5, today=date(2025, 10, 10)) == (
        date(2025, 10, 10),
        0,
    )


def test_deadline_info_overdue():
    closed = date(2025, 9, 26)
    deadline = date(2025, 10, 10)
    # Oct 11 is a make-up Saturday, so it is a full working day late.
    assert deadline_info(closed, 5, today=date(2025, 10, 11)) == (deadline, -1)
    # Oct 12 is a normal Sunday: still only one working day late.
    assert deadline_info(closed, 5, today=date(2025, 10, 12)) == (deadline, -1)
    assert deadline_info(closed, 5, today=date(2025, 10, 13)) == (deadline, -2)


def test_deadline_info_overdue_on_weekend_right_after_friday_deadline():
    # Deadline Fri 2025-03-14; the Saturday after has no working day elapsed
    # but must not read as "due today".
    deadline, left = deadline_info(date(2025, 3, 7), 5, today=date(2025, 3, 15))
    assert deadline == date(2025, 3, 14)
    assert left == -1
    assert deadline_info(date(2025, 3, 7), 5, today=date(2025, 3, 16))[1] == -1
    assert deadline_info(date(2025, 3, 7), 5, today=date(2025, 3, 17))[1] == -1
    assert deadline_info(date(2025, 3, 7), 5, today=date(2025, 3, 18))[1] == -2


def test_deadline_info_today_before_closing():
    deadline, left = deadline_info(date(2025, 3, 14), 1, today=date(2025, 3, 10))
    assert deadline == date(2025, 3, 17)
    assert left == 5  # Mar 11-14 and 17


def test_deadline_info_zero_days():
    assert deadline_info(date(2025, 3, 12), 0, today=date(2025, 3, 12)) == (date(2025, 3, 12), 0)
    assert deadline_info(date(2025, 3, 12), 0, today=date(2025, 3, 13)) == (date(2025, 3, 12), -1)


def test_deadline_info_accepts_datetimes():
    deadline, left = deadline_info(
        datetime(2025, 9, 30, 17, 0), 1, today=datetime(2025, 10, 9, 8, 0)
    )
    assert deadline == date(2025, 10, 9)
    assert left == 0
