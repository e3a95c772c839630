"""Answering comments in real Chromium: the organizer's dashboard, a drafted response,
a second member's approval and publication, the grouping progress bar, and the public
feedback report with its charts. Phone and desktop widths."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "canyu-demo"
REASON = "草案第十二条已规定相应措施，本条不再重复。"


def _page(browser, size):
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


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_public_feedback_report(browser, live_server, screenshot, size, name):
    context, page, errors = _page(browser, size)
    page.goto(live_server + "/feeds/feedback.atom")
    match = re.search(r"/consultations/(\d+)/feedback", page.content())
    assert match, "the demo publishes a report"
    page.goto(f"{live_server}/consultations/{match.group(1)}/feedback?lang=en")
    assert page.get_by_role("heading", name="Concentrated opinions").is_visible()
    assert page.locator("svg[role=img]").count() == 2
    assert page.locator(".feedback-item").count() > 5
    assert "@example.cn" not in page.content()
    _no_sideways_scroll(page)
    screenshot(page, f"feedback-report-{name}")
    assert not errors
    context.close()


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_draft_approve_publish_and_group(browser, live_server, screenshot, size, name):
    context, page, errors = _page(browser, size)
    _sign_in(page, live_server, "organizer@example.cn")
    page.goto(live_server + "/staff/consultations/?lang=en")
    assert page.locator("h1").inner_text() == "Opinion handling"
    _no_sideways_scroll(page)
    screenshot(page, f"staff-dashboard-{name}")

    # The open consultation of the environment agency: answer an unanswered comment.
    page.locator("table.dashboard tbody tr a").first.click()
    page.wait_for_load_state()
    work_url = page.url.split("?")[0]
    page.select_option("#flt-state", "todo")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    # Nothing but a scrolling table (or the site's nav bar) may reach past the screen.
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')]"
        ".filter(e => e.parentElement.closest('.table-wrap, .main-nav') === null"
        " && e.getBoundingClientRect().right > window.innerWidth + 1)"
        ".map(e => e.tagName + '.' + e.className).slice(0, 8)"
    )
    assert not wide, wide
    _no_sideways_scroll(page)
    screenshot(page, f"staff-comments-{name}")
    page.locator("table.comments-table tbody a", has_text="Answer").first.click()
    page.wait_for_load_state()
    response_url = page.url
    # A reason is required: the form says so and keeps the choice.
    page.check("input[name=outcome][value=not_adopted]")
    page.get_by_role("button", name="Save draft for approval").click()
    page.wait_for_load_state()
    assert page.locator(".field-error").first.is_visible()
    assert page.is_checked("input[name=outcome][value=not_adopted]")
    page.fill("#f-reason", REASON)
    page.get_by_role("button", name="Save draft for approval").click()
    page.wait_for_load_state()
    assert "another member" in page.content()
    screenshot(page, f"staff-response-draft-{name}")

    # A second member approves and publishes.
    approver_ctx, approver, approver_errors = _page(browser, size)
    _sign_in(approver, live_server, "approver@example.cn")
    approver.goto(response_url + "?lang=en")
    approver.get_by_role("button", name="Approve and publish").click()
    approver.wait_for_load_state()
    assert approver.locator(".response-state .badge", has_text="Published").is_visible()
    screenshot(approver, f"staff-response-published-{name}")
    approver_ctx.close()

    # Grouping: the progress bar, then the proposals.
    page.goto(work_url.rstrip("/") + "/groups?lang=en")
    page.get_by_role("button", name="Propose groups").click()
    page.wait_for_load_state()
    assert page.locator("progress#grouping-bar").count() == 1
    page.wait_for_function(
        "document.querySelector('#grouping-progress').dataset.status === 'done' "
        "|| document.querySelector('#grouping-bar').value === 100",
        timeout=15000,
    )
    assert page.get_by_role("heading", name=re.compile("Proposed groups")).is_visible()
    _no_sideways_scroll(page)
    screenshot(page, f"staff-groups-{name}")
    assert not errors and not approver_errors
    context.close()
