"""Running a session: creating it, going live, pausing, ending, the Q&A switch, bans."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from events.models import Event
from events.services.permissions import require_event_moderator
from participation import audit
from participation.db import after_commit, db, utcnow
from participation.errors import Conflict, NotFound, ServiceError
from participation.models import User
from participation.safe_links import is_web_address

from ..models import LiveBan, LiveSession, QaState, SessionState, StreamKind
from .access import get_session, require_moderator
from .changes import Changes

# Which state changes are allowed, and what each action does.
TRANSITIONS = {
    "go_live": ({SessionState.scheduled, SessionState.paused}, SessionState.live),
    "pause": ({SessionState.live}, SessionState.paused),
    "end": ({SessionState.scheduled, SessionState.live, SessionState.paused}, SessionState.ended),
}


def _url(value: str, field: str) -> str:
    value = (value or "").strip()
    if value and not is_web_address(value):
        raise ServiceError(_("Please give a web address starting with https://."), field=field)
    if len(value) > 500:
        raise ServiceError(_("This address is too long."), field=field)
    return value


def create_session(
    user: User | None,
    event_id: int,
    *,
    title: str,
    scheduled_at: datetime,
    stream_url: str = "",
    stream_kind: str = "hls",
    replay_url: str = "",
    description: str = "",
    premoderation: bool = True,
) -> LiveSession:
    event = db.session.get(Event, event_id)
    if event is None:
        raise NotFound(_("This event does not exist."))
    user = require_event_moderator(user, event)
    title = (title or "").strip()
    if not 3 <= len(title) <= 200:
        raise ServiceError(_("Please give a title of 3 to 200 characters."), field="title")
    try:
        kind = StreamKind(stream_kind)
    except ValueError:
        raise ServiceError(_("Choose how the stream is played."), field="stream_kind") from None
    session = LiveSession(
        event_id=event.id,
        title=title,
        description=(description or "").strip()[:4000],
        scheduled_at=scheduled_at,
        stream_url=_url(stream_url, "stream_url"),
        stream_kind=kind,
        replay_url=_url(replay_url, "replay_url"),
        premoderation=premoderation,
        created_by_id=user.id,
    )
    db.session.add(session)
    db.session.flush()
    audit.record(user, "live.create", "live_session", session.id, data={"event": event.id})
    return session


def update_links(user: User | None, session_id: int, *, stream_url: str, replay_url: str) -> None:
    session = get_session(session_id, user)
    user = require_moderator(user, session)
    session.stream_url = _url(stream_url, "stream_url")
    session.replay_url = _url(replay_url, "replay_url")
    audit.record(user, "live.links", "live_session", session.id)
    Changes(session).session_state().publish()


def set_state(user: User | None, session_id: int, action: str) -> LiveSession:
    session = get_session(session_id, user)
    user = require_moderator(user, session)
    if action not in TRANSITIONS:
        raise ServiceError(_("Unknown action."), field="action")
    allowed, target = TRANSITIONS[action]
    if session.state not in allowed:
        raise Conflict(_("The session cannot do this in its current state."))
    session.state = target
    now = utcnow()
    if target == SessionState.live and session.went_live_at is None:
        session.went_live_at = now  # the zero of every replay offset
    if target == SessionState.ended:
        session.ended_at = now
        session.qa_state = QaState.closed
        session.on_screen_question_id = None
        sid = session.id

        def file_comments() -> None:
            from ..tasks import file_questions_as_comments

            file_questions_as_comments.delay(sid)

        after_commit(file_comments)
    audit.record(user, f"live.{action}", "live_session", session.id)
    Changes(session).session_state().publish()
    return session


def set_qa_state(user: User | None, session_id: int, state: str) -> LiveSession:
    session = get_session(session_id, user)
    user = require_moderator(user, session)
    try:
        target = QaState(state)
    except ValueError:
        raise ServiceError(_("Unknown Q&A state."), field="state") from None
    if session.state == SessionState.ended and target != QaState.closed:
        raise Conflict(_("The session has ended; its Q&A stays closed."))
    session.qa_state = target
    audit.record(user, "live.qa_state", "live_session", session.id, data={"state": target.value})
    Changes(session).session_state().publish()
    return session


def ban(user: User | None, session_id: int, target_user_id: int, reason: str = "") -> LiveBan:
    session = get_session(session_id, user)
    user = require_moderator(user, session)
    target = db.session.get(User, target_user_id)
    if target is None:
        raise NotFound(_("This participant does not exist."))
    if target.id == user.id:
        raise ServiceError(_("You cannot ban yourself."))
    existing = db.session.scalar(
        sa.select(LiveBan).where(LiveBan.session_id == session.id, LiveBan.user_id == target.id)
    )
    if existing is not None:
        return existing
    item = LiveBan(
        session_id=session.id, user_id=target.id, reason=(reason or "")[:300], banned_by_id=user.id
    )
    db.session.add(item)
    audit.record(
        user, "live.ban", "user", target.id, reason=item.reason, data={"session": session.id}
    )
    Changes(session).bans().publish()  # moderators see the ban list change
    return item


def unban(user: User | None, session_id: int, target_user_id: int) -> None:
    session = get_session(session_id, user)
    user = require_moderator(user, session)
    deleted = db.session.execute(
        sa.delete(LiveBan).where(
            LiveBan.session_id == session.id, LiveBan.user_id == target_user_id
        )
    ).rowcount
    if deleted:
        audit.record(user, "live.unban", "user", target_user_id, data={"session": session.id})
        Changes(session).bans().publish()
