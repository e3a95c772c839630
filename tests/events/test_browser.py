"""The resident's whole journey in a real browser against a real server process:
sign up, lottery, mails, check-in at the door, confirm the record, read the response.
Time moves forward by editing the event's dates in the server's database."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from playwright.sync_api import expect

from events import lottery
from participation.demo import ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
HEARING = "《山东省大气污染防治条例（修订草案）》立法听证会"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Our own server process (with demo data), so the test can reach its database."""
    from tests.conftest import free_port
    from tests.processes import start_web

    instance = tmp_path_factory.mktemp("events-live")
    db_url = f"sqlite:///{instance / 'live.db'}"
    env = {"DATABASE_URL": db_url, "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": "0"}
    with start_web(free_port(), env, prepare=True) as url:
        yield url, db_url


def _on_server_db(db_url: str, fn: Any) -> Any:
    """Run fn() with an app bound to the server's database (a second process's view)."""
    from participation import create_app
    from participation.db import db

    other = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "SERVER_NAME": None})
    with other.app_context(), other.test_request_context("/"):
        result = fn()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return result


def _login(browser: Any, base: str, email: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="en-US").new_page()
    page.goto(f"{base}/account/login?lang=en")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button").first.click()
    page.wait_for_load_state()
    return page


def test_resident_signs_up_is_selected_checks_in_confirms_and_reads_response(
    server: tuple[str, str], browser: Any, screenshot: Any
) -> None:
    from events.models import Application, Event
    from events.services import applications
    from participation.db import db, utcnow
    from participation.models import OutboxMail, User

    base, db_url = server
    resident_email = ACCOUNTS["resident"][0]
    event_id = _on_server_db(
        db_url, lambda: db.session.scalar(sa.select(Event.id).where(Event.title == HEARING))
    )

    # 1. The resident finds the hearing and applies (as an expert; stakeholders overbook).
    resident = _login(browser, base, resident_email, DESKTOP)
    resident.goto(f"{base}/events/?lang=en")
    screenshot(resident, "events-list-desktop")
    resident.get_by_role("link", name=HEARING).click()
    expect(resident.get_by_role("heading", name="Selection method")).to_be_visible()
    screenshot(resident, "events-detail-desktop")
    resident.get_by_role("link", name="Apply to attend").click()
    resident.locator("input[name=category][value=expert]").check()
    resident.get_by_label("Affiliation").fill("山东大学环境学院")
    resident.get_by_label("The views you intend to present").fill(
        "建议把扬尘在线监测数据实时向社会公开。"
    )
    phone_resident = _login(browser, base, ACCOUNTS["resident"][0], PHONE)
    phone_resident.goto(f"{base}/events/{event_id}/apply?lang=en")
    screenshot(phone_resident, "events-apply-phone")
    resident.get_by_role("button", name="Send application").click()
    expect(resident.get_by_text("Applied, awaiting selection").first).to_be_visible()

    # More stakeholders apply than there are seats, then sign-up closes.
    def overbook_and_close() -> None:
        event = db.session.get(Event, event_id)
        for user in db.session.scalars(
            sa.select(User).where(User.email.like("resident1_@example.cn")).limit(5)
        ):
            applications.apply(
                user, event, {"category": "stakeholder", "full_name": user.display_name,
                              "statement": "希望加强对工地扬尘的执法检查。"}
            )  # fmt: skip
        db.session.commit()
        event.signup_closes_at = utcnow() - timedelta(minutes=1)

    _on_server_db(db_url, overbook_and_close)

    # 2. The organizer fixes the list with the seed hash, draws, publishes the list.
    organizer = _login(browser, base, ACCOUNTS["organizer"][0], DESKTOP)
    organizer.goto(f"{base}/events/{event_id}/manage?lang=en")
    organizer.get_by_role("button", name="Close the list and publish the seed hash").click()
    seed_hash = requests.get(f"{base}/events/{event_id}/selection.json", timeout=10).json()[
        "seed_hash"
    ]
    organizer.get_by_role("button", name="Draw now").click()
    organizer.get_by_role("button", name="Publish the participant list").click()
    screenshot(organizer, "events-manage-desktop")

    # Anyone re-verifies the lottery from the published data alone.
    document = requests.get(f"{base}/events/{event_id}/selection.json", timeout=10).json()
    assert document["seed_hash"] == seed_hash and lottery.verify(document).ok
    run = subprocess.run(
        [sys.executable, "-m", "events.lottery", "verify", "-"],
        input=json.dumps(document), capture_output=True, text=True,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout
    assert len(document["categories"]["stakeholder"]["waitlist"]) == 2

    # 3. Selected: the seat, the check-in code and QR on the resident's page; the mails.
    resident.goto(f"{base}/events/{event_id}/mine?lang=en")
    expect(resident.get_by_text("Seat confirmed").first).to_be_visible()
    code = resident.locator(".ticket .code").inner_text().strip()
    assert len(code) == 8
    screenshot(resident, "events-mine-confirmed-desktop")
    phone_resident.goto(f"{base}/events/{event_id}/mine?lang=en")
    screenshot(phone_resident, "events-mine-confirmed-phone")

    def mails() -> list[tuple[str, list[str]]]:
        rows = db.session.scalars(
            sa.select(OutboxMail)
            .where(OutboxMail.recipient == resident_email)
            .order_by(OutboxMail.id)
        )
        return [(m.subject, [a["filename"] for a in m.attachments]) for m in rows]

    received = _on_server_db(db_url, mails)
    confirmation = [files for subject, files in received if HEARING in subject and files]
    assert confirmation and any(f.endswith(".ics") for f in confirmation[-1])
    assert any(f.endswith(".png") for f in confirmation[-1])

    # 4. The day comes: check-in on the organizer's phone by typing the code.
    def start_now() -> None:
        event = db.session.get(Event, event_id)
        now = utcnow()
        event.signup_opens_at, event.signup_closes_at = (
            now - timedelta(days=30),
            now - timedelta(days=10),
        )
        event.starts_at, event.ends_at = now - timedelta(minutes=5), now + timedelta(hours=3)

    _on_server_db(db_url, start_now)
    door = _login(browser, base, ACCOUNTS["organizer"][0], PHONE)
    door.goto(f"{base}/events/{event_id}/checkin?lang=en")
    screenshot(door, "events-checkin-phone-empty")
    door.get_by_label("Check-in code").fill(code.lower())
    door.get_by_role("button", name="Check in").click()
    expect(door.get_by_text("Welcome")).to_be_visible()
    screenshot(door, "events-checkin-phone")

    # 5. The organizer records the statement; the resident confirms (signs) it.
    organizer.goto(f"{base}/events/{event_id}/manage?lang=en")
    organizer.get_by_label("Participant").select_option(label="王小明 (山东大学环境学院)")
    organizer.locator("#f-body").fill(
        "王小明：建议把扬尘在线监测数据实时向社会公开，并设定超标处罚标准。"
    )
    organizer.get_by_role("button", name="Add to the record").click()
    resident.goto(f"{base}/events/{event_id}/mine?lang=en")
    resident.get_by_role("button", name="Confirm (sign) this statement").click()
    expect(resident.get_by_text("Confirmed by you")).to_be_visible()
    organizer.goto(f"{base}/events/{event_id}/manage?lang=en")
    organizer.get_by_role("button", name="File statements").click()
    expect(organizer.get_by_text("statements are filed as comments")).to_be_visible()

    # 6. The agency answers the filed statement (the responses workflow is another
    # feature); the resident reads the answer on their page, and evaluates the event.
    def answer() -> None:
        from consultations.models import Comment, Outcome, Response, ResponseStatus
        from events.models import RecordEntry

        entry = db.session.scalar(
            sa.select(RecordEntry)
            .join(Application, Application.id == RecordEntry.application_id)
            .join(User, User.id == Application.user_id)
            .where(User.email == resident_email)
        )
        comment = db.session.get(Comment, entry.comment_id)
        db.session.add(
            Response(
                comment_id=comment.id,
                organization_id=comment.consultation.decision.organization_id,
                outcome=Outcome.adopted, reason="已采纳：修改稿第十八条要求公开扬尘在线监测数据。",
                status=ResponseStatus.published, published_at=utcnow(),
            )
        )  # fmt: skip

    _on_server_db(db_url, answer)
    resident.goto(f"{base}/events/{event_id}/mine?lang=en")
    expect(resident.get_by_text("已采纳：修改稿第十八条要求公开扬尘在线监测数据。")).to_be_visible()
    expect(resident.get_by_text("Response to your statement")).to_be_visible()
    for question in ("Overall satisfaction", "Notice, materials and venue", "My views were heard"):
        resident.locator("fieldset", has_text=question).get_by_label("5").check()
    resident.get_by_role("button", name="Send evaluation").click()
    expect(resident.get_by_text("Thank you for your evaluation")).to_be_visible()
    screenshot(resident, "events-mine-answered-desktop")
    phone_resident.goto(f"{base}/events/{event_id}/mine?lang=en")
    screenshot(phone_resident, "events-mine-answered-phone")

    # The public page shows the participant list and the confirmed record.
    resident.goto(f"{base}/events/{event_id}?lang=en")
    expect(resident.get_by_role("heading", name="Participants")).to_be_visible()
    expect(resident.get_by_text("Confirmed by the speaker").first).to_be_visible()
    screenshot(resident, "events-detail-after-desktop")
    phone_resident.goto(f"{base}/events/{event_id}?lang=en")
    screenshot(phone_resident, "events-detail-after-phone")
