"""Receipt numbers lead somewhere: the lookup page from every page and every receipt mail,
the receipt number in the subject of a response mail, and its receipt page linked."""

from __future__ import annotations

import sqlalchemy as sa

from consultations.models import CommentGroup
from consultations.services import receipt_mail, responses
from participation.db import db
from participation.models import OutboxMail


def _mails():
    return db.session.scalars(sa.select(OutboxMail).order_by(OutboxMail.id)).all()


def test_every_page_links_the_receipt_lookup(client):
    for path in ("/", "/decisions/", "/privacy"):
        html = client.get(path).get_data(as_text=True)
        assert 'href="/receipts/"' in html, path
        assert "回执查询" in html
    assert "Check a receipt" in client.get("/?lang=en").get_data(as_text=True)


def test_receipt_mail_links_its_receipt_and_the_lookup(
    app, make_consultation, add_comment, resident
):
    comment = add_comment(make_consultation(), author=resident)
    with app.test_request_context("/"):
        receipt_mail._mail(comment)
    db.session.commit()
    (mail,) = _mails()
    assert f"/receipts/{comment.receipt_no}" in mail.body
    assert "查询任一回执编号：" in mail.body
    assert mail.body.rstrip().endswith("/receipts/") or "/receipts/\n" in mail.body


def test_response_mail_names_the_receipt_and_links_its_page(
    make_consultation, add_comment, organizer, approver, resident
):
    comment = add_comment(make_consultation(state="closed"), author=resident)
    r = responses.draft_for_comment(organizer, comment, "adopted", "")
    responses.approve(approver, r)
    responses.publish(approver, r)
    db.session.commit()
    (mail,) = _mails()
    assert mail.subject == f"您的意见（回执 {comment.receipt_no}）已得到答复"
    assert f"{comment.receipt_no}: http" in mail.body
    assert f"/receipts/{comment.receipt_no}" in mail.body
    assert "/receipts/\n" in mail.body or mail.body.rstrip().endswith("/receipts/")


def test_response_mail_in_english_and_for_several_receipts(
    make_consultation, add_comment, organizer, approver, make_user
):
    author = make_user()
    author.locale = "en"
    c = make_consultation(state="closed")
    group = CommentGroup(consultation_id=c.id, title="延长公示期", confirmed=True)
    db.session.add(group)
    db.session.commit()
    first = add_comment(c, "意见一", author=author, group_id=group.id)
    second = add_comment(c, "意见二", author=author, group_id=group.id)
    r = responses.draft_for_group(organizer, group, "not_adopted", "与上位法冲突。")
    responses.approve(approver, r)
    responses.publish(approver, r)
    db.session.commit()
    (mail,) = _mails()
    assert mail.subject.startswith("Your 2 comments (receipt ")
    assert "have received a response" in mail.subject
    for comment in (first, second):
        assert f"/receipts/{comment.receipt_no}" in mail.body
    assert "Look up any receipt number:" in mail.body
