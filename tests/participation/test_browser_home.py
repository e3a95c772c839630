"""The home page in real Chromium, over IPv4 and IPv6, at phone and desktop widths."""

from __future__ import annotations

import urllib.request

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def test_served_on_ipv4_and_ipv6(live_server):
    port = live_server.rsplit(":", 1)[1]
    for url in (f"http://127.0.0.1:{port}/", f"http://[::1]:{port}/"):
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200
            assert "山东省公众参与平台" in resp.read().decode()


@pytest.mark.parametrize("size,name", [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_home_page_renders_cleanly(browser, live_server, screenshot, size, name):
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/")
    assert page.locator("h1").first.inner_text()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    # nothing wider than the viewport: no sideways scrolling on a phone
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    screenshot(page, f"home-{name}")
    assert errors == []
    context.close()


def test_keyboard_skip_link_and_language_switch(browser, live_server):
    page = browser.new_page()
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert "skip-link" in focused
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="中文").click()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    page.close()
