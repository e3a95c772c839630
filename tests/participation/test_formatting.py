"""Remaining times and window lengths: hours and minutes under a day, in both languages."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from participation.db import utcnow
from participation.formatting import duration, end_of_local_day, time_left, time_until

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=utcnow().tzinfo)

CASES = [
    # (time left, en, zh)
    (timedelta(minutes=5), "5 minutes left", "还剩 5 分钟"),
    (timedelta(minutes=59), "59 minutes left", "还剩 59 分钟"),
    (timedelta(minutes=1), "1 minute left", "还剩 1 分钟"),
    (timedelta(seconds=30), "less than a minute left", "还剩 不到 1 分钟"),
    (timedelta(hours=1), "1 hour left", "还剩 1 小时"),
    (timedelta(hours=23, minutes=59), "23 hours left", "还剩 23 小时"),
    (timedelta(days=1), "1 day left", "还剩 1 天"),
    (timedelta(days=1, hours=23), "1 day left", "还剩 1 天"),
    (timedelta(days=30), "30 days left", "还剩 30 天"),
    (timedelta(0), "time is up", "已截止"),
    (timedelta(minutes=-5), "time is up", "已截止"),
]


@pytest.mark.parametrize(("left", "en", "zh"), CASES)
def test_time_left_at_the_boundaries(app, left, en, zh):
    with app.test_request_context("/?lang=en"):
        assert time_left(NOW + left, NOW) == en
    with app.test_request_context("/?lang=zh"):
        assert time_left(NOW + left, NOW) == zh


def test_five_minutes_never_reads_as_a_day(app):
    # The bug: "还剩 1 天" with five minutes left, "征求意见期限为 0 天" for a short window.
    with app.test_request_context("/"):
        assert "天" not in time_left(NOW + timedelta(minutes=5), NOW)
        assert duration(timedelta(hours=6)) == "6 小时"
        assert duration(timedelta(minutes=45)) == "45 分钟"
        assert duration(timedelta(days=30)) == "30 天"


def test_time_until_a_start(app):
    with app.test_request_context("/?lang=en"):
        assert time_until(NOW + timedelta(hours=3), NOW) == "in 3 hours"
        assert time_until(NOW - timedelta(hours=3), NOW) == "any moment now"
    with app.test_request_context("/?lang=zh"):
        assert time_until(NOW + timedelta(days=2), NOW) == "2 天后"


def test_a_date_deadline_ends_at_midnight_beijing_time(app):
    # 2026-12-02 ends at 2026-12-02 16:00 UTC (Beijing is UTC+8).
    assert end_of_local_day(date(2026, 12, 2)) == datetime(2026, 12, 2, 16, 0, tzinfo=NOW.tzinfo)
