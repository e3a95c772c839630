"""The published feedback report as a record, in real Chromium: a held opinion blocks the
addendum with its receipt listed; once accepted and answered, it is published as a new
version by a second organizer; the public page says "updated on", lists what changed,
and the earlier version stays readable at its own URL."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "canyu-demo"
# The demo's weather plan: version 1 had no opinions, version 2 its hearing (see demo).
WEATHER = 3
HELD_TEXT = "来信：预警短信订阅太难，建议让加微信办理，方便群众。"


def _page(browser, size=DESKTOP):
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _sign_in(page, base, email):
    page.goto(base + "/account/login?lang=en")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_load_state()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def _both_widths(page, screenshot, name):
    for size, width in ((PHONE, "phone"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        _no_sideways_scroll(page)
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size(DESKTOP)


def test_held_opinion_blocks_then_late_answer_is_published_as_an_addendum(
    browser, live_server, screenshot
):
    base = f"{live_server}/consultations/{WEATHER}"
    staff_base = f"{live_server}/staff/consultations/{WEATHER}"
    org_ctx, org, org_errors = _page(browser)
    _sign_in(org, live_server, "organizer@example.cn")
    app_ctx, approver, app_errors = _page(browser)
    _sign_in(approver, live_server, "approver@example.cn")

    # The public report before: version 2, the latest.
    org.goto(base + "/feedback?lang=en")
    assert "重污染天气" in org.locator("h1").inner_text()
    assert "Updated on" in org.content()

    # A letter entered after publication: the page warns it goes into an addendum.
    org.goto(staff_base + "/offline?lang=en")
    assert "goes into an addendum" in org.content()
    org.select_option("#f-channel", "letter")
    org.fill("#f-body", HELD_TEXT)
    org.fill("#f-author_label", "市民来信")
    org.get_by_role("button", name="Record the opinion").click()
    org.wait_for_load_state()
    receipt = re.search(r"YJ\d{4}-[0-9A-Z-]+", org.locator(".flashes").inner_text()).group(0)

    # The report page lists it as held; the addendum is drafted, but not publishable.
    org.goto(staff_base + "/report?lang=en")
    blockers = org.locator("#blockers")
    assert "held for moderation" in blockers.inner_text() and receipt in blockers.inner_text()
    assert (
        blockers.locator("a", has_text=receipt)
        .get_attribute("href")
        .startswith(f"/staff/consultations/{WEATHER}/moderation")
    )
    org.fill("#f-note", "新增来信意见一条及其答复。")
    org.get_by_role("button", name="Save the addendum for approval").click()
    org.wait_for_load_state()
    assert "another member of the agency must approve and publish it" in org.content()

    approver.goto(staff_base + "/report?lang=en")
    approver.get_by_role("button", name="Approve and publish version 3").click()
    approver.wait_for_load_state()
    error = approver.locator(".form-error, .alert-error").first.inner_text()
    assert "held for moderation" in error and receipt in error
    _both_widths(approver, screenshot, "report-refused-held")

    # Accepted by the moderator, answered by two members: a late response.
    approver.goto(staff_base + "/moderation?lang=en")
    item = approver.locator("li, article, tr", has_text=receipt).last
    item.get_by_role("button", name="Accept and publish").click()
    approver.wait_for_load_state()
    org.goto(staff_base + "/report?lang=en")
    org.locator("#blockers a", has_text=receipt).click()
    org.wait_for_load_state()
    assert "goes into an addendum" in org.content()
    response_url = org.url.split("?")[0]
    org.check("input[name=outcome][value=adopted]")
    org.get_by_role("button", name="Save draft for approval").click()
    org.wait_for_load_state()
    approver.goto(response_url + "?lang=en")
    approver.get_by_role("button", name="Approve and publish").click()
    approver.wait_for_load_state()

    # The pending addendum shows what waits; the second member publishes it.
    approver.goto(staff_base + "/report?lang=en")
    pending = approver.locator("#pending").inner_text()
    assert "1 opinion answered after publication" in pending and receipt in pending
    _both_widths(approver, screenshot, "report-pending-addendum")
    approver.get_by_role("button", name="Approve and publish version 3").click()
    approver.wait_for_load_state()
    assert approver.url.startswith(base + "/feedback")

    approver.goto(base + "/feedback?lang=en")
    notice = approver.locator("p.alert", has_text="Updated on").inner_text()
    assert "version 3" in notice
    approver.get_by_role("link", name="See what changed").click()
    changes = approver.locator("#changes").inner_text()
    assert "新增来信意见一条及其答复。" in changes and "1 opinion added" in changes
    assert receipt in approver.content()
    _both_widths(approver, screenshot, "report-updated")

    # Version 2 is still there, unchanged, and says a newer one exists.
    approver.goto(base + "/feedback/v/2?lang=en")
    assert "This report was updated since" in approver.content()
    assert receipt not in approver.content()
    assert approver.get_by_role("link", name="Read the latest version (3)").is_visible()
    _both_widths(approver, screenshot, "report-version-2")
    assert not org_errors and not app_errors
    org_ctx.close()
    app_ctx.close()
