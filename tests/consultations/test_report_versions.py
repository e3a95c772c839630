"""Published feedback reports are fixed versions: late opinions and responses wait for an
addendum that a second organizer publishes; every version stays readable in every format;
no version is published while an opinion is held or unanswered."""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from consultations.models import (
    Channel,
    CommentGroup,
    CommentStatus,
    EditionStatus,
    ReportEdition,
)
from consultations.services import editions, responses
from consultations.services.comments import enter_offline_comment
from participation.db import db
from participation.errors import PermissionDenied, ServiceError
from participation.models import AuditEntry


def _answer(target, organizer, approver, outcome="not_adopted", reason="与上位法规定不一致。"):
    if isinstance(target, CommentGroup):
        r = responses.draft_for_group(organizer, target, outcome, reason)
    else:
        r = responses.draft_for_comment(organizer, target, outcome, reason)
    responses.approve(approver, r)
    responses.publish(approver, r)
    return r


@pytest.fixture
def published(make_consultation, add_comment, organizer, approver):
    """Version 1: three answered opinions, one of them on the whole draft."""
    c = make_consultation(state="closed")
    group = CommentGroup(consultation_id=c.id, title="取消限行", confirmed=True)
    db.session.add(group)
    db.session.commit()
    members = [add_comment(c, f"建议取消限行{i}", group_id=group.id) for i in range(2)]
    on_article = add_comment(c, "第一条应写明适用范围。", article_id=c.draft.articles[0].id)
    _answer(group, organizer, approver, "not_adopted", "依据上位法设定。")
    _answer(on_article, organizer, approver, "adopted", "")
    editions.publish_report(organizer, c, "共收到意见3条。")
    db.session.commit()
    return {"c": c, "group": group, "members": members, "on_article": on_article}


def _late_statement(c, organizer, text="听证会上的陈述：建议增加公众参与条款。"):
    """What a hearing files after the report is out (events -> enter_offline_comment)."""
    comment = enter_offline_comment(
        organizer,
        c,
        channel=Channel.hearing,
        body=text,
        author_label="陈述人",
        source_ref="event:1/record:1",
    )
    db.session.commit()
    return comment


def _csv(client, url):
    resp = client.get(url)
    assert resp.status_code == 200, url
    return resp, list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))


def test_late_statement_and_late_response_do_not_change_version_1(
    published, organizer, approver, client
):
    c = published["c"]
    url = f"/consultations/{c.id}/feedback?lang=en"
    before = client.get(url).get_data(as_text=True)
    assert "<strong>3</strong> comments" in before
    late = _late_statement(c, organizer)
    # A member answered on its own now: its effective response changes.
    _answer(published["members"][0], organizer, approver, "partly_adopted", "部分采纳。")
    db.session.commit()
    after = client.get(url).get_data(as_text=True)
    assert "<strong>3</strong> comments" in after and late.receipt_no not in after
    assert "部分采纳。" not in after and "Updated on" not in after
    _resp, rows = _csv(client, f"/consultations/{c.id}/feedback.csv?lang=en")
    assert len(rows) == 4 and late.receipt_no not in {r[0] for r in rows}
    body = client.get(f"/api/v1/consultations/{c.id}/feedback").get_json()
    assert body["figures"]["comments"] == 3 and body["version"]["number"] == 1


