"""The feedback report: publication rules, the public page, CSV/XLSX exports, the feed."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from consultations.models import Channel, CommentGroup, PublishMode
from consultations.services import editions, reports, responses
from participation.db import db, utcnow
from participation.models import AuditEntry

SECRET_BODY = "我的电话是13812345678，建议取消收费。"
MASKED_BODY = "我的电话是138****5678，建议取消收费。"


@pytest.fixture
def app_config():
    return {"CONCENTRATED_GROUP_SIZE": 3}


def _answer(target, organizer, approver, outcome="not_adopted", reason="与上位法规定不一致。"):
    from consultations.models import CommentGroup as Group

    if isinstance(target, Group):
        r = responses.draft_for_group(organizer, target, outcome, reason)
    else:
        r = responses.draft_for_comment(organizer, target, outcome, reason)
    responses.approve(approver, r)
    responses.publish(approver, r)
    return r


@pytest.fixture
def reported(make_consultation, add_comment, organizer, approver, resident, make_user):
    """A closed consultation, every comment answered, the report published."""
    c = make_consultation(state="closed")
    group = CommentGroup(consultation_id=c.id, title="取消限行规定", confirmed=True)
    db.session.add(group)
    db.session.commit()
    members = [
        add_comment(c, f"建议取消限行{i}", author=make_user(), group_id=group.id) for i in range(3)
    ]
    named = add_comment(c, "建议加强扬尘监管。", author=resident, article_id=c.draft.articles[0].id)
    private = add_comment(
        c,
        SECRET_BODY,
        published_body=MASKED_BODY,
        author=resident,
        publish_mode=PublishMode.private,
        channel=Channel.letter,
    )
    offline = add_comment(
        c,
        SECRET_BODY,
        published_body=MASKED_BODY,
        channel=Channel.symposium,
        author_label="张三",
        contact="13812345678",
    )
    _answer(group, organizer, approver, "not_adopted", "限行措施依据上位法设定，暂不调整。")
    _answer(named, organizer, approver, "adopted", "")
    _answer(private, organizer, approver, "explained", "已转交交通运输部门研究。")
    _answer(offline, organizer, approver, "partly_adopted", "部分内容已在第八条体现。")
    editions.publish_report(organizer, c, "共收到意见6条，采纳2条。")
    db.session.commit()
    return {
        "c": c,
        "members": members,
        "named": named,
        "private": private,
        "offline": offline,
        "group": group,
    }


def test_publication_requires_closed_window_summary_and_every_answer(
    make_consultation, add_comment, organizer, approver, login_as
):
    open_c = make_consultation()
    client = login_as(organizer)
    resp = client.post(f"/staff/consultations/{open_c.id}/report", data={"summary": "x"})
    assert resp.status_code == 410

    c = make_consultation(state="closed")
    answered, missing = add_comment(c), add_comment(c)
    _answer(answered, organizer, approver)
    db.session.commit()
    url = f"/staff/consultations/{c.id}/report?lang=en"
    assert client.post(url, data={"summary": " "}).status_code == 400
    resp = client.post(url, data={"summary": "总结"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert missing.receipt_no in html and "1 comment has no published response" in html
    db.session.refresh(c)
    assert c.report_published_at is None

    _answer(missing, organizer, approver)
    db.session.commit()
    assert client.post(url, data={"summary": "总结"}).status_code == 303
    db.session.refresh(c)
    assert c.report_published_at is not None and c.report_summary == "总结"
    assert db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "report.publish"))
    # Publishing twice is not possible: the same form now drafts an addendum, which
    # needs a note saying what changed, and version 1 stays as it was.
    resp = client.post(url, data={"summary": "再次"})
    assert resp.status_code == 400 and "say what changed" in resp.get_data(as_text=True)
    with pytest.raises(Exception, match="已经发布"):
        editions.publish_report(organizer, c, "再次")
    assert [e.summary for e in editions.published_editions(c)] == ["总结"]


def test_only_lead_agency_publishes(make_consultation, resident, make_org, make_user, login_as):
    c = make_consultation(state="closed")
    for user in (resident, make_user(org=make_org("山东省交通运输厅"))):
        resp = login_as(user).post(f"/staff/consultations/{c.id}/report", data={"summary": "x"})
        assert resp.status_code == 403
    db.session.refresh(c)
    assert c.report_published_at is None


def test_report_page_before_publication_says_so(make_consultation, client):
    c = make_consultation(state="closed")
    resp = client.get(f"/consultations/{c.id}/feedback?lang=en")
    assert resp.status_code == 200
    assert "not yet published" in resp.get_data(as_text=True)
    assert client.get(f"/consultations/{c.id}/feedback.csv").status_code == 404
    assert client.get(f"/consultations/{c.id}/feedback.xlsx").status_code == 404


def test_confidential_decision_has_no_report(make_consultation, make_decision, client):
    c = make_consultation(decision=make_decision(confidential=True), state="closed")
    assert client.get(f"/consultations/{c.id}/feedback").status_code == 404


def test_report_page_figures_and_published_information_only(reported, client, resident):
    c = reported["c"]
    html = client.get(f"/consultations/{c.id}/feedback?lang=en").get_data(as_text=True)
    assert "共收到意见6条，采纳2条。" in html
    # 3 group members + resident (twice) + one offline author = 5 participants.
    assert "<strong>5</strong> participants" in html
    assert "<strong>6</strong> comments" in html
    # Adopted (1) + partly (1) over 6 answered.
    assert "<strong>33%</strong>" in html
    assert "<svg" in html and "Comments per day" in html
    assert "Concentrated opinions" in html and "限行措施依据上位法设定，暂不调整。" in html
    assert "建议加强扬尘监管。" in html
    assert MASKED_BODY in html  # the offline comment, masked
    assert "已转交交通运输部门研究。" in html  # the private comment's answer is shown...
    assert html.count(MASKED_BODY) == 1  # ...but not its text
    for secret in ("13812345678", "张三", resident.email, resident.display_name):
        assert secret not in html


def test_report_list_filters_and_pagination(reported, client):
    c = reported["c"]
    html = client.get(f"/consultations/{c.id}/feedback?lang=en&outcome=adopted").get_data(
        as_text=True
    )
    assert reported["named"].receipt_no in html
    assert reported["offline"].receipt_no not in html
    html = client.get(f"/consultations/{c.id}/feedback?channel=symposium").get_data(as_text=True)
    assert reported["offline"].receipt_no in html
    assert reported["named"].receipt_no not in html


def test_consultation_without_comments_says_so(make_consultation, organizer, client):
    c = make_consultation(state="closed")
    editions.publish_report(organizer, c, "本次征求意见期间未收到意见。")
    db.session.commit()
    html = client.get(f"/consultations/{c.id}/feedback?lang=en").get_data(as_text=True)
    assert "received no comments" in html
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/consultations/{c.id}/feedback.csv").get_data(as_text=True))
        )
    )
    assert len(rows) == 1  # the header only


def test_csv_export(reported, client, resident):
    c = reported["c"]
    resp = client.get(f"/consultations/{c.id}/feedback.csv?lang=en")
    assert resp.status_code == 200
    assert resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for Excel
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Receipt number", "Article", "Channel"]
    assert len(rows) == 7
    by_receipt = {r[0]: r for r in rows[1:]}
    private = by_receipt[reported["private"].receipt_no]
    assert private[4] == "" and private[5] == "Explained"
    offline = by_receipt[reported["offline"].receipt_no]
    assert offline[4] == MASKED_BODY and offline[6] == "部分内容已在第八条体现。"
    member = by_receipt[reported["members"][0].receipt_no]
    assert member[3] == "取消限行规定" and member[5] == "Not adopted"
    assert by_receipt[reported["named"].receipt_no][1] == "第1条"
    text = raw.decode("utf-8-sig")
    for secret in ("13812345678", "张三", resident.email, resident.display_name, SECRET_BODY):
        assert secret not in text


def test_csv_cells_cannot_inject_formulas(
    make_consultation, add_comment, organizer, approver, client
):
    c = make_consultation(state="closed")
    x = add_comment(c, '=HYPERLINK("http://evil")')
    _answer(x, organizer, approver, "explained", "@SUM(1)")
    editions.publish_report(organizer, c, "总结")
    db.session.commit()
    text = client.get(f"/consultations/{c.id}/feedback.csv").get_data(as_text=True)
    row = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1]
    assert row[4].startswith("'=") and row[6] == "'@SUM(1)"


def test_xlsx_export(reported, client, resident):
    c = reported["c"]
    resp = client.get(f"/consultations/{c.id}/feedback.xlsx?lang=en")
    assert resp.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(resp.get_data()), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "Receipt number"
    assert len(rows) == 7
    flat = " ".join(str(v) for row in rows for v in row if v)
    assert MASKED_BODY in flat
    for secret in ("13812345678", "张三", resident.email, SECRET_BODY):
        assert secret not in flat


def test_atom_feed_lists_published_reports(reported, make_consultation, organizer, client):
    c2 = make_consultation(state="closed", title="标题 <含> & 特殊字符")
    editions.publish_report(organizer, c2, "摘要 <b>不是HTML</b>")
    editions.latest_edition(c2).published_at = utcnow() - timedelta(days=1)
    db.session.commit()
    resp = client.get("/feeds/feedback.atom")
    assert resp.mimetype == "application/atom+xml"
    root = ET.fromstring(resp.get_data())
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    entries = root.findall("a:entry", ns)
    assert len(entries) == 2
    assert (
        entries[0]
        .find("a:link", ns)
        .get("href")
        .endswith(f"/consultations/{reported['c'].id}/feedback")
    )
    titles = [e.find("a:title", ns).text for e in entries]
    assert any("标题 <含> & 特殊字符" in t for t in titles)
    for e in entries:
        assert e.find("a:id", ns).text and e.find("a:updated", ns).text


def test_feed_omits_confidential_decisions(make_consultation, make_decision, organizer, client):
    c = make_consultation(decision=make_decision(confidential=True), state="closed")
    editions.publish_report(organizer, c, "总结")
    db.session.commit()
    root = ET.fromstring(client.get("/feeds/feedback.atom").get_data())
    assert root.findall("{http://www.w3.org/2005/Atom}entry") == []


def test_pages_are_position_ranges_covering_every_comment_once(
    make_consultation, add_comment, organizer, approver
):
    """Two comments per second: the id breaks the tie, as in the ORDER BY, across pages."""
    c = make_consultation(state="closed")
    start = utcnow() - timedelta(days=3)
    made = [
        add_comment(c, f"意见{i}", submitted_at=start + timedelta(seconds=i // 2)) for i in range(8)
    ]
    for m in made:
        _answer(m, organizer, approver)
    edition = editions.publish_report(organizer, c, "总结")
    db.session.commit()
    pages = [reports.entry_page(edition, n, 3) for n in (1, 2, 3)]
    assert [[e.comment_id for e in p.items] for p in pages] == [
        [m.id for m in made[0:3]],
        [m.id for m in made[3:6]],
        [m.id for m in made[6:8]],
    ]
    assert (pages[2].has_next, pages[0].has_prev, pages[1].pages) == (False, False, 3)
    assert reports.entry_page(edition, 99, 3).page == 3  # clamped to the last page
