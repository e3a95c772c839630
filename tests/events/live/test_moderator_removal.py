"""A moderator the organizer removes loses the live console on their very next action."""

from __future__ import annotations

import sqlalchemy as sa

from events.live.models import Question, QuestionStatus
from events.models import EventModerator
from participation.db import db
from tests.events.live.factories import add_question, call, received


def _moderator_row(event, user) -> EventModerator:
    return db.session.scalar(
        sa.select(EventModerator).where(
            EventModerator.event_id == event.id, EventModerator.user_id == user.id
        )
    )


def test_removed_moderator_is_refused_the_console_and_moderation(
    event, live, organizer, moderator, moderator2, resident, login_as, sio
):
    q = add_question(live, resident, status=QuestionStatus.pending)
    web = login_as(moderator)
    assert web.get(f"/live/{live.id}/console").status_code == 200
    socket = sio(moderator)  # already connected and joined as moderator
    assert call(socket, "join", {"session_id": live.id, "moderator": True})["ok"]

    row_id = _moderator_row(event, moderator).id
    resp = login_as(organizer).post(f"/events/{event.id}/moderators/{row_id}/delete")
    assert resp.status_code == 303

    # The same signed-in browser and the same open socket: refused on the next action.
    assert web.get(f"/live/{live.id}/console").status_code == 403
    ack = call(socket, "moderate", {"action": "approve", "question_id": q.id, "rev": 1})
    assert ack["status"] == 403
    assert call(socket, "snapshot", {"session_id": live.id, "moderator": True})["status"] == 403
    assert call(socket, "join", {"session_id": live.id, "moderator": True})["status"] == 403
    db.session.expire_all()
    assert db.session.get(Question, q.id).status == QuestionStatus.pending
    # The other moderator is untouched.
    assert login_as(moderator2).get(f"/live/{live.id}/console").status_code == 200


def test_a_removed_moderators_open_socket_stops_receiving_moderator_updates(
    event, live, organizer, moderator, moderator2, resident, login_as, sio
):
    """Rights are checked per action, but the room decides who hears pending questions."""
    q = add_question(live, resident, status=QuestionStatus.pending)
    removed, staying = sio(moderator), sio(moderator2)
    for socket in (removed, staying):
        assert call(socket, "join", {"session_id": live.id, "moderator": True})["ok"]
        socket.get_received("/live")

    row_id = _moderator_row(event, moderator).id
    assert (
        login_as(organizer).post(f"/events/{event.id}/moderators/{row_id}/delete").status_code
        == 303
    )
    # Both are told to join again; only the one still a moderator gets back in.
    assert received(removed, "mod_rejoin") == [{"session_id": live.id}]
    assert received(staying, "mod_rejoin") == [{"session_id": live.id}]
    assert call(removed, "join", {"session_id": live.id, "moderator": True})["status"] == 403
    assert call(staying, "join", {"session_id": live.id, "moderator": True})["ok"]
    removed.get_received("/live")
    staying.get_received("/live")

    ack = call(staying, "moderate", {"action": "approve", "question_id": q.id, "rev": 1})
    assert ack["ok"]
    assert received(staying, "mod_delta")  # the moderator stream goes on for moderators
    assert received(removed, "mod_delta") == []  # and no longer reaches the removed one
