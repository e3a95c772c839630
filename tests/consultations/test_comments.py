"""Submitting comments through the HTML form and the service."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlalchemy as sa

from consultations.models import (
    Comment,
    CommentStatus,
    ModerationMode,
    PublishMode,
)
from consultations.services import comments, receipts
from participation import accounts
from participation.db import db
from participation.errors import Conflict, PermissionDenied, ServiceError
from participation.models import Membership, OutboxMail


@pytest.fixture(autouse=True)
def _request_context(app):
    """Services speak the user's language, so calls from tests need a request context."""
    with app.test_request_context("/?lang=en"):
        yield


BODY = "建议在第二条中明确扬尘污染的监管责任部门和处罚标准。"


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Comment.id)))


def _post(client, consultation, **data):
    form = {"body": BODY, "publish_mode": "named", "idempotency_key": uuid.uuid4().hex}
    form.update(data)
    return client.post(f"/consultations/{consultation.id}/comment?lang=en", data=form)


def test_resident_comments_on_an_article_and_gets_a_receipt(make_consultation, resident, login_as):
    consultation = make_consultation()
    client = login_as(resident)
    form_page = client.get(f"/consultations/{consultation.id}/comment?article=2&lang=en")
    assert form_page.status_code == 200
    html = form_page.get_data(as_text=True)
    assert 'name="idempotency_key"' in html
    assert '<option value="2" selected>' in html

    resp = _post(client, consultation, article="2")
    assert resp.status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    assert comment.article.number == 2 and comment.article.draft_id == consultation.draft_id
    assert comment.status == CommentStatus.accepted
    assert comment.author_id == resident.id
    assert receipts.normalise(comment.receipt_no) == comment.receipt_no
    assert resp.headers["Location"].endswith(f"/account/comments/{comment.receipt_no}")

    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert comment.receipt_no in page and "has been received" in page

    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.user_id == resident.id))
    assert comment.receipt_no in mail.subject and f"/receipts/{comment.receipt_no}" in mail.body


def test_comment_on_the_whole_draft(make_consultation, resident, login_as):
    consultation = make_consultation()
    assert _post(login_as(resident), consultation, article="").status_code == 303
    assert db.session.scalar(sa.select(Comment)).article_id is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Please write your comment."),
        ("   \n\t  ", "Please write your comment."),
        ("好", "at least 5 characters"),
        ("长" * 5001, "at most 5000 are allowed"),
    ],
)
def test_bad_text_is_refused_with_a_message_and_kept_in_the_form(
    make_consultation, resident, login_as, body, message
):
    consultation = make_consultation()
    resp = _post(login_as(resident), consultation, body=body)
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert message in html
    if body.strip():
        assert body[:50] in html  # nothing typed is lost
    assert _count() == 0


def test_length_limits_are_configurable(app, make_consultation, resident):
    app.config["COMMENT_MAX_CHARS"] = 20
    consultation = make_consultation()
    with pytest.raises(ServiceError):
        comments.submit_comment(resident, consultation, body="字" * 21)
    assert comments.submit_comment(resident, consultation, body="字" * 20).created


def test_article_of_another_draft_is_refused(make_consultation, make_decision, resident, login_as):
    consultation = make_consultation()
    make_consultation(decision=make_decision(title="另一个决策"))
    client = login_as(resident)
    for bad in ("99", "abc", "-1", "0"):
        resp = _post(client, consultation, article=bad)
        assert resp.status_code == 400, bad
        assert "not part of the draft" in resp.get_data(as_text=True)
    assert _count() == 0


def test_service_refuses_an_article_number_that_exists_only_in_another_draft(
    make_consultation, make_decision, resident
):
    consultation = make_consultation()
    other = make_consultation(decision=make_decision(title="另一个决策"))
    other.draft.articles[0].number = 9
    db.session.commit()
    with pytest.raises(ServiceError) as err:
        comments.submit_comment(resident, consultation, body=BODY, article_number=9)
    assert err.value.field == "article"


@pytest.mark.parametrize("state", ["scheduled", "closed"])
def test_outside_the_window_is_gone(make_consultation, resident, login_as, state):
    consultation = make_consultation(state=state)
    client = login_as(resident)
    assert client.get(f"/consultations/{consultation.id}/comment?lang=en").status_code == 410
    resp = _post(client, consultation)
    assert resp.status_code == 410
    text = resp.get_data(as_text=True)
    assert "not started yet" in text if state == "scheduled" else "closed on" in text
    assert BODY in text  # the text stays in the form for the writer to keep
    assert _count() == 0


