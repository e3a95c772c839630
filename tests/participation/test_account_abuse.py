"""Account abuse (issue 11): registration does not reveal accounts, weak passwords and
names with personal data are refused with a clear message."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation import accounts, passwords
from participation.db import db
from participation.errors import ServiceError
from participation.models import OutboxMail, User

FORM = {"password": "a-long-password", "display_name": "新用户", "consent": "yes"}


def _mails(to: str) -> list[OutboxMail]:
    return list(db.session.scalars(sa.select(OutboxMail).where(OutboxMail.recipient == to)))


# --------------------------------------------------------------------------- registration


def test_taken_and_new_addresses_get_the_same_answer(client, make_user):
    make_user("taken@example.org", name="原用户")
    answers = []
    for email in ("taken@example.org", "fresh@example.org"):
        resp = client.post("/account/register?lang=en", data={**FORM, "email": email})
        page = client.get(resp.headers["Location"] + "?lang=en").get_data(as_text=True)
        answers.append((resp.status_code, resp.headers["Location"], "check your mailbox" in page))
    assert answers[0] == answers[1] == (302, "/account/login", True)


def test_owner_of_a_taken_address_gets_a_notice_not_a_second_account(client, make_user):
    owner = make_user("taken@example.org", name="原用户")
    hash_before = owner.password_hash
    resp = client.post("/account/register", data={**FORM, "email": "Taken@Example.org"})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1
    db.session.refresh(owner)
    assert owner.password_hash == hash_before and owner.display_name == "原用户"
    [notice] = _mails("taken@example.org")
    assert "/account/login" in notice.body and "/account/reset" in notice.body
    assert "/account/verify/" not in notice.body  # nothing that would take over the account


def test_new_account_is_not_signed_in_until_it_confirms(client):
    client.post("/account/register", data={**FORM, "email": "fresh@example.org"})
    assert client.get("/account/").status_code == 302  # to the sign-in page
    [mail] = _mails("fresh@example.org")
    assert "/account/verify/" in mail.body


def test_cli_create_admin_refuses_a_taken_address(app, make_user):
    make_user("taken@example.org")
    result = app.test_cli_runner().invoke(
        args=["create-admin", "taken@example.org", "管理员"],
        input="a-long-password\na-long-password\n",
    )
    assert result.exit_code != 0 and "exists already" in result.output


# --------------------------------------------------------------------------- passwords

WEAK = [
    ("1111111111", "repeat"),  # from the outside review
    ("aaaaaaaaaaaa", "repeat"),
    ("abcabcabcabc", "repeat"),
    ("1234567890", "common"),
    ("0987654321", "common"),
    ("abcdefghijk", "sequence"),
    ("qwertyuiop", "common"),
    ("1qaz2wsx3edc", "common"),
    ("password123", "common"),
    ("woaini1314", "common"),  # from the bundled Chinese list
    ("WOAINI5201314", "common"),
    ("alicew@example.org", "email"),
    ("xx-alicew-2026", "email"),  # the local part of the address
]


@pytest.mark.parametrize(("password", "why"), WEAK)
def test_weak_passwords_are_refused_with_a_reason(app, password, why):
    with app.test_request_context("/?lang=en"), pytest.raises(ServiceError) as info:
        passwords.check(password, email="alicew@example.org", name="爱丽丝")
    assert info.value.field == "password"
    words = {
        "repeat": "repeat",
        "sequence": "sequence",
        "common": "common",
        "email": "email address",
    }
    message = info.value.message
    assert words[why] in message or (why == "common" and "sequence" in message), message


@pytest.mark.parametrize(
    "password", ["correct horse battery", "a-long-password", "秋天的济南大明湖2026", "Tr0ub4dor&3x"]
)
def test_ordinary_good_passwords_pass(app, password):
    with app.test_request_context("/?lang=en"):
        passwords.check(password, email="alicew@example.org", name="爱丽丝")


def test_register_refuses_a_common_password_in_chinese_and_writes_nothing(client):
    resp = client.post(
        "/account/register", data={**FORM, "email": "w@example.org", "password": "1111111111"}
    )
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="e-password"' in html and "1111111111" in html  # the message names the pattern
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert _mails("w@example.org") == []


def test_reset_refuses_a_password_with_the_email(app, make_user):
    user = make_user("carol.w@example.org")
    with app.test_request_context("/?lang=en"), pytest.raises(ServiceError) as info:
        accounts._check_password_strength("carol.w@example.org!", user.email)
    assert "email" in info.value.message


def test_very_long_passwords_are_checked_without_error(app):
    with app.test_request_context("/?lang=en"):
        passwords.check("济南-" + "k8Qz-mW3p-" * 19, email="a@example.org")  # 193 characters


# --------------------------------------------------------------------------- display names


@pytest.mark.parametrize(
    "name",
    [
        "张三13912345678",
        "李四 139 1234 5678",
        "王五 wang@example.com",
        "赵六一三九一二三四五六七八",
    ],
)
def test_names_with_personal_data_are_refused(client, name):
    resp = client.post(
        "/account/register?lang=en", data={**FORM, "email": "n@example.org", "display_name": name}
    )
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="e-display_name"' in html and "phone numbers" in html
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_a_stored_name_with_a_phone_is_masked_when_read(make_user):
    user = make_user("old@example.org", name="张三")
    # Stored before names were screened (bypassing the ORM, as old rows are).
    db.session.execute(
        sa.update(User).where(User.id == user.id).values(display_name="张三13912345678")
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "张三139****5678"


def test_profile_name_change_refuses_personal_data_and_keeps_the_old_name(make_user, login_as):
    user = make_user(name="居民甲")
    client = login_as(user)
    resp = client.post("/account/name?lang=en", data={"display_name": "居民甲 138.1234.5678"})
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert 'id="e-display_name"' in html and "phone numbers" in html
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "居民甲"

    resp = client.post("/account/name", data={"display_name": "居民乙"})
    assert resp.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == "居民乙"
    assert "居民乙" in client.get("/account/").get_data(as_text=True)
