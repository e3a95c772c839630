"""Offline opinions entered by organizers (letters, hearings, symposiums...)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from consultations.models import Channel, Comment, CommentStatus, PublishMode
from consultations.services import comments, receipts
from participation.db import db, utcnow
from participation.errors import PermissionDenied, ServiceError
from participation.models import AuditEntry

LETTER = "来信建议：对城区建筑工地扬尘实行视频监控，并公开处罚结果。联系电话13912345678。"


@pytest.fixture(autouse=True)
def _request_context(app):
    with app.test_request_context("/?lang=en"):
        yield


def _enter(actor, consultation, **kw):
    kw.setdefault("channel", Channel.letter)
    kw.setdefault("body", LETTER)
    return comments.enter_offline_comment(actor, consultation, **kw)


def test_organizer_enters_a_letter_with_receipt_masking_and_audit(make_consultation, organizer):
    consultation = make_consultation(state="closed")  # letters arrive after the deadline
    received = utcnow() - timedelta(days=10)
    comment = _enter(
        organizer,
        consultation,
        author_label="历下区居民张先生",
        article=consultation.draft.articles[1],
        received_on=received,
        contact="济南市历下区某小区3号楼",
    )
    db.session.commit()
    assert comment.status == CommentStatus.accepted
    assert comment.channel == Channel.letter and comment.entered_by_id == organizer.id
    assert comment.received_on == received
    assert receipts.normalise(comment.receipt_no) == comment.receipt_no
    assert "13912345678" not in comment.published_body
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "comment.enter_offline")
    )
    assert entry.target_id == str(comment.id) and entry.actor_id == organizer.id


def test_only_the_lead_agency_or_an_admin_may_enter(
    make_consultation, resident, make_user, make_org, organizer
):
    consultation = make_consultation()
    other_agency = make_user(org=make_org("山东省交通运输厅"))
    for actor in (resident, other_agency):
        with pytest.raises(PermissionDenied):
            _enter(actor, consultation)
    assert _enter(make_user(admin=True), consultation).id
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1


def test_source_ref_makes_it_idempotent_and_updates_the_text(
    make_consultation, organizer, resident
):
    consultation = make_consultation()
    first = _enter(
        organizer,
        consultation,
        channel=Channel.hearing,
        author=resident,
        source_ref="event:3/statement:7",
    )
    again = _enter(
        organizer, consultation, channel=Channel.hearing, source_ref="event:3/statement:7"
    )
    assert again.id == first.id
    changed = _enter(
        organizer,
        consultation,
        channel=Channel.hearing,
        body="修改后的发言：建议分阶段实施。",
        source_ref="event:3/statement:7",
    )
    db.session.commit()
    assert changed.id == first.id and changed.body == "修改后的发言：建议分阶段实施。"
    assert changed.published_body == changed.body
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 1
    # The same source in another consultation is another comment.
    other = make_consultation()
    assert _enter(organizer, other, source_ref="event:3/statement:7").id != first.id


def test_flagged_offline_text_waits_for_review(make_consultation, organizer):
    consultation = make_consultation()
    comment = _enter(organizer, consultation, body="问卷意见：有人在小区兼职日结刷单。")
    assert comment.status == CommentStatus.pending


@pytest.mark.parametrize(
    "kw",
    [
        {"channel": Channel.online},
        {"body": "  "},
        {"author_label": "名" * 201},
        {"contact": "1" * 201},
        {"received_on": utcnow() + timedelta(days=3)},
    ],
)
def test_bad_offline_input_is_refused(make_consultation, organizer, kw):
    consultation = make_consultation()
    with pytest.raises(ServiceError):
        _enter(organizer, consultation, **kw)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_article_of_another_draft_is_refused(make_consultation, make_decision, organizer):
    consultation = make_consultation()
    other = make_consultation(decision=make_decision(title="另一个决策"))
    with pytest.raises(ServiceError):
        _enter(organizer, consultation, article=other.draft.articles[0])


def test_naive_date_is_read_as_beijing_time(make_consultation, organizer):
    consultation = make_consultation()
    comment = _enter(organizer, consultation, received_on=datetime(2024, 3, 1))
    assert comment.received_on.isoformat() == "2024-02-29T16:00:00+00:00"


def test_offline_entry_form_and_contact_purge(make_consultation, organizer, login_as):
    consultation = make_consultation()
    client = login_as(organizer)
    url = f"/staff/consultations/{consultation.id}/offline?lang=en"
    assert client.get(url).status_code == 200
    resp = client.post(
        url,
        data={
            "channel": "symposium",
            "body": "座谈会上企业代表建议给予过渡期。",
            "author_label": "某化工企业代表",
            "article": "3",
            "publish_mode": "anonymous",
            "received_on": "2024-05-06",
            "contact": "0531-88886666",
        },
    )
    assert resp.status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    assert comment.article.number == 3 and comment.publish_mode == PublishMode.anonymous
    assert comment.contact == "0531-88886666"
    page = client.get(url).get_data(as_text=True)
    assert comment.receipt_no in page and "0531-88886666" not in page

    bad = client.post(url, data={"channel": "symposium", "body": "太短", "received_on": "5/6"})
    assert bad.status_code == 400 and "YYYY-MM-DD" in bad.get_data(as_text=True)
    bad = client.post(url, data={"channel": "carrier pigeon", "body": "座谈会上的意见内容。"})
    assert bad.status_code == 400

    purge = client.post(f"/staff/consultations/{consultation.id}/offline/purge-contacts")
    assert purge.status_code == 303
    db.session.refresh(comment)
    assert comment.contact == "" and comment.body  # the opinion stays
    assert db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "comment.purge_contacts")
    )


def test_offline_pages_are_refused_to_others(make_consultation, resident, login_as):
    consultation = make_consultation()
    client = login_as(resident)
    url = f"/staff/consultations/{consultation.id}/offline"
    assert client.get(url).status_code == 403
    assert client.post(url, data={"channel": "letter", "body": LETTER}).status_code == 403
    assert client.post(url + "/purge-contacts").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Comment.id))) == 0


def test_short_transcribed_statements_are_kept(make_consultation, organizer):
    consultation = make_consultation()
    assert _enter(organizer, consultation, channel=Channel.hearing, body="同意。").body == "同意。"