def test_not_signed_in_is_sent_to_sign_in(make_consultation, client):
    consultation = make_consultation()
    resp = client.post(f"/consultations/{consultation.id}/comment", data={"body": BODY})
    assert resp.status_code == 302 and "/account/login" in resp.headers["Location"]
    assert _count() == 0


def test_unknown_or_confidential_consultation_is_404(
    make_consultation, make_decision, resident, login_as
):
    client = login_as(resident)
    assert client.get("/consultations/999999/comment").status_code == 404
    secret = make_consultation(decision=make_decision(confidential=True))
    assert _post(client, secret).status_code == 404
    assert _count() == 0


def test_hostile_markup_is_stored_as_text_and_escaped(make_consultation, resident, login_as):
    consultation = make_consultation()
    client = login_as(resident)
    hostile = '<script>alert("x")</script> 请加强监管 <img src=x onerror=alert(1)>'
    assert _post(client, consultation, body=hostile).status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    assert comment.body == hostile
    page = client.get(f"/receipts/{comment.receipt_no}?lang=en").get_data(as_text=True)
    assert "&lt;script&gt;" in page and '<script>alert("x")' not in page
    assert "<img src=x" not in page


def test_control_characters_are_removed(make_consultation, resident):
    consultation = make_consultation()
    sub = comments.submit_comment(resident, consultation, body="建议\x00加强\u200b监管\x07力度。")
    assert sub.comment.body == "建议加强监管力度。"


def test_publish_modes_control_what_the_public_sees(make_consultation, make_user, login_as, client):
    consultation = make_consultation()
    for name, mode in (("甲先生", "named"), ("乙女士", "anonymous"), ("丙同志", "private")):
        user = make_user(name=name)
        body = f"这是{mode}模式的意见，建议加强监管。"
        assert _post(login_as(user), consultation, publish_mode=mode, body=body).status_code == 303
    for user_comment in db.session.scalars(sa.select(Comment)):
        assert user_comment.publish_mode.value in user_comment.body
    page = db.paginate(comments.public_comments(consultation), page=1, per_page=10)
    shown = {c.publish_mode for c in page.items}
    assert shown == {PublishMode.named, PublishMode.anonymous}
    with client.application.test_request_context("/?lang=en"):
        authors = {comments.public_author(c, "en") for c in page.items}
    assert authors == {"甲先生", "Anonymous"}
    assert comments.comment_counts(consultation) == {None: 2}


def test_bad_publish_mode_is_refused(make_consultation, resident, login_as):
    consultation = make_consultation()
    resp = _post(login_as(resident), consultation, publish_mode="everyone")
    assert resp.status_code == 400
    assert _count() == 0


def test_member_comments_as_their_organization_others_are_refused(
    make_consultation, make_org, make_user, login_as, resident
):
    consultation = make_consultation()
    ngo = make_org("济南市环保志愿者协会", name_en="Jinan Green Volunteers", is_agency=False)
    member = make_user(name="协会秘书", org=ngo)
    assert _post(login_as(member), consultation, as_organization_id=str(ngo.id)).status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    assert comment.as_organization_id == ngo.id
    with pytest.raises(PermissionDenied):
        comments.submit_comment(resident, consultation, body=BODY, as_organization_id=ngo.id)
    resp = _post(login_as(resident), consultation, as_organization_id=str(ngo.id))
    assert resp.status_code == 403
    assert _count() == 1
    assert comments.public_author(comment, "zh") == "济南市环保志愿者协会"


def test_double_submit_with_the_same_key_stores_one_comment(make_consultation, resident, login_as):
    consultation = make_consultation()
    client = login_as(resident)
    key = uuid.uuid4().hex
    first = _post(client, consultation, idempotency_key=key)
    second = _post(client, consultation, idempotency_key=key)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _count() == 1
    # Only one receipt mail for one comment.
    assert db.session.scalar(sa.select(sa.func.count(OutboxMail.id))) == 1


def test_reused_key_with_a_different_text_is_a_conflict_and_keeps_the_text(
    make_consultation, resident, login_as
):
    consultation = make_consultation()
    client = login_as(resident)
    key = uuid.uuid4().hex
    _post(client, consultation, idempotency_key=key)
    resp = _post(client, consultation, idempotency_key=key, body="另一条不同的意见，请考虑。")
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert "另一条不同的意见" in html
    new_key = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)
    assert new_key != key  # sending again from this page stores the new comment
    assert _post(client, consultation, idempotency_key=new_key).status_code == 303
    assert _count() == 2


