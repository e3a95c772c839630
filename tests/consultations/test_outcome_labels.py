"""How a resident sees the outcome of an opinion: one name everywhere, no empty lines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from consultations.models import Outcome, Response, ResponseStatus
from consultations.services import receipts
from participation.db import db, utcnow
from tests.helpers import login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def answered(make_consultation, add_comment, resident, agency):
    consultation = make_consultation()

    def make(outcome: Outcome, reason: str = "", body: str = "建议增加公交班次。"):
        comment = add_comment(
            consultation, author=resident, body=body, receipt_no=receipts.generate(2026)
        )
        db.session.add(
            Response(
                comment=comment,
                organization_id=agency.id,
                outcome=outcome,
                reason=reason,
                status=ResponseStatus.published,
                published_at=utcnow(),
            )
        )
        db.session.commit()
        return comment

    return make


def test_adopted_without_reason_shows_the_outcome_and_no_empty_reply(answered, client, resident):
    comment = answered(Outcome.adopted, reason="")
    login(client, resident)
    html = client.get("/account/comments?lang=zh").get_data(as_text=True)
    assert comment.receipt_no in html and "采纳" in html
    # No "答复:" label followed by nothing.
    assert not re.search(r"答复</strong>\s*[:：]\s*</p>", html)
    item = html.split(comment.receipt_no, 1)[1].split("</li>", 1)[0]
    assert "采纳" in item and "答复" not in item

    receipt = client.get(f"/receipts/{comment.receipt_no}?lang=zh").get_data(as_text=True)
    assert "采纳" in receipt
    assert '<p class="response-reason"></p>' not in receipt


def test_a_reason_is_shown_when_there_is_one(answered, client, resident):
    comment = answered(Outcome.adopted, reason="已在第三条中增加高峰时段加密班次的规定。")
    login(client, resident)
    html = client.get("/account/comments?lang=zh").get_data(as_text=True)
    assert "高峰时段加密班次" in html and comment.receipt_no in html


@pytest.mark.parametrize(
    ("lang", "word", "other"), [("zh", "未采纳", "不予采纳"), ("en", "Not adopted", None)]
)
def test_not_adopted_reads_the_same_on_every_page(answered, client, resident, lang, word, other):
    comment = answered(Outcome.not_adopted, reason="现有运力已能满足需求。")
    login(client, resident)
    pages = {
        "receipt": f"/receipts/{comment.receipt_no}?lang={lang}",
        "my comments": f"/account/comments?lang={lang}",
    }
    for name, url in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert word in html, name
        if other:
            assert other not in html, name


def test_no_template_names_the_outcomes_itself():
    # The names live in consultations/labels.py; a private copy in a template drifted.
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("consultations", "events", "templates")
        for path in (ROOT / folder).rglob("*.html")
        if re.search(r"[\"']not_adopted[\"']\s*:\s*_\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_the_profile_heads_the_list_with_its_number(
    add_comment, make_consultation, resident, client
):
    consultation = make_consultation()
    for n in range(3):
        add_comment(consultation, author=resident, body=f"第{n}条建议。")
    login(client, resident)
    html = client.get("/account/?lang=zh").get_data(as_text=True)
    assert "3 条意见" in html
    assert not re.search(r"<h2>\s*条意见\s*</h2>", html)
    assert "3 comments" in client.get("/account/?lang=en").get_data(as_text=True)
