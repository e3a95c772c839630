"""Open data API: decisions, consultations, feedback; public reads, no personal data."""

from __future__ import annotations

import json

from consultations.models import Channel, CommentGroup, PublishMode, Stage
from consultations.services import editions, responses
from participation.db import db


def _answer(target, organizer, approver, outcome, reason):
    if isinstance(target, CommentGroup):
        r = responses.draft_for_group(organizer, target, outcome, reason)
    else:
        r = responses.draft_for_comment(organizer, target, outcome, reason)
    responses.approve(approver, r)
    responses.publish(approver, r)


def test_decisions_list_filters_and_hides_confidential(make_decision, make_org, client):
    other = make_org("山东省交通运输厅")
    a = make_decision(title="公开决策A", year=2025, stage=Stage.consulting)
    b = make_decision(title="公开决策B", year=2026, org=other, stage=Stage.decided)
    make_decision(title="保密决策", year=2026, confidential=True)
    body = client.get("/api/v1/decisions").get_json()
    titles = {d["title"] for d in body["items"]}
    assert titles == {"公开决策A", "公开决策B"}
    assert body["total"] == 2 and body["page"] == 1
    assert [d["id"] for d in client.get("/api/v1/decisions?year=2025").get_json()["items"]] == [
        a.id
    ]
    got = client.get(f"/api/v1/decisions?agency={other.id}").get_json()["items"]
    assert [d["id"] for d in got] == [b.id]
    got = client.get("/api/v1/decisions?stage=decided").get_json()["items"]
    assert [d["id"] for d in got] == [b.id]


def test_decisions_pagination_and_bad_parameters(make_decision, client):
    for i in range(3):
        make_decision(title=f"决策{i}")
    body = client.get("/api/v1/decisions?per_page=2").get_json()
    assert len(body["items"]) == 2 and body["pages"] == 2 and body["next"]
    assert "page=2" in body["next"]
    assert len(client.get(body["next"]).get_json()["items"]) == 1
    for bad in ("year=abc", "per_page=0", "per_page=5000", "stage=unknown", "page=-1"):
        resp = client.get(f"/api/v1/decisions?{bad}")
        assert resp.status_code == 400, bad
        assert resp.get_json()["error"]


def test_decision_and_consultation_detail(make_consultation, make_decision, client):
    c = make_consultation()
    body = client.get(f"/api/v1/decisions/{c.decision_id}").get_json()
    assert body["consultations"][0]["id"] == c.id
    assert body["consultations"][0]["state"] == "open"
    body = client.get(f"/api/v1/consultations/{c.id}").get_json()
    assert body["title"] == c.title
    assert [a["label"] for a in body["draft"]["articles"]] == ["第1条", "第2条", "第3条", "第4条"]
    assert body["feedback_url"] is None
    secret = make_consultation(decision=make_decision(confidential=True))
    assert client.get(f"/api/v1/decisions/{secret.decision_id}").status_code == 404
    assert client.get(f"/api/v1/consultations/{secret.id}").status_code == 404
    assert client.get("/api/v1/consultations/999999").status_code == 404


def test_feedback_json(make_consultation, add_comment, organizer, approver, resident, client):
    c = make_consultation(state="closed")
    assert client.get(f"/api/v1/consultations/{c.id}/feedback").status_code == 404
    group = CommentGroup(consultation_id=c.id, title="延长公示期", confirmed=True)
    db.session.add(group)
    db.session.commit()
    for i in range(5):
        add_comment(c, f"建议延长{i}", group_id=group.id)
    private = add_comment(
        c,
        "电话13812345678",
        published_body="电话138****5678",
        author=resident,
        publish_mode=PublishMode.private,
        channel=Channel.email,
    )
    _answer(group, organizer, approver, "not_adopted", "法定期限已满足。")
    _answer(private, organizer, approver, "explained", "不属于本草案范围。")
    editions.publish_report(organizer, c, "总结")
    db.session.commit()

    resp = client.get(f"/api/v1/consultations/{c.id}/feedback?per_page=4")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["figures"]["comments"] == 6
    assert body["figures"]["by_outcome"] == {"not_adopted": 5, "explained": 1}
    assert body["figures"]["by_channel"] == {"online": 5, "email": 1}
    assert body["figures"]["adoption_rate"] == 0
    assert body["groups"][0]["concentrated"] is True
    assert body["groups"][0]["reason"] == "法定期限已满足。"
    assert len(body["comments"]) == 4 and body["pages"] == 2
    page2 = client.get(body["next"]).get_json()["comments"]
    rows = body["comments"] + page2
    assert len({r["receipt"] for r in rows}) == 6
    assert rows[0]["outcome"] == "not_adopted" and rows[0]["channel"] == "online"
    mine = next(r for r in rows if r["receipt"] == private.receipt_no)
    assert mine["published_text"] == "" and mine["reason"] == "不属于本草案范围。"
    text = json.dumps(body, ensure_ascii=False) + json.dumps(page2, ensure_ascii=False)
    for secret in ("13812345678", resident.email, resident.display_name, "author", "contact"):
        assert secret not in text


def test_openapi_describes_open_data(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in (
        "/api/v1/decisions",
        "/api/v1/decisions/{decision_id}",
        "/api/v1/consultations/{consultation_id}",
        "/api/v1/consultations/{consultation_id}/feedback",
        "/api/v1/consultations/{consultation_id}/feedback/v/{number}",
    ):
        assert "get" in paths[path]
