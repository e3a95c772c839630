"""Account, personal data export, staff and admin pages are never stored in a cache."""

from __future__ import annotations

import pytest


def _no_store(client, path: str) -> bool:
    resp = client.get(path)
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.headers.get("Cache-Control") == "no-store"


@pytest.mark.parametrize("path", ["/account/", "/account/data.json", "/account/comments"])
def test_account_and_personal_data_pages(make_user, login_as, path):
    assert _no_store(login_as(make_user()), path)


@pytest.mark.parametrize(
    "path", ["/staff/consultations/", "/staff/decisions/", "/events/manage", "/events/mine"]
)
def test_staff_pages(make_user, make_org, login_as, path):
    assert _no_store(login_as(make_user(org=make_org())), path)


@pytest.mark.parametrize("path", ["/admin/", "/admin/outbox", "/admin/audit"])
def test_admin_pages(make_user, login_as, path):
    assert _no_store(login_as(make_user(admin=True)), path)


def test_sign_in_page_even_anonymous(client):
    assert _no_store(client, "/account/login")


@pytest.mark.parametrize("path", ["/", "/consultations/", "/events/"])
def test_public_pages_for_anonymous_readers_may_be_cached(client, path):
    assert not _no_store(client, path)


def test_public_pages_seen_signed_in_are_not_stored(make_user, login_as):
    assert _no_store(login_as(make_user()), "/")  # the header names the person
