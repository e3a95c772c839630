"""Receipt numbers and the public receipt page."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consultations.models import (
    CommentGroup,
    CommentStatus,
    Outcome,
    PublishMode,
    Response,
    ResponseStatus,
)
from consultations.services import receipts
from participation.db import db, utcnow


def test_receipt_numbers_have_the_documented_shape_and_are_random():
    numbers = {receipts.generate(2026) for _ in range(500)}
    assert len(numbers) == 500
    for number in numbers:
        assert re.fullmatch(
            r"YJ2026-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-Z]{2}", number
        )
        assert receipts.normalise(number) == number


def test_receipt_random_part_uses_the_whole_alphabet_at_every_position():
    # 2000 numbers: a character missing from a position by chance is below 1e-25.
    parts = [receipts.generate(2026).replace("-", "")[6:14] for _ in range(2000)]
    for position in range(receipts.RANDOM_LENGTH):
        assert {p[position] for p in parts} == set(receipts.ALPHABET)


def test_every_single_typo_and_neighbour_swap_is_detected():
    number = receipts.generate(2026)
    compact = number.replace("-", "")
    for i in range(2, len(compact)):
        for char in receipts.ALPHABET:
            if char != compact[i] and not (i < 6 and not char.isdigit()):
                typo = compact[:i] + char + compact[i + 1 :]
                assert receipts.normalise(typo) is None, typo
        if i + 1 < len(compact) and compact[i] != compact[i + 1]:
            swapped = compact[:i] + compact[i + 1] + compact[i] + compact[i + 2 :]
            assert receipts.normalise(swapped) is None, swapped


def test_typing_is_forgiven():
    number = receipts.generate(2025)
    sloppy = " " + number.lower().replace("-", " ") + " "
    assert receipts.normalise(sloppy) == number
    with_o = number.replace("0", "O")
    assert receipts.normalise(with_o) == number
    assert receipts.normalise("") is None
    assert receipts.normalise("<script>") is None
    assert receipts.normalise("YJ" + "9" * 5000) is None


@pytest.fixture
def receipt_comment(make_consultation, add_comment, resident):
    consultation = make_consultation()

    def make(**kw):
        kw.setdefault("receipt_no", receipts.generate(2026))
        kw.setdefault("body", "我的联系电话13812345678，建议增加公交班次。")
        kw.setdefault("published_body", "我的联系电话138****5678，建议增加公交班次。")
        kw.setdefault("article", consultation.draft.articles[0])
        return add_comment(consultation, author=resident, **kw)

    return make


def _page(client, comment):
    resp = client.get(f"/receipts/{comment.receipt_no}?lang=en")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_named_receipt_shows_facts_name_and_masked_text(receipt_comment, client, resident):
    comment = receipt_comment()
    page = _page(client, comment)
    assert comment.receipt_no in page and comment.consultation.title in page
    assert comment.article.label in page and "Accepted" in page
    assert resident.display_name in page and "138****5678" in page
    assert "13812345678" not in page and resident.email not in page
    assert "Not yet published" in page


def test_anonymous_receipt_hides_the_name(receipt_comment, client, resident):
    page = _page(client, receipt_comment(publish_mode=PublishMode.anonymous))
    assert resident.display_name not in page and "Anonymous" in page


def test_private_receipt_hides_the_text_and_the_name(receipt_comment, client, resident):
    comment = receipt_comment(publish_mode=PublishMode.private)
    page = _page(client, comment)
    assert "增加公交班次" not in page and resident.display_name not in page
    assert "not to be published" in page
    api = client.get(f"/api/v1/receipts/{comment.receipt_no}").get_json()
    assert api["text"] is None and api["author"] != resident.display_name


def test_pending_and_rejected_receipts_hide_the_text(receipt_comment, client):
    pending = receipt_comment(status=CommentStatus.pending)
    assert "增加公交班次" not in _page(client, pending)
    rejected = receipt_comment(status=CommentStatus.rejected, moderation_reason="与草案无关")
    page = _page(client, rejected)
    assert "增加公交班次" not in page and "与草案无关" in page and "Not published" in page


def test_published_response_is_shown_drafts_are_not(receipt_comment, client, agency):
    comment = receipt_comment()
    response = Response(
        comment=comment,
        organization_id=agency.id,
        outcome=Outcome.partly_adopted,
        reason="已在第三条中增加高峰时段加密班次的规定。",
        status=ResponseStatus.draft,
    )
    db.session.add(response)
    db.session.commit()
    assert "高峰时段" not in _page(client, comment)
    response.status = ResponseStatus.published
    response.published_at = utcnow()
    db.session.commit()
    page = _page(client, comment)
    assert "Partly adopted" in page and "高峰时段加密班次" in page
    api = client.get(f"/api/v1/receipts/{comment.receipt_no}").get_json()
    assert api["response"]["outcome"] == "partly_adopted"


def test_a_groups_published_response_answers_its_members(receipt_comment, client, agency):
    comment = receipt_comment()
    group = CommentGroup(
        consultation_id=comment.consultation_id, title="增加公交班次", confirmed=True
    )
    db.session.add(group)
    comment.group = group
    db.session.add(
        Response(
            group=group,
            organization_id=agency.id,
            outcome=Outcome.not_adopted,
            reason="现有运力已能满足需求。",
            status=ResponseStatus.published,
            published_at=utcnow(),
        )
    )
    db.session.commit()
    page = _page(client, comment)
    assert "Not adopted" in page and "现有运力" in page


def test_lookup_form_redirects_and_explains_bad_numbers(receipt_comment, client):
    comment = receipt_comment()
    form = client.get("/receipts/?lang=en")
    assert form.status_code == 200 and 'name="no"' in form.get_data(as_text=True)
    resp = client.get("/receipts/", query_string={"no": comment.receipt_no.lower()})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(comment.receipt_no)
    bad = client.get("/receipts/", query_string={"no": comment.receipt_no[:-1] + "Z"})
    assert bad.status_code == 400 and "not a valid receipt number" in bad.get_data(as_text=True)
    unknown = client.get(f"/receipts/{receipts.generate(2026)}")
    assert unknown.status_code == 404
    assert client.get("/receipts/garbage").status_code == 400
    sloppy = client.get(f"/receipts/{comment.receipt_no.lower()}")
    assert sloppy.status_code == 301


def test_receipts_of_confidential_decisions_are_not_found(
    make_consultation, make_decision, add_comment, client
):
    secret = make_consultation(decision=make_decision(confidential=True))
    comment = add_comment(secret, receipt_no=receipts.generate(2026))
    assert client.get(f"/receipts/{comment.receipt_no}").status_code == 404
    assert client.get(f"/api/v1/receipts/{comment.receipt_no}").status_code == 404


def test_receipt_numbers_are_unique_in_the_database(receipt_comment):
    first = receipt_comment()
    with pytest.raises(sa.exc.IntegrityError):
        receipt_comment(receipt_no=first.receipt_no)
    db.session.rollback()
