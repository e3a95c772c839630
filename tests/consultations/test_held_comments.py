"""Held comments stay in the workflow: counted and linked where staff work, and the lead
agency's organizers are mailed (one mail per consultation per window) when some wait.
Also the offline entry: reachable from the workspace, and a letter entered twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consultations.models import Comment, CommentStatus
from consultations.services import comments, moderation
from consultations.tasks import mail_held_notices
from participation.db import db, utcnow
from participation.models import AuditEntry, OutboxMail

HELD_TEXT = "有人说让加微信办理就能加快审批，请核实。"
FINE_TEXT = "建议工地出入口安装车辆自动冲洗设备。"


def _submit(app, user, consultation, body):
    with app.test_request_context():
        comment = comments.submit_comment(user, consultation, body=body).comment
    db.session.commit()
    return comment


def _held_mails(user=None):
    query = sa.select(OutboxMail).where(OutboxMail.body.like("%/moderation%"))
    if user is not None:
        query = query.where(OutboxMail.user_id == user.id)
    return db.session.scalars(query.order_by(OutboxMail.id)).all()


@pytest.fixture
def busy(make_consultation, add_comment, app, resident):
    """Three accepted comments and one held by screening."""
    consultation = make_consultation()
    for _ in range(3):
        add_comment(consultation)
    held = _submit(app, resident, consultation, HELD_TEXT)
    assert held.status == CommentStatus.pending
    return consultation, held


def test_workspace_counts_held_comments_and_links_the_queue(busy, organizer, login_as):
    consultation, _held = busy
    client = login_as(organizer)
    page = client.get(f"/staff/consultations/{consultation.id}/?lang=zh").get_data(as_text=True)
    queue = f"/staff/consultations/{consultation.id}/moderation"
    assert "条已审核通过的意见" in page and "另有 1 条待审核" in page
    assert "1 条意见待审核" in page and f'href="{queue}"' in page
    assert f'href="/staff/consultations/{consultation.id}/offline"' in page
    english = client.get(f"/staff/consultations/{consultation.id}/?lang=en").get_data(as_text=True)
    assert "and 1 more waiting for review" in english
    assert "1 opinion is held for review" in english
    # The queue and the offline page carry the same navigation back to the workspace.
    for url in (queue, f"/staff/consultations/{consultation.id}/offline"):
        page = client.get(url).get_data(as_text=True)
        assert f'href="/staff/consultations/{consultation.id}/"' in page
        assert "1 opinion waits for review" in page


def test_rejected_comments_are_counted_not_hidden(busy, organizer, login_as):
    consultation, held = busy
    moderation.moderate(organizer, held, accept=False, reason="含广告内容")
    db.session.commit()
    page = login_as(organizer).get(f"/staff/consultations/{consultation.id}/?lang=en")
    text = page.get_data(as_text=True)
    assert "1 rejected, kept in the record" in text and "waiting for review" not in text
    assert f"/staff/consultations/{consultation.id}/moderation?status=rejected" in text


def test_dashboard_lists_consultations_with_held_comments_first(
    busy, make_consultation, organizer, login_as
):
    consultation, _held = busy
    # Closes later, so it would come first without held comments on the other one.
    later = make_consultation(
        title="后截止的征求意见", closes_at=consultation.closes_at + timedelta(days=10)
    )
    page = login_as(organizer).get("/staff/consultations/?lang=en").get_data(as_text=True)
    assert page.index(consultation.title) < page.index("后截止的征求意见")
    assert "1 consultation has opinions waiting for review" in page
    assert f'href="/staff/consultations/{consultation.id}/moderation"' in page
    assert f'href="/staff/consultations/{later.id}/offline"' in page
    assert f'href="/staff/consultations/{consultation.id}/offline"' in page


def test_decision_page_links_queue_and_offline_entry(busy, organizer, login_as):
    consultation, _held = busy
    page = login_as(organizer).get(f"/staff/decisions/{consultation.decision_id}?lang=en")
    text = page.get_data(as_text=True)
    assert f'href="/staff/consultations/{consultation.id}/moderation"' in text
    assert "1 opinion waits for review" in text
    assert f'href="/staff/consultations/{consultation.id}/offline"' in text


def test_others_are_refused_the_workspace_queue_and_offline_entry(
    busy, resident, make_org, make_user, login_as
):
    consultation, _held = busy
    stranger = make_user(org=make_org("山东省交通运输厅"))
    for user in (resident, stranger):
        client = login_as(user)
        for path in ("/", "/moderation", "/offline"):
            assert client.get(f"/staff/consultations/{consultation.id}{path}").status_code == 403


# ---- the organizers' mail -------------------------------------------------------------


def test_one_mail_per_window_to_the_agency_only(
    make_consultation, app, resident, organizer, approver, make_org, make_user
):
    stranger = make_user(org=make_org("山东省交通运输厅"))
    approver.locale = "en"
    db.session.commit()
    consultation = make_consultation()
    first = _submit(app, resident, consultation, HELD_TEXT)  # eager sweep: mailed at once
    _submit(app, resident, consultation, HELD_TEXT + "（第二条）")
    _submit(app, resident, consultation, FINE_TEXT)
    assert mail_held_notices() == 0  # within the window: nothing more

    mine, theirs = _held_mails(organizer), _held_mails(approver)
    assert len(mine) == 1 and len(theirs) == 1 and _held_mails(stranger) == []
    assert "1 条意见待审核" in mine[0].subject  # the organizer's language (zh)
    assert "1 opinion waits for review" in theirs[0].subject  # the approver's (en)
    link = f"/staff/consultations/{consultation.id}/moderation"
    assert link in mine[0].body and mine[0].body.count("http") >= 1
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(Comment.review_notice_pending)) == 1
    )  # the second waits for the next window
    assert first.status == CommentStatus.pending

    # After the window the next sweep sums up what waits, once.
    consultation.review_notice_at = utcnow() - timedelta(minutes=61)
    db.session.commit()
    assert mail_held_notices() == 1
    assert mail_held_notices() == 0
    mine = _held_mails(organizer)
    assert len(mine) == 2 and "2 条意见待审核" in mine[-1].subject
    assert len(_held_mails(approver)) == 2 and _held_mails(stranger) == []
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(
                AuditEntry.action == "consultation.held_notice"
            )
        )
        == 2
    )


def test_accepted_comments_mail_nobody(make_consultation, app, resident, organizer):
    consultation = make_consultation()
    _submit(app, resident, consultation, FINE_TEXT)
    assert mail_held_notices() == 0 and _held_mails() == []


def test_a_comment_reviewed_before_the_sweep_is_not_mailed(
    make_consultation, add_comment, organizer
):
    consultation = make_consultation()
    held = add_comment(consultation, status=CommentStatus.pending, review_notice_pending=True)
    moderation.moderate(organizer, held, accept=True)
    db.session.commit()
    assert mail_held_notices() == 0 and _held_mails(organizer) == []
    db.session.refresh(held)
    assert held.review_notice_pending is False
    assert consultation.review_notice_at is None  # the window stays free for a real one


def test_an_offline_opinion_held_by_screening_notifies_too(
    make_consultation, app, organizer, approver
):
    consultation = make_consultation()
    with app.test_request_context():
        comment = comments.enter_offline_comment(
            organizer, consultation, channel="letter", body=HELD_TEXT, source_ref="信-001"
        )
    db.session.commit()
    assert comment.status == CommentStatus.pending
    assert len(_held_mails(approver)) == 1


# ---- offline entry: the same letter twice ---------------------------------------------


def test_the_same_letter_entered_twice_shows_its_receipt(make_consultation, organizer, login_as):
    consultation = make_consultation()
    client = login_as(organizer)
    url = f"/staff/consultations/{consultation.id}/offline?lang=en"
    letter = {"channel": "letter", "body": "来信建议公开处罚结果。", "source_ref": "鲁环信2026-17"}
    assert client.post(url, data=letter).status_code == 303
    first = db.session.scalar(sa.select(Comment))
    page = client.get(url).get_data(as_text=True)
    assert f"Opinion recorded with receipt number {first.receipt_no}" in page

    again = client.post(url, data={**letter, "body": "来信建议公开处罚结果，另附照片。"})
    text = again.get_data(as_text=True)
    assert again.status_code == 409
    assert "This letter was already entered." in text
    assert f'href="/receipts/{first.receipt_no}"' in text
    assert "Opinion recorded with receipt number" not in text
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
    db.session.refresh(first)
    assert first.body == "来信建议公开处罚结果。"  # nothing changed
    zh = login_as(organizer).post(url.replace("?lang=en", "?lang=zh"), data=letter)
    assert zh.status_code == 409 and "这封来信已经录入过" in zh.get_data(as_text=True)


def test_service_refuses_a_second_entry_only_when_asked(make_consultation, organizer, app):
    consultation = make_consultation()
    with app.test_request_context():
        first = comments.enter_offline_comment(
            organizer, consultation, channel="letter", body="第一封来信。", source_ref="A-1"
        )
        with pytest.raises(comments.AlreadyEntered) as caught:
            comments.enter_offline_comment(
                organizer,
                consultation,
                channel="letter",
                body="第一封来信。",
                source_ref="A-1",
                refile=False,
            )
    assert caught.value.status == 409 and caught.value.comment.id == first.id
    assert first.receipt_no in caught.value.message
