"""Withdrawing in a real browser: a resident applies, withdraws through the confirmation
page (checked with axe), and applies again while sign-up is open. The public lottery
page, with the pseudonym lists and the verifier, at phone and desktop widths."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from participation.demo import DEMO_PASSWORD
from tests.axe import assert_accessible

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OPEN_DAY = "生态环境厅政府开放日：走进空气质量监测站"  # first come, sign-up open (demo)


def _login(browser: Any, base: str, email: str, viewport: dict[str, int]) -> Any:
    page = browser.new_context(viewport=viewport, locale="en-US").new_page()
    page.goto(f"{base}/account/login?lang=en")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button").first.click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url, "demo sign-in failed"
    return page


def test_apply_withdraw_with_confirmation_and_apply_again(
    live_server: str, browser: Any, screenshot: Any
) -> None:
    base = live_server
    page = _login(browser, base, "resident8@example.cn", PHONE)
    page.goto(f"{base}/events/?lang=en")
    page.get_by_role("link", name=OPEN_DAY).click()
    event_url = page.url.split("?")[0]
    page.get_by_role("link", name="Apply to attend").click()
    page.locator("input[name=category]").first.check()
    page.get_by_label("Affiliation").fill("历下区居民")
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Seat confirmed").first).to_be_visible()

    # Withdrawing is a link to a page that says what follows; nothing changes yet.
    page.get_by_role("link", name="Withdraw my application").click()
    expect(page.get_by_role("heading", name="Withdraw your application?")).to_be_visible()
    expect(page.get_by_text("Your seat goes to the next person on the waitlist.")).to_be_visible()
    expect(page.get_by_text("at the back of the queue")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "events-withdraw-confirm-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "events-withdraw-confirm-desktop")
    page.set_viewport_size(PHONE)
    # Changing one's mind keeps the seat.
    page.get_by_role("link", name="No, keep my application").click()
    expect(page.get_by_text("Seat confirmed").first).to_be_visible()

    page.get_by_role("link", name="Withdraw my application").click()
    page.get_by_role("button", name="Yes, withdraw my application").click()
    expect(page.get_by_text("Your application is withdrawn.")).to_be_visible()
    expect(page.locator("#status-h")).to_contain_text("Withdrawn")
    assert_accessible(page)

    # Sign-up is still open: apply again, starting from what they wrote before.
    page.get_by_role("link", name="Apply again").click()
    expect(page.locator("#apply-again")).to_contain_text("back of the queue")
    expect(page.get_by_label("Affiliation")).to_have_value("历下区居民")
    page.locator("input[name=category]").first.check()
    page.get_by_role("button", name="Send application").click()
    expect(page.get_by_text("Seat confirmed").first).to_be_visible()
    # The event page shows the current application, and the list holds it once.
    page.goto(event_url + "?lang=en")
    expect(page.locator(".cta")).to_contain_text("Seat confirmed")
    page.goto(f"{base}/events/mine?lang=en")
    expect(page.get_by_role("link", name=OPEN_DAY)).to_have_count(1)


def test_selection_page_shows_the_lists_and_the_verifier(
    live_server: str, browser: Any, screenshot: Any
) -> None:
    base = live_server
    page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    page.goto(f"{base}/events/?when=past&lang=en")
    page.locator("a", has_text="听证会").first.click()
    page.get_by_role("link", name="See who was selected and check the draw yourself").click()
    expect(page.get_by_role("heading", name="Public lottery")).to_be_visible()
    expect(page.get_by_text("Re-checked by the platform")).to_be_visible()
    assert page.locator("[data-list^=selected-] li").count() == 10
    assert page.locator("[data-list^=waitlist-] li").count() == 4
    expect(page.locator("#verifier-sha256")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    assert_accessible(page)
    screenshot(page, "events-selection-phone")
    page.set_viewport_size(DESKTOP)
    screenshot(page, "events-selection-desktop")
