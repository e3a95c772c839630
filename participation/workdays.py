"""Official Chinese working-day calendar for statutory deadlines ("within 15 working days").

Backed by the ``chinese_calendar`` package, which knows the State Council's statutory
holidays and make-up workdays (调休) for the years in :data:`FIRST_COVERED_YEAR` ..
:data:`LAST_COVERED_YEAR`. Outside that range — typically a year whose holiday schedule
was not yet published when the installed package was released — the calendar falls back
to plain Monday–Friday, so deadlines there may be off by the holidays of that year until
the package is upgraded. Use :func:`is_covered` to tell users when a date is an estimate.

A ``datetime`` is accepted wherever a ``date`` is and only its date part is used.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import chinese_calendar

__all__ = [
    "FIRST_COVERED_YEAR",
    "LAST_COVERED_YEAR",
    "add_workdays",
    "deadline_info",
    "is_covered",
    "is_workday",
    "workdays_between",
]

# Derived from the data rather than hard-coded so a package upgrade extends coverage.
FIRST_COVERED_YEAR: int = min(chinese_calendar.holidays).year
LAST_COVERED_YEAR: int = max(chinese_calendar.holidays).year

_ONE_DAY = timedelta(days=1)


def _as_date(d: date) -> date:
    # datetime is a date subclass; arithmetic on it would keep the time part.
    return d.date() if isinstance(d, datetime) else d


def is_covered(d: date) -> bool:
    """Whether ``d`` falls in a year with official holiday data (else Mon–Fri is assumed)."""
    return FIRST_COVERED_YEAR <= d.year <= LAST_COVERED_YEAR


def is_workday(d: date) -> bool:
    """Official working day: weekdays minus statutory holidays plus make-up workdays."""
    d = _as_date(d)
    if is_covered(d):
        return chinese_calendar.is_workday(d)
    return d.weekday() < 5


def add_workdays(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``; ``start`` itself never counts.

    ``n == 0`` returns ``start`` unchanged (even if it is not a working day).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    d = _as_date(start)
    while n:
        d += _ONE_DAY
        if is_workday(d):
            n -= 1
    return d


def workdays_between(a: date, b: date) -> int:
    """Working days in the half-open range ``(a, b]``; negated (days in ``(b, a]``) if ``b < a``.

    So ``workdays_between(start, add_workdays(start, n)) == n`` for every ``n >= 0``.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -workdays_between(b, a)
    count = 0
    d = a
    while d < b:
        d += _ONE_DAY
        count += is_workday(d)
    return count


def deadline_info(closed_at: date, n: int, today: date) -> tuple[date, int]:
    """Deadline ``n`` working days after ``closed_at`` and the working days left as of ``today``.

    Days left: positive before the deadline, ``0`` on it, negative once it has passed.
    When overdue the value is minus the working days elapsed since the deadline but at
    least ``-1``, so e.g. the Saturday after a Friday deadline already reads as overdue.
    """
    deadline = add_workdays(closed_at, n)
    today = _as_date(today)
    if today <= deadline:
        return deadline, workdays_between(today, deadline)
    return deadline, -max(1, workdays_between(deadline, today))
