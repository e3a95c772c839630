"""The /notify namespace: announcements reach every page; notifications only their user."""

from __future__ import annotations

from participation import announcements
from participation.db import db
from participation.extensions import socketio
from tests.helpers import login


def _events(sio, name: str) -> list[dict]:
    return [r["args"][0] for r in sio.get_received("/notify") if r["name"] == name]


def test_announcement_is_pushed_to_anonymous_and_signed_in(app, make_user):
    admin = make_user(admin=True)
    reader = make_user()
    anon = socketio.test_client(app, namespace="/notify")
    signed = socketio.test_client(
        app, namespace="/notify", flask_test_client=login(app.test_client(), reader)
    )
    assert anon.is_connected("/notify") and signed.is_connected("/notify")
    announcements.publish(admin, "今晚22点系统维护，电话13812345678")
    db.session.commit()
    for client in (anon, signed):
        (msg,) = _events(client, "announcement")
        assert msg["text"] == "今晚22点系统维护，电话138****5678"  # masked even here


def test_uncommitted_announcement_is_never_pushed(app, make_user):
    admin = make_user(admin=True)
    anon = socketio.test_client(app, namespace="/notify")
    announcements.publish(admin, "草稿")
    db.session.rollback()
    assert _events(anon, "announcement") == []


def test_mail_notification_reaches_only_its_user(app, make_user):
    from participation.mail import send_mail

    alice, bob = make_user(), make_user()
    a = socketio.test_client(
        app, namespace="/notify", flask_test_client=login(app.test_client(), alice)
    )
    b = socketio.test_client(
        app, namespace="/notify", flask_test_client=login(app.test_client(), bob)
    )
    anon = socketio.test_client(app, namespace="/notify")
    send_mail(alice.email, "您的意见已收到", "正文", user=alice)
    db.session.commit()  # the Celery task runs eagerly after commit and pushes
    assert [m["subject"] for m in _events(a, "notification")] == ["您的意见已收到"]
    assert _events(b, "notification") == [] and _events(anon, "notification") == []


def test_announcement_form_for_admins_only(app, make_user):
    resident = make_user()
    resp = login(app.test_client(), resident).post("/admin/announcements", data={"text": "x"})
    assert resp.status_code == 403
    admin_client = login(app.test_client(), make_user(admin=True))
    resp = admin_client.post("/admin/announcements", data={"text": ""})
    assert resp.status_code == 400
    resp = admin_client.post("/admin/announcements", data={"text": "<script>alert(1)</script>"})
    assert resp.status_code == 302
    html = app.test_client().get("/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
