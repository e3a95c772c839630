"""Organizers' texts are screened too: a phone or an email in a response reason, a group
or a report summary never reaches the report page, CSV, XLSX, JSON API or the feed."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
import sqlalchemy as sa

from consultations.models import CommentGroup, Consultation, Response
from consultations.services import responses
from participation.db import db
from participation.models import AuditEntry

REASON = "已电话联系 13812345678 并邮件 someone@example.com，意见已转交。"
DISGUISED = "群众反映，可联系 1 3 9 1 2 3 4 5 6 7 8 或 zhang at example dot com"
SECRETS = ("13812345678", "someone@example.com", "1 3 9 1 2 3 4 5 6 7 8", "zhang at example")


def _publish_report(user, consultation, summary):
    from consultations.services import editions, reports

    publish = getattr(editions, "publish_report", None) or reports.publish_report
    return publish(user, consultation, summary)


@pytest.fixture
def reported(make_consultation, add_comment, organizer, approver, resident):
    c = make_consultation(state="closed")
    group = CommentGroup(consultation_id=c.id, title=f"热线 {DISGUISED}", confirmed=True)
    db.session.add(group)
    db.session.commit()
    group.summary = DISGUISED
    add_comment(c, "建议取消限行", author=resident, group_id=group.id)
    single = add_comment(c, "建议加强扬尘监管。", author=resident)
    drafts = ((group, responses.draft_for_group), (single, responses.draft_for_comment))
    for target, draft in drafts:
        r = draft(organizer, target, "not_adopted", REASON)
        responses.approve(approver, r)
        responses.publish(approver, r)
    _publish_report(organizer, c, f"共收到意见2条。{DISGUISED}")
    db.session.commit()
    return c


def _all_public_outputs(client, c: Consultation) -> dict[str, str]:
    xlsx = client.get(f"/consultations/{c.id}/feedback.xlsx")
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data()), read_only=True).active
    outputs = {
        "report": client.get(f"/consultations/{c.id}/feedback").get_data(as_text=True),
        "csv": client.get(f"/consultations/{c.id}/feedback.csv").get_data(as_text=True),
        "xlsx": " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v),
        "api": json.dumps(
            client.get(f"/api/v1/consultations/{c.id}/feedback").get_json(), ensure_ascii=False
        ),
        "feed": client.get("/feeds/feedback.atom").get_data(as_text=True),
    }
    return outputs


def test_no_public_output_carries_personal_data_from_staff_texts(reported, client):
    outputs = _all_public_outputs(client, reported)
    for name, body in outputs.items():
        for secret in SECRETS:
            assert secret not in body, (name, secret)
    # The reason itself is still published, masked.
    for name in ("report", "csv", "xlsx", "api"):
        assert "已电话联系 138****5678 并邮件 s***@example.com" in outputs[name], name
    assert "z*** at example dot com" in outputs["feed"]


def test_stored_before_screening_is_masked_on_read_and_by_the_command(reported, client, app):
    # Rows written before the column was screened (bypassing the ORM, as old data is).
    db.session.execute(sa.update(Response).values(reason=REASON))
    db.session.commit()
    db.session.expire_all()
    assert "13812345678" not in client.get(f"/consultations/{reported.id}/feedback").get_data(
        as_text=True
    )
    assert db.session.scalars(sa.select(Response)).first().reason.startswith("已电话联系 138****")

    result = app.test_cli_runner().invoke(args=["mask-public-texts"])
    assert result.exit_code == 0, result.output
    assert "responses.reason: 2 masked" in result.output
    raw = db.session.execute(sa.select(Response.reason)).scalars().all()
    assert raw and all("13812345678" not in r for r in raw)
    entry = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "privacy.mask_stored")
    ).one()
    assert entry.data["responses.reason"] == 2
    # Nothing left: a second run changes nothing.
    again = app.test_cli_runner().invoke(args=["mask-public-texts"])
    assert "0 texts masked." in again.output
