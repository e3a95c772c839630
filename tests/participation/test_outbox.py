"""The admin outbox: attachments download, words for statuses, secrets hidden, reads audited."""

from __future__ import annotations

import re

import sqlalchemy as sa

from participation import outbox
from participation.db import db
from participation.mail import Attachment, send_mail
from participation.models import AuditEntry, OutboxMail


def _reset_mail(client, user) -> OutboxMail:
    client.post("/account/reset", data={"email": user.email})
    mail = db.session.scalars(
        sa.select(OutboxMail).where(OutboxMail.recipient == user.email)
    ).first()
    assert mail is not None
    return mail


def _token(mail: OutboxMail) -> str:
    match = re.search(r"/account/reset/([^\s]+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_outbox_views_hide_a_reset_link_but_the_stored_mail_keeps_it(client, make_user, login_as):
    victim = make_user()
    admin = login_as(make_user(admin=True))
    mail = _reset_mail(client, victim)
    token = _token(mail)  # the stored mail still works for delivery (and for tests)

    listing = admin.get("/admin/outbox")
    assert listing.status_code == 200
    detail = admin.get(f"/admin/outbox/{mail.id}")
    assert detail.status_code == 200
    for page in (listing, detail):
        html = page.get_data(as_text=True)
        assert token not in html
        # No fragment long enough to rebuild the signature either.
        assert token.split(".")[-1] not in html
    html = detail.get_data(as_text=True)
    assert "/account/reset/[已隐藏]" in html
    # The hidden link is useless: the real one still resets the password.
    assert client.get(f"/account/reset/{token}").status_code == 200


def test_verification_links_and_stray_tokens_are_hidden(app, client, make_user, login_as):
    admin = login_as(make_user(admin=True))
    client.post(
        "/account/register",
        data={
            "email": "new@example.org",
            "password": "a-long-password",
            "display_name": "新用户",
            "consent": "yes",
        },
    )
    mail = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.recipient == "new@example.org"))
    token = re.search(r"/account/verify/([^\s]+)", mail.body).group(1)
    html = admin.get(f"/admin/outbox/{mail.id}?lang=en").get_data(as_text=True)
    assert token not in html and "/account/verify/[hidden]" in html

    # A signed token outside any known route (another host, a prefix) is hidden too.
    with app.test_request_context("/?lang=en"):
        text = f"open https://mirror.example/sub/account/reset/{token} now"
        assert token not in outbox.redact(text)
        assert outbox.redact("Receipt YJ2026-ABCD-EFGH-12, see /receipts/") == (
            "Receipt YJ2026-ABCD-EFGH-12, see /receipts/"
        )


def test_every_outbox_read_is_audited_with_who_read_what(client, make_user, login_as):
    victim = make_user()
    reader = make_user(admin=True)
    admin = login_as(reader)
    mail = _reset_mail(client, victim)
    send_mail(
        "x@example.org",
        "Ticket",
        "body",
        attachments=[Attachment("event-1.ics", "text/calendar", b"BEGIN:VCALENDAR")],
    )
    db.session.commit()
    ics = db.session.scalar(sa.select(OutboxMail).where(OutboxMail.subject == "Ticket"))

    admin.get("/admin/outbox")
    admin.get(f"/admin/outbox/{mail.id}")
    admin.get(f"/admin/outbox/{ics.id}/attachments/0")
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action.startswith("outbox.")).order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.actor_id) for e in entries] == [
        ("outbox.list", reader.id),
        ("outbox.read", reader.id),
        ("outbox.attachment", reader.id),
    ]
    assert set(entries[0].data["mail_ids"]) == {mail.id, ics.id}
    assert entries[1].target_id == str(mail.id) and entries[1].data["to"] == victim.email
    assert entries[2].target_id == str(ics.id) and entries[2].data["filename"] == "event-1.ics"


def test_attachments_download_with_their_type(make_user, login_as):
    admin = login_as(make_user(admin=True))
    png = b"\x89PNG\r\n\x1a\nfake"
    mail = send_mail(
        "x@example.org",
        "Ticket",
        "body",
        attachments=[
            Attachment("event-1.ics", "text/calendar", b"BEGIN:VCALENDAR"),
            Attachment("checkin-AB12.png", "image/png", png),
        ],
    )
    db.session.commit()

    detail = admin.get(f"/admin/outbox/{mail.id}").get_data(as_text=True)
    assert f"/admin/outbox/{mail.id}/attachments/0" in detail
    assert f"/admin/outbox/{mail.id}/attachments/1" in detail

    ics = admin.get(f"/admin/outbox/{mail.id}/attachments/0")
    assert ics.status_code == 200 and ics.data == b"BEGIN:VCALENDAR"
    assert ics.mimetype == "text/calendar"
    assert ics.headers["Content-Disposition"].startswith("attachment;")
    assert "event-1.ics" in ics.headers["Content-Disposition"]
    qr = admin.get(f"/admin/outbox/{mail.id}/attachments/1")
    assert qr.status_code == 200 and qr.data == png and qr.mimetype == "image/png"
    assert qr.headers["Content-Disposition"].startswith("attachment;")

    assert admin.get(f"/admin/outbox/{mail.id}/attachments/2").status_code == 404
    assert admin.get(f"/admin/outbox/{mail.id + 99}/attachments/0").status_code == 404
    assert admin.get(f"/admin/outbox/{mail.id + 99}").status_code == 404


def test_status_is_a_word_in_the_reader_s_language(make_user, login_as):
    admin = login_as(make_user(admin=True))
    mail = send_mail("x@example.org", "Hello", "body")
    db.session.commit()  # no mail server: delivery keeps it
    assert db.session.get(OutboxMail, mail.id).status == "kept"
    zh = admin.get("/admin/outbox").get_data(as_text=True)
    assert "已保留在此（未配置邮件服务器）" in zh
    assert ">kept<" not in zh
    en = admin.get(f"/admin/outbox/{mail.id}?lang=en").get_data(as_text=True)
    assert "Kept here (no mail server)" in en


def test_non_admins_cannot_read_the_outbox(client, make_user, make_org, login_as):
    mail = send_mail(
        "x@example.org", "Ticket", "body", attachments=[Attachment("a.ics", "text/calendar", b"x")]
    )
    db.session.commit()
    organizer = login_as(make_user(org=make_org()))
    resident = login_as(make_user())
    for path in (
        "/admin/outbox",
        f"/admin/outbox/{mail.id}",
        f"/admin/outbox/{mail.id}/attachments/0",
    ):
        assert organizer.get(path).status_code == 403
        assert resident.get(path).status_code == 403
        assert client.get(path).status_code in (302, 401)
    assert (
        db.session.scalar(
            sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action.startswith("outbox."))
        )
        == 0
    )
