"""Every /live event, fuzzed with hostile values: each answers its ack with a clear 4xx
error, never a 500 and never silence, and nothing half-written is stored."""

from __future__ import annotations

import itertools

import sqlalchemy as sa

from events.live.models import Question
from events.live.sockets import CONTROL_ACTIONS, MOD_ACTIONS, LiveNamespace
from participation.db import db
from tests.events.live.factories import add_question, call

HOSTILE_TEXT = [
    "问\x00题",
    "abc\ud800def",
    "\u202eevil\u202c",
    "😀" * 10_000,
    "\x1b[31m",
    "",
]
HOSTILE_NUMBERS = [-1, 0, 2**31, 2**63, 10**30, 1.5, True, "1", None, [], {}]
FIELDS = {
    "session_id": "int",
    "question_id": "int",
    "rev": "int",
    "into": "int",
    "user_id": "int",
    "department_id": "int",
    "body": "text",
    "name": "text",
    "reason": "text",
    "answer": "text",
    "official": "text",
    "state": "text",
    "stream_url": "text",
    "replay_url": "text",
    "due_on": "text",
    "anonymous": "bool",
    "moderator": "bool",
    "on": "bool",
}


def _events() -> list[str]:
    """Every handler the namespace registers, so a new event is fuzzed automatically."""
    return [
        name[3:]
        for name in dir(LiveNamespace)
        if name.startswith("on_") and name not in ("on_connect", "on_disconnect", "on_event")
    ]


def _payloads(event: str, base: dict, offset: int) -> list:
    """Each field gets one hostile value per action, rotating through the lists by field,
    action and role (`offset`), so every value meets every field across the run while
    the run stays bounded (about 400 calls per role)."""
    actions = {"moderate": MOD_ACTIONS, "control": CONTROL_ACTIONS}.get(event, (None,))
    out: list = [None, "text", 7, [1, 2], {"session_id": {"$gt": 1}}]
    for a, action in enumerate(actions):
        good = dict(base, action=action) if action else dict(base)
        out.append(good)
        for f, (field, kind) in enumerate(FIELDS.items()):
            values = HOSTILE_TEXT if kind == "text" else HOSTILE_NUMBERS
            out.append(dict(good, **{field: values[(f + a + offset) % len(values)]}))
    return out


def test_nul_in_a_live_question_gets_a_400_ack_and_stores_nothing(sio, live, resident):
    client = sio(resident)
    assert call(client, "join", {"session_id": live.id})["ok"]
    ack = call(client, "ask", {"session_id": live.id, "body": "扬尘\x00投诉怎么处理？"})
    assert ack["ok"] is False and ack["status"] == 400 and ack["field"] == "body"
    assert "控制字符" in ack["error"]
    assert db.session.scalar(sa.select(sa.func.count(Question.id))) == 0


def test_every_event_answers_hostile_payloads_with_a_4xx_ack(app, sio, live, resident, moderator):
    app.config["LIVE_EVENT_BURST"] = 10**6  # fuzzing, not throttling
    q = add_question(live, resident, "公交什么时候加密？")
    base = {"session_id": live.id, "question_id": q.id, "rev": q.revision, "body": "一个问题"}
    clients = {"anonymous": sio(), "resident": sio(resident), "moderator": sio(moderator)}
    events = _events()
    assert {"join", "ask", "vote", "moderate", "control"} <= set(events)
    sent = 0
    for (r, (role, client)), event in itertools.product(enumerate(clients.items()), events):
        for payload in _payloads(event, base, offset=r * 5):
            ack = call(client, event, payload)
            sent += 1
            assert isinstance(ack, dict), (role, event, payload)
            if not ack["ok"]:
                assert 400 <= ack["status"] < 500, (role, event, payload, ack)
            client.get_received("/live")
    assert sent > 1000, sent
    stored = db.session.scalars(sa.select(Question.body)).all()
    assert all("\x00" not in b and "\ud800" not in b for b in stored)
