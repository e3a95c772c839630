"""Held comments and offline letters in real Chromium, as the issue's walk-through did:
a resident's comment held by screening is counted on the organizer's workspace, which
links the moderation queue where it is accepted; the offline entry is reached by a
click from the workspace, and a letter entered twice says it was already entered."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "canyu-demo"
RECEIPT_RE = re.compile(r"YJ\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}")
WAITING_RE = re.compile(r"(\d+) opinions? waits? for review")


def _context(browser, size):
    context = browser.new_context(viewport=size, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    return context, page, errors


def _sign_in(page, base, email):
    page.goto(base + "/account/login?lang=en")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url


def _no_sideways_scroll(page) -> None:
    wide = page.evaluate(
        """() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 3).map(e => e.outerHTML.slice(0, 300))"""
    )
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1, wide


def _waiting(page) -> int:
    match = WAITING_RE.search(page.locator("nav.subnav").inner_text())
    return int(match.group(1)) if match else 0


def _open_workspace(page, base, title="大气污染防治条例"):
    """From the staff dashboard to the consultation's workspace, by clicking."""
    page.goto(base + "/staff/consultations/?lang=en")
    page.locator("table.dashboard td.title-cell > a").filter(has_text=title).first.click()
    page.wait_for_load_state()
    assert re.search(r"/staff/consultations/\d+/$", page.url.split("?")[0])


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_held_comment_is_counted_linked_and_accepted(browser, live_server, screenshot, size, name):
    marker = uuid.uuid4().hex[:8]
    text = f"浏览器测试{marker}：有人说让加微信办理就能加快审批，请核实此事。"

    resident, page, errors = _context(browser, size)
    _sign_in(page, live_server, "resident@example.cn")
    page.goto(live_server + "/consultations/?lang=en")
    notices = page.locator("main a[href^='/consultations/']")
    notices.filter(has_text="大气污染防治条例").first.click()
    page.wait_for_load_state()
    page.goto(page.url.split("?")[0].rstrip("/") + "/comment?lang=en")
    page.fill("textarea[name=body]", text)
    page.get_by_role("button", name="Submit opinion").click()
    page.wait_for_load_state()
    assert RECEIPT_RE.fullmatch(page.locator(".receipt-big").inner_text().strip())
    resident.close()

    staff, page, staff_errors = _context(browser, size)
    _sign_in(page, live_server, "organizer@example.cn")
    _open_workspace(page, live_server)
    before = _waiting(page)
    assert before >= 1
    held_link = page.locator("a.held-link")
    assert held_link.inner_text().strip() == f"and {before} more waiting for review"
    assert page.get_by_text(re.compile(r"held for review and (is|are) not in the list")).count()
    _no_sideways_scroll(page)
    shot = screenshot(page, f"held-workspace-{name}")
    page.screenshot(path=str(shot.with_name(f"held-workspace-top-{name}.png")))  # first screen

    held_link.click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/moderation")
    item = page.locator(".moderation-item").filter(has_text=marker)
    assert item.count() == 1
    assert "加微信" in item.locator(".flagged").inner_text()
    _no_sideways_scroll(page)
    screenshot(page, f"held-queue-{name}")
    item.get_by_role("button", name="Accept and publish").click()
    page.wait_for_load_state()
    assert "accepted and published" in page.content()
    assert page.locator(".moderation-item").filter(has_text=marker).count() == 0

    # Back to the workspace through the consultation navigation: one less waits.
    page.locator("nav.subnav a").filter(has_text="Comments and responses").click()
    page.wait_for_load_state()
    assert _waiting(page) == before - 1
    page.fill("#flt-q", marker)
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.locator("table.comments-table tbody tr").filter(has_text=marker).count() == 1
    staff.close()
    assert errors == [] and staff_errors == []


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_offline_letter_reached_from_the_workspace_and_entered_twice(
    browser, live_server, screenshot, size, name
):
    reference = f"鲁环信-{uuid.uuid4().hex[:6]}"
    context, page, errors = _context(browser, size)
    _sign_in(page, live_server, "organizer@example.cn")
    _open_workspace(page, live_server)
    page.locator("main a").filter(has_text="Enter an offline opinion").first.click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/offline")

    def enter() -> None:
        page.select_option("#f-channel", "letter")
        page.fill("#f-author_label", "历下区居民张先生")
        page.fill("#f-body", "来信建议：对城区建筑工地扬尘实行视频监控，并公开处罚结果。")
        page.fill("#f-source_ref", reference)
        page.get_by_role("button", name="Record the opinion").click()
        page.wait_for_load_state()

    enter()
    recorded = re.search(r"Opinion recorded with receipt number (YJ[0-9A-Z-]+)", page.content())
    assert recorded, "the first entry gets a receipt"
    receipt = recorded.group(1)

    enter()
    notice = page.locator("#already-entered")
    assert notice.is_visible()
    assert "This letter was already entered." in notice.inner_text()
    assert reference in notice.inner_text()
    assert "Opinion recorded with receipt number" not in page.content()
    screenshot(page, f"offline-duplicate-{name}")
    _no_sideways_scroll(page)
    notice.locator(f"a:has-text('{receipt}')").click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith("/receipts/" + receipt)
    context.close()
    assert errors == []
