"""A scheduled live session says how long until it starts, in hours under a day."""

from __future__ import annotations

from datetime import timedelta

from events.live.models import SessionState
from participation.db import utcnow
from tests.events.live.factories import make_session


def test_scheduled_session_says_when_it_starts(client, event):
    s = make_session(
        event,
        state=SessionState.scheduled,
        went_live_at=None,
        scheduled_at=utcnow() + timedelta(hours=2, minutes=30),
    )
    assert "2 小时后开始" in client.get("/live/").get_data(as_text=True)
    assert "2 小时后开始" in client.get(f"/live/{s.id}").get_data(as_text=True)
    assert "starts in 2 hours" in client.get(f"/live/{s.id}?lang=en").get_data(as_text=True)
