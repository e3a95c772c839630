"""The resident's main flow in real Chromium: sign in, comment on an article of the open
consultation, see the receipt, check it on the public receipt page."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RECEIPT_RE = re.compile(r"YJ\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}")


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def _sign_in(page, base):
    page.goto(base + "/account/login?lang=en")
    page.fill("input[name=email]", "resident@example.cn")
    page.fill("input[name=password]", "canyu-demo")
    page.locator("main form button[type=submit], main form button").last.click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url


def _open_consultation_url(page, base):
    page.goto(base + "/consultations/?lang=en")
    link = page.locator("main a[href^='/consultations/']").filter(has_text="大气污染防治条例").first
    return base + link.get_attribute("href")


@pytest.mark.parametrize("size,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_comment_receipt_and_public_check(browser, live_server, screenshot, size, name):
    context = browser.new_context(viewport=size, locale="en-US")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Resource failures are caught by URL below (Chromium's own favicon probe is not ours).
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    _sign_in(page, live_server)

    notice = _open_consultation_url(page, live_server)
    page.goto(notice)
    assert page.locator("#comments").count() == 1  # published opinions on the notice
    assert "13905318888" not in page.content()  # a phone number in a comment is masked
    shot = screenshot(page, f"comments-notice-{name}")
    # The parts this area contributes to the notice, close up.
    page.locator("#comments").screenshot(path=str(shot.with_name(f"comments-list-{name}.png")))
    page.locator("#send-opinion").screenshot(
        path=str(shot.with_name(f"comments-inline-{name}.png"))
    )

    # Comment on article 9 (construction dust) from the notice's article link.
    page.goto(notice.split("?")[0] + "/comment?article=9")
    _no_sideways_scroll(page)
    assert page.locator("select[name=article]").input_value() == "9"
    page.fill(
        "textarea[name=body]",
        f"浏览器测试（{name}）：建议工地出入口安装车辆自动冲洗设备，电话13812345678。",
    )
    page.check("input[name=publish_mode][value=anonymous]")
    screenshot(page, f"comments-form-{name}")
    page.get_by_role("button", name="Submit opinion").click()
    page.wait_for_load_state()

    big = page.locator(".receipt-big").inner_text().strip()
    assert RECEIPT_RE.fullmatch(big), big
    assert "has been received" in page.content()
    _no_sideways_scroll(page)
    screenshot(page, f"comments-received-{name}")

    # Anyone can check it: a fresh, signed-out browser context, typing it in lower case.
    public = browser.new_context(viewport=size, locale="en-US").new_page()
    public.goto(live_server + "/receipts/?lang=en")
    public.fill("input[name=no]", big.lower().replace("-", " "))
    public.get_by_role("button", name="Check").click()
    public.wait_for_load_state()
    assert public.url.endswith("/receipts/" + big)
    text = public.content()
    assert "Accepted" in text and "Anonymous" in text and "王小明" not in text
    assert "138****5678" in text and "13812345678" not in text
    _no_sideways_scroll(public)
    screenshot(public, f"comments-receipt-{name}")

    page.goto(live_server + "/account/comments")
    assert big in page.content()
    screenshot(page, f"comments-mine-{name}")
    public.context.close()
    context.close()
    assert errors == []


def test_organizer_moderates_a_flagged_comment(browser, live_server, screenshot):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(live_server + "/account/login?lang=en")
    page.fill("input[name=email]", "organizer@example.cn")
    page.fill("input[name=password]", "canyu-demo")
    page.locator("main form button").last.click()
    page.wait_for_load_state()
    notice = _open_consultation_url(page, live_server)
    consultation_id = notice.rstrip("/").split("/")[-1].split("?")[0]
    page.goto(f"{live_server}/staff/consultations/{consultation_id}/moderation")
    items = page.locator(".moderation-item")
    assert items.count() >= 1
    screenshot(page, "comments-moderation-desktop")
    first = items.first
    first.locator("input[name=reason]").fill("含有广告内容，不予发布。")
    first.get_by_role("button", name="Reject").click()
    page.wait_for_load_state()
    assert "rejected" in page.content()
    page.close()