def test_addendum_needs_a_second_organizer_and_old_versions_stay_readable(
    published, organizer, approver, login_as, client
):
    c = published["c"]
    late = _late_statement(c, organizer)
    _answer(late, organizer, approver, "adopted", "")
    _answer(published["members"][0], organizer, approver, "partly_adopted", "部分采纳。")
    db.session.commit()

    staff = login_as(organizer)
    page = staff.get(f"/staff/consultations/{c.id}/report?lang=en").get_data(as_text=True)
    assert "Pending addendum (version 2)" in page
    assert late.receipt_no in page and published["members"][0].receipt_no in page

    resp = staff.post(
        f"/staff/consultations/{c.id}/report?lang=en",
        data={"summary": "共收到意见4条。", "note": "增加听证会陈述一条。"},
    )
    assert resp.status_code == 303
    # The writer cannot publish it: the two-person rule.
    resp = staff.post(f"/staff/consultations/{c.id}/report/addendum/publish?lang=en")
    assert resp.status_code == 403
    assert editions.latest_edition(c).number == 1
    assert client.get(f"/consultations/{c.id}/feedback/v/2").status_code == 404  # a draft

    resp = login_as(approver).post(f"/staff/consultations/{c.id}/report/addendum/publish")
    assert resp.status_code == 303
    v2 = editions.latest_edition(c)
    assert (v2.number, v2.published_by_id, v2.drafted_by_id) == (2, approver.id, organizer.id)
    assert v2.figures["added"] == 1 and v2.figures["changed"] == 1
    assert db.session.scalar(
        sa.select(AuditEntry.id).where(AuditEntry.action == "report.addendum_publish")
    )

    latest = client.get(f"/consultations/{c.id}/feedback?lang=en").get_data(as_text=True)
    assert "Updated on" in latest and "See what changed" in latest
    assert "增加听证会陈述一条。" in latest and "<strong>4</strong> comments" in latest
    assert late.receipt_no in latest and "部分采纳。" in latest
    assert "1 opinion added" in latest and "1 response changed" in latest
    changed_only = client.get(f"/consultations/{c.id}/feedback?changed=1").get_data(as_text=True)
    assert (
        late.receipt_no in changed_only and published["on_article"].receipt_no not in changed_only
    )

    old = client.get(f"/consultations/{c.id}/feedback/v/1?lang=en")
    assert old.status_code == 200
    html = old.get_data(as_text=True)
    assert "<strong>3</strong> comments" in html and late.receipt_no not in html
    assert "This report was updated since" in html and "部分采纳。" not in html
    assert "共收到意见3条。" in html and "共收到意见4条。" not in html

    for n, count in ((1, 3), (2, 4)):
        resp, rows = _csv(client, f"/consultations/{c.id}/feedback/v/{n}.csv?lang=en")
        assert f"feedback-{c.id}-v{n}.csv" in resp.headers["Content-Disposition"]
        assert rows[0][-1] == "Report version" and len(rows) == count + 1
        assert {r[-1] for r in rows[1:]} == {str(n)}
        xlsx = client.get(f"/consultations/{c.id}/feedback/v/{n}.xlsx")
        assert f"feedback-{c.id}-v{n}.xlsx" in xlsx.headers["Content-Disposition"]
        wb = openpyxl.load_workbook(io.BytesIO(xlsx.get_data()))
        assert wb.properties.version == str(n) and wb.active.max_row == count + 1
        body = client.get(f"/api/v1/consultations/{c.id}/feedback/v/{n}").get_json()
        assert body["version"]["number"] == n and body["latest_version"] == 2
        assert body["figures"]["comments"] == count and len(body["comments"]) == count
        assert sum(body["figures"]["by_outcome"].values()) == count  # the figures add up
    assert rows[1:][-1][0] == late.receipt_no and rows[1:][-1][-2] == "Added in this version"
    body = client.get(f"/api/v1/consultations/{c.id}/feedback").get_json()
    assert [v["number"] for v in body["versions"]] == [1, 2]
    assert body["versions"][0]["csv_url"].endswith(f"/consultations/{c.id}/feedback/v/1.csv")
    assert client.get(f"/consultations/{c.id}/feedback/v/3").status_code == 404
    assert client.get(f"/api/v1/consultations/{c.id}/feedback/v/3").status_code == 404


def test_nothing_to_publish_and_rewriting_makes_the_rewriter_the_drafter(
    published, organizer, approver
):
    c = published["c"]
    editions.save_addendum(organizer, c, "总结", "说明")
    with pytest.raises(ServiceError, match="没有变化"):
        editions.publish_addendum(approver, c)
    # The approver rewrites the text: now the organizer must publish it.
    editions.save_addendum(approver, c, "总结二", "说明二")
    with pytest.raises(PermissionDenied):
        editions.publish_addendum(approver, c)
    editions.discard_addendum(organizer, c)
    assert editions.draft_addendum(c) is None
    with pytest.raises(ServiceError, match="上一版"):
        editions.save_addendum(organizer, c, "总结", " ")


