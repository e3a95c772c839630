"""Live answers and askers' names are screened for personal data on every output: the
viewer snapshot, the record page and record.json (issue 11)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from events.live.models import Question
from participation.db import db
from tests.events.live.factories import add_question, call

ANSWER = "已安排专人回访，请拨打 138.1234.5678 或写信 someone at example dot com"


def test_answers_and_names_never_show_personal_data(sio, live, resident, client):
    q = add_question(live, resident, author_label="张三 139 1234 5678")
    q.answer, q.answered_by = ANSWER, "市生态环境局 李四"
    db.session.commit()
    # Also a row stored before the column was screened (bypassing the ORM).
    db.session.execute(sa.update(Question).where(Question.id == q.id).values(answer=ANSWER))
    db.session.commit()
    db.session.expire_all()

    snapshot = call(sio(), "join", {"session_id": live.id})["snapshot"]
    outputs = {
        "snapshot": json.dumps(snapshot, ensure_ascii=False),
        "record": client.get(f"/live/{live.id}/record").get_data(as_text=True),
        "record.json": json.dumps(
            client.get(f"/live/{live.id}/record.json").get_json(), ensure_ascii=False
        ),
    }
    for name, body in outputs.items():
        for secret in ("138.1234.5678", "1234 5678", "someone at example"):
            assert secret not in body, (name, secret)
    assert "138.****.5678" in outputs["record.json"]