def test_concurrent_duplicate_is_resolved_by_the_unique_constraint(
    make_consultation, resident, monkeypatch
):
    """Simulate the race: the first lookup misses a row another request just committed."""
    consultation = make_consultation()
    first = comments.submit_comment(resident, consultation, body=BODY, idempotency_key="k" * 20)
    db.session.commit()
    real_find = comments._find_by_key
    calls = iter([None])
    monkeypatch.setattr(comments, "_find_by_key", lambda u, k: next(calls, None) or real_find(u, k))
    again = comments.submit_comment(resident, consultation, body=BODY, idempotency_key="k" * 20)
    db.session.commit()
    assert again.created is False and again.comment.id == first.comment.id
    assert _count() == 1


def test_reused_key_in_the_service_is_a_conflict(make_consultation, resident):
    consultation = make_consultation()
    comments.submit_comment(resident, consultation, body=BODY, idempotency_key="key-12345")
    with pytest.raises(Conflict):
        comments.submit_comment(
            resident, consultation, body=BODY + "！", idempotency_key="key-12345"
        )
    with pytest.raises(ServiceError):
        comments.submit_comment(resident, consultation, body=BODY, idempotency_key="<bad key>")


def test_personal_data_is_masked_in_the_published_copy(make_consultation, resident, login_as):
    consultation = make_consultation()
    body = "我家附近工地夜间施工扰民，请联系我13812345678或写信到 wang.xm@example.com 。"
    client = login_as(resident)
    assert _post(client, consultation, body=body).status_code == 303
    comment = db.session.scalar(sa.select(Comment))
    assert comment.body == body
    assert "13812345678" not in comment.published_body
    assert "138****5678" in comment.published_body
    assert "wang.xm@example.com" not in comment.published_body
    page = client.get(f"/receipts/{comment.receipt_no}").get_data(as_text=True)
    assert "13812345678" not in page and "wang.xm@example.com" not in page


def test_sensitive_words_send_a_comment_to_moderation(make_consultation, resident, login_as):
    consultation = make_consultation()
    assert (
        _post(login_as(resident), consultation, body="加微信领取补贴，代开发票").status_code == 303
    )
    comment = db.session.scalar(sa.select(Comment))
    assert comment.status == CommentStatus.pending
    assert set(comment.flagged_words) == {"加微信", "代开发票"}
    assert db.session.scalars(comments.public_comments(consultation)).all() == []


def test_pre_moderation_holds_every_comment(make_consultation, resident):
    consultation = make_consultation(moderation=ModerationMode.pre)
    sub = comments.submit_comment(resident, consultation, body=BODY)
    assert sub.comment.status == CommentStatus.pending


def test_comment_counts_per_article(make_consultation, resident, add_comment):
    consultation = make_consultation()
    first, second = consultation.draft.articles[:2]
    add_comment(consultation, article=first)
    add_comment(consultation, article=first)
    add_comment(consultation, article=second)
    add_comment(consultation, article=second, publish_mode=PublishMode.private)
    add_comment(consultation, article=second, status=CommentStatus.pending)
    add_comment(consultation)
    assert comments.comment_counts(consultation) == {first.id: 2, second.id: 1, None: 1}


def test_my_comments_lists_receipts_status_and_responses(
    make_consultation, resident, login_as, make_user
):
    consultation = make_consultation()
    mine = comments.submit_comment(resident, consultation, body=BODY).comment
    comments.submit_comment(make_user(), consultation, body="别人的意见，不应出现。")
    db.session.commit()
    page = login_as(resident).get("/account/comments?lang=en").get_data(as_text=True)
    assert mine.receipt_no in page and "别人的意见" not in page
    assert "Awaiting response" in page


def test_someone_elses_confirmation_page_is_404(make_consultation, resident, make_user, login_as):
    consultation = make_consultation()
    comment = comments.submit_comment(resident, consultation, body=BODY).comment
    db.session.commit()
    other = login_as(make_user())
    assert other.get(f"/account/comments/{comment.receipt_no}").status_code == 404


def test_personal_data_export_and_erase(make_consultation, resident, make_org):
    consultation = make_consultation()
    ngo = make_org("社区居委会", is_agency=False)
    db.session.add(Membership(user=resident, organization=ngo))
    db.session.commit()
    named = comments.submit_comment(resident, consultation, body=BODY).comment
    anon = comments.submit_comment(
        resident, consultation, body="匿名提出的意见内容。", publish_mode="anonymous"
    ).comment
    db.session.commit()
    data = accounts.export_personal_data(resident)
    assert {c["receipt_no"] for c in data["comments"]} == {named.receipt_no, anon.receipt_no}
    assert all(c["summary"] for c in data["comments"])

    accounts.delete_account(resident)
    db.session.commit()
    for c in (named, anon):
        db.session.refresh(c)
        assert c.author_id is None and c.publish_mode == PublishMode.anonymous
        assert c.body  # the opinion stays in the record
    assert comments.public_author(named, "zh") != resident.display_name