def test_publishing_is_refused_while_held_or_unanswered_with_the_receipts(
    make_consultation, add_comment, organizer, approver, login_as
):
    c = make_consultation(state="closed")
    answered = add_comment(c)
    _answer(answered, organizer, approver)
    held = add_comment(c, "让加微信办理", status=CommentStatus.pending)
    unanswered = add_comment(c, "建议延长公示期。")
    client = login_as(organizer)
    one_each = (
        ("en", "1 comment is held for moderation"),
        ("en", "1 comment has no published response yet"),
        ("zh", "1 条意见仍待审核"),
    )
    for lang, words in one_each:
        resp = client.post(
            f"/staff/consultations/{c.id}/report?lang={lang}", data={"summary": "总结"}
        )
        assert resp.status_code == 400
        html = resp.get_data(as_text=True)
        assert words in html and held.receipt_no in html and unanswered.receipt_no in html
        assert f"/staff/consultations/{c.id}/moderation" in html
        assert f"/staff/comments/{unanswered.id}/response" in html
    assert editions.latest_edition(c) is None and c.report_published_at is None

    # Accepted and answered, both: publication goes through and the figures add up.
    held.status = CommentStatus.accepted
    _answer(held, organizer, approver, "explained", "不属于本次征求意见范围。")
    _answer(unanswered, organizer, approver)
    db.session.commit()
    edition = editions.publish_report(organizer, c, "总结")
    assert edition.figures["comments"] == 3 == sum(edition.figures["by_outcome"].values())

    # A held opinion after publication blocks the addendum too.
    add_comment(c, "又一条待审核意见", status=CommentStatus.pending)
    late = add_comment(c, "迟到的意见。")
    _answer(late, organizer, approver)
    editions.save_addendum(organizer, c, "总结", "新增一条。")
    with pytest.raises(editions.PublicationRefused, match="待审核"):
        editions.publish_addendum(approver, c)


def test_only_the_lead_agency_drafts_or_publishes_addenda(
    published, resident, make_org, make_user, login_as, client
):
    c = published["c"]
    other = make_user(org=make_org("山东省交通运输厅"))
    for user in (resident, other):
        session = login_as(user)
        for url in ("report", "report/addendum/publish", "report/addendum/discard"):
            resp = session.post(
                f"/staff/consultations/{c.id}/{url}", data={"summary": "x", "note": "y"}
            )
            assert resp.status_code == 403, (user.email, url)
        assert session.get(f"/staff/consultations/{c.id}/report").status_code == 403
    anonymous = client.post(f"/staff/consultations/{c.id}/report/addendum/publish")
    assert anonymous.status_code in (302, 401)
    assert db.session.scalar(sa.select(sa.func.count(ReportEdition.id))) == 1


def test_staff_pages_warn_that_work_goes_into_an_addendum(
    make_consultation, add_comment, organizer, approver, login_as
):
    c = make_consultation(state="closed")
    comment = add_comment(c)
    staff = login_as(organizer)
    notice = "goes into an addendum to the published report"
    pages = (
        f"/staff/comments/{comment.id}/response?lang=en",
        f"/staff/consultations/{c.id}/?lang=en",
        f"/staff/consultations/{c.id}/offline?lang=en",
        f"/staff/consultations/{c.id}/moderation?lang=en",
    )
    for url in pages:
        assert notice not in staff.get(url).get_data(as_text=True), url
    _answer(comment, organizer, approver)
    editions.publish_report(organizer, c, "总结")
    db.session.commit()
    for url in pages:
        resp = staff.get(url)
        assert resp.status_code == 200 and notice in resp.get_data(as_text=True), url


