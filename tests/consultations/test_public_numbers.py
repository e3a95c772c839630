"""The catalogue numbers what is public: a confidential decision leaves no gap."""

from __future__ import annotations

import re

from participation.db import db


def _three(make_decision):
    first = make_decision(title="甲决策", number=1)
    secret = make_decision(title="涉密决策", number=2, confidential=True)
    third = make_decision(title="丙决策", number=3)
    return first, secret, third


def test_public_catalogue_numbers_leave_no_gap(client, make_decision):
    first, secret, third = _three(make_decision)
    html = client.get("/decisions/?lang=en").get_data(as_text=True)
    numbers = re.findall(r'<td data-label="No\." class="num nowrap">(\d+)</td>', html)
    assert numbers == ["1", "2"]
    assert "涉密决策" not in html
    # The decision after the secret one says "No. 2", not "No. 3".
    page = client.get(f"/decisions/{third.id}?lang=en").get_data(as_text=True)
    assert "No. 2" in page and "No. 3" not in page


def test_open_data_numbers_leave_no_gap(client, make_decision):
    first, secret, third = _three(make_decision)
    items = client.get("/api/v1/decisions").get_json()["items"]
    assert sorted(i["number"] for i in items) == [1, 2]
    assert client.get(f"/api/v1/decisions/{third.id}").get_json()["number"] == 2


def test_staff_see_their_stored_numbers(make_decision, organizer, login_as):
    first, secret, third = _three(make_decision)
    staff = login_as(organizer)
    # The public page is the same for everyone; the staff page keeps the stored number.
    assert "No. 2" in staff.get(f"/decisions/{third.id}?lang=en").get_data(as_text=True)
    assert "No. 3" in staff.get(f"/staff/decisions/{third.id}?lang=en").get_data(as_text=True)
    assert "No. 2" in staff.get(f"/decisions/{secret.id}?lang=en").get_data(as_text=True)
    db.session.refresh(third)
    assert third.number == 3  # nothing stored changes
