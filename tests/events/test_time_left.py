"""Sign-up deadlines and seat offers show hours (and minutes) when under a day."""

from __future__ import annotations

from datetime import timedelta

from participation.db import utcnow


def test_sign_up_closing_today_shows_hours_not_days(client, make_event):
    event = make_event(signup_closes_at=utcnow() + timedelta(hours=3, minutes=30))
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "还剩 3 小时" in html and "还剩 1 天" not in html
    en = client.get(f"/events/{event.id}?lang=en").get_data(as_text=True)
    assert "3 hours left" in en


def test_sign_up_opening_soon_says_in_how_long(client, make_event):
    now = utcnow()
    event = make_event(
        signup_opens_at=now + timedelta(minutes=45, seconds=30),
        signup_closes_at=now + timedelta(days=5),
    )
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "45 分钟后" in html