def test_whole_draft_opinions_in_every_export(published, client):
    c = published["c"]
    member, on_article = published["members"][0], published["on_article"]
    _resp, rows = _csv(client, f"/consultations/{c.id}/feedback.csv?lang=en")
    by_receipt = {r[0]: r for r in rows[1:]}
    assert by_receipt[member.receipt_no][1] == "whole draft"
    assert by_receipt[on_article.receipt_no][1] == "第1条"
    _resp, rows = _csv(client, f"/consultations/{c.id}/feedback.csv?lang=zh")
    assert {r[0]: r for r in rows[1:]}[member.receipt_no][1] == "草案整体"
    body = client.get(f"/api/v1/consultations/{c.id}/feedback").get_json()
    rows = {r["receipt"]: r for r in body["comments"]}
    assert rows[member.receipt_no]["article"] is None
    assert rows[member.receipt_no]["whole_draft"] is True
    assert rows[on_article.receipt_no]["whole_draft"] is False
    date.fromisoformat(rows[member.receipt_no]["submitted_on"])


def test_xlsx_is_readable_frozen_header_widths_wrapping_and_real_dates(published, client):
    c = published["c"]
    resp = client.get(f"/consultations/{c.id}/feedback.xlsx?lang=en")
    wb = openpyxl.load_workbook(io.BytesIO(resp.get_data()))
    ws = wb.active
    assert ws.freeze_panes == "A2"
    assert ws["A1"].value == "Receipt number" and ws["A1"].font.b
    widths = {
        ws.cell(1, i).value: ws.column_dimensions[ws.cell(1, i).column_letter].width
        for i in range(1, ws.max_column + 1)
    }
    assert widths["Published text"] >= 40 and widths["Reason"] >= 40
    assert widths["Receipt number"] >= 15
    headers = [cell.value for cell in ws[1]]
    text_col = headers.index("Published text") + 1
    sub_col = headers.index("Submitted on") + 1
    resp_col = headers.index("Response published on") + 1
    for row in range(2, ws.max_row + 1):
        assert ws.cell(row, text_col).alignment.wrap_text
        submitted = ws.cell(row, sub_col)
        assert submitted.is_date and submitted.number_format == "yyyy-mm-dd"
        assert ws.cell(row, resp_col).is_date
    whole = [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)]
    assert whole.count("whole draft") == 2
    assert wb.properties.version == "1"


def test_xlsx_keeps_formula_injection_protection(
    make_consultation, add_comment, organizer, approver, client
):
    c = make_consultation(state="closed")
    x = add_comment(c, '=HYPERLINK("http://evil")')
    _answer(x, organizer, approver, "explained", "@SUM(1)")
    editions.publish_report(organizer, c, "总结")
    db.session.commit()
    wb = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/consultations/{c.id}/feedback.xlsx").get_data())
    )
    row = [cell.value for cell in wb.active[2]]
    assert row[4].startswith("'=") and row[6] == "'@SUM(1)"
    assert wb.active.cell(2, 5).data_type == "s"


def test_a_draft_edition_is_not_public(published, organizer):
    c = published["c"]
    editions.save_addendum(organizer, c, "总结", "说明")
    db.session.commit()
    assert (
        db.session.scalar(
            sa.select(sa.func.count(ReportEdition.id)).where(
                ReportEdition.status == EditionStatus.draft
            )
        )
        == 1
    )
    assert [e.number for e in editions.published_editions(c)] == [1]


def test_feed_entry_is_updated_by_an_addendum(published, organizer, approver, client):
    import xml.etree.ElementTree as ET

    c = published["c"]
    late = _late_statement(c, organizer)
    _answer(late, organizer, approver, "adopted", "")
    editions.save_addendum(organizer, c, "总结", "新增一条。")
    v2 = editions.publish_addendum(approver, c)
    db.session.commit()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(client.get("/feeds/feedback.atom").get_data())
    entry = root.find("a:entry", ns)
    assert entry.find("a:updated", ns).text == v2.published_at.isoformat()
    assert entry.find("a:published", ns).text == c.report_published_at.isoformat()
    assert entry.find("a:updated", ns).text != entry.find("a:published", ns).text
