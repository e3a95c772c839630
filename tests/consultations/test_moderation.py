"""The moderation queue: accept or reject with a reason, mailed to the author, audited."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consultations.models import Comment, CommentStatus, ModerationMode
from consultations.services import comments, moderation
from participation.db import db
from participation.models import AuditEntry, OutboxMail


@pytest.fixture
def pending(make_consultation, resident, app):
    consultation = make_consultation(moderation=ModerationMode.pre)
    with app.test_request_context():
        comment = comments.submit_comment(
            resident, consultation, body="建议延长公交末班车时间到晚上十一点。"
        ).comment
    db.session.commit()
    return comment


def _queue_url(comment, **args):
    query = "&".join(f"{k}={v}" for k, v in {"lang": "en", **args}.items())
    return f"/staff/consultations/{comment.consultation_id}/moderation?{query}"


def _decide(client, comment, decision, reason=""):
    return client.post(
        f"/staff/consultations/{comment.consultation_id}/moderation/{comment.id}?lang=en",
        data={"decision": decision, "reason": reason},
    )


def _mails_to(user):
    return db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.user_id == user.id).order_by(OutboxMail.id)
    ).all()


def test_organizer_sees_the_queue_and_accepts(pending, organizer, resident, login_as):
    client = login_as(organizer)
    page = client.get(_queue_url(pending)).get_data(as_text=True)
    assert pending.receipt_no in page and "建议延长公交末班车" in page
    resp = _decide(client, pending, "accept")
    assert resp.status_code == 303
    db.session.refresh(pending)
    assert pending.status == CommentStatus.accepted and pending.moderated_by_id == organizer.id
    assert db.session.scalars(comments.public_comments(pending.consultation)).all() == [pending]
    assert "已公开" in _mails_to(resident)[-1].subject  # in the author's language (zh)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "comment.accept"))
    assert entry.target_id == str(pending.id)


def test_reject_needs_a_reason_which_the_author_receives(pending, organizer, resident, login_as):
    client = login_as(organizer)
    refused = _decide(client, pending, "reject")
    assert refused.status_code == 400
    assert "reason" in refused.get_data(as_text=True)
    db.session.refresh(pending)
    assert pending.status == CommentStatus.pending

    reason = "内容与本草案无关，请就草案条款提出意见。"
    assert _decide(client, pending, "reject", reason).status_code == 303
    db.session.refresh(pending)
    assert pending.status == CommentStatus.rejected and pending.moderation_reason == reason
    mail = _mails_to(resident)[-1]
    assert reason in mail.body and pending.receipt_no in mail.body
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "comment.reject"))
    assert entry.reason == reason
    # Kept and counted, never published.
    assert db.session.get(Comment, pending.id) is not None
    assert moderation.status_counts(pending.consultation)[CommentStatus.rejected] == 1
    assert db.session.scalars(comments.public_comments(pending.consultation)).all() == []
    rejected_tab = client.get(_queue_url(pending, status="rejected")).get_data(as_text=True)
    assert pending.receipt_no in rejected_tab


def test_same_decision_twice_is_a_conflict(pending, organizer, login_as):
    client = login_as(organizer)
    assert _decide(client, pending, "accept").status_code == 303
    assert _decide(client, pending, "accept").status_code == 409


def test_bad_decisions_and_foreign_ids_are_refused(
    pending, organizer, login_as, make_consultation, add_comment
):
    client = login_as(organizer)
    assert _decide(client, pending, "publish-everything").status_code == 400
    assert _decide(client, pending, "reject", "理" * 1001).status_code == 400
    other = add_comment(make_consultation(), status=CommentStatus.pending)
    resp = client.post(
        f"/staff/consultations/{pending.consultation_id}/moderation/{other.id}",
        data={"decision": "accept"},
    )
    assert resp.status_code == 404
    db.session.refresh(other)
    assert other.status == CommentStatus.pending


def test_residents_and_other_agencies_cannot_moderate(
    pending, resident, make_user, make_org, login_as
):
    outsider = make_user(org=make_org("山东省交通运输厅"))
    for user in (resident, outsider):
        client = login_as(user)
        assert client.get(_queue_url(pending)).status_code == 403
        assert _decide(client, pending, "accept").status_code == 403
    db.session.refresh(pending)
    assert pending.status == CommentStatus.pending
    staff_actions = sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action.like("comment.%")
    )
    assert db.session.scalar(staff_actions) == 0


def test_accepted_comment_can_be_taken_down_in_post_moderation(
    make_consultation, add_comment, organizer, login_as
):
    comment = add_comment(make_consultation())
    client = login_as(organizer)
    assert _decide(client, comment, "reject", "含有他人个人信息").status_code == 303
    db.session.refresh(comment)
    assert comment.status == CommentStatus.rejected


def test_accepting_a_private_opinion_does_not_claim_it_was_published(
    make_consultation, resident, organizer, login_as, app
):
    resident.locale = "en"  # the mail is written in the author's language
    consultation = make_consultation(moderation=ModerationMode.pre)
    with app.test_request_context():
        comment = comments.submit_comment(
            resident, consultation, body="仅供起草部门参考的意见。", publish_mode="private"
        ).comment
    db.session.commit()
    assert _decide(login_as(organizer), comment, "accept").status_code == 303
    mail = _mails_to(resident)[-1]
    assert "accepted" in mail.subject and "published" not in mail.subject
    assert db.session.scalars(comments.public_comments(consultation)).all() == []
