"""Real browsers on the real gevent server: a resident asks, a moderator approves, other
residents and the presenter screen see it live; answered, it shows the answer; a rejected
question never reaches other viewers. Screenshots at phone and desktop widths."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "canyu-demo"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _context(browser, viewport, email=None, base=""):
    ctx = browser.new_context(viewport=viewport, locale="en-US")
    page = ctx.new_page()
    if email:
        page.goto(f"{base}/account/login?lang=en")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", PASSWORD)
        page.locator("main form button[type=submit], main form button:not([type])").first.click()
        page.wait_for_load_state()
        assert "/account/login" not in page.url, "demo sign-in failed"
    return ctx, page


def _session_url(page, base):
    page.goto(f"{base}/live/?lang=en")
    href = page.locator(".live-session-item h2 a").first.get_attribute("href")
    return base + href


def test_ask_approve_answer_and_reject_across_browsers(live_server, browser, screenshot):
    base = live_server
    asker_ctx, asker = _context(browser, PHONE, "resident@example.cn", base)
    other_ctx, other = _context(browser, DESKTOP, "resident1@example.cn", base)
    mod_ctx, mod = _context(browser, DESKTOP, "moderator@example.cn", base)
    try:
        url = _session_url(asker, base)
        asker.goto(url + "?lang=en")
        other.goto(url + "?lang=en")
        mod.goto(url + "/console?lang=en")
        presenter = mod_ctx.new_page()
        presenter.set_viewport_size(DESKTOP)
        presenter.goto(url + "/presenter?lang=en")
        for page in (asker, other, mod, presenter):
            page.wait_for_selector("[data-bind=conn].is-connected", timeout=15000, state="attached")

        # A resident asks; it waits for review and is not shown to others.
        text = "Will the bus stop near Lixia Road get a shelter before winter?"
        asker.fill("#ask-body", text)
        asker.click("#ask-form button[type=submit]")
        asker.wait_for_selector("#ask-msg:has-text('approves')")
        asker.wait_for_selector(f"#my-questions:has-text('{text}')")
        pending = mod.locator("[data-bind=pending] li", has_text=text)
        pending.wait_for(timeout=10000)
        assert other.locator(".live-questions", has_text=text).count() == 0

        # The moderator approves: the other resident and the asker see it.
        pending.get_by_role("button", name="Approve").click()
        other.locator("[data-bind=questions] li", has_text=text).wait_for(timeout=10000)
        asker.locator("[data-bind=questions] li", has_text=text).wait_for(timeout=10000)

        # On screen: the presenter screen shows it in large type.
        published = mod.locator("[data-bind=approved] li", has_text=text)
        published.get_by_role("button", name="Put on screen").click()
        presenter.locator(".presenter-body", has_text=text).wait_for(timeout=10000)
        other.locator("[data-bind=onscreen]", has_text=text).wait_for(timeout=10000)

        # Marked answered: the answer appears for viewers and on the presenter screen.
        published = mod.locator("[data-bind=approved] li", has_text=text)
        published.get_by_role("button", name="Mark answered").click()
        form = mod.locator("form.console-panel")
        form.locator("textarea[name=answer]").fill("Yes, shelters go up in November.")
        form.locator("input[name=official]").fill("Director Liu, Transport Bureau")
        form.get_by_role("button", name="Save").click()
        other.locator("[data-bind=answered] li", has_text="shelters go up in November").wait_for(
            timeout=10000
        )
        presenter.locator(".presenter-answer", has_text="Director Liu").wait_for(timeout=10000)

        # A rejected question never reaches other viewers; the asker sees the outcome.
        bad = "Please publish my neighbour's home address here"
        asker.fill("#ask-body", bad)
        asker.click("#ask-form button[type=submit]")
        card = mod.locator("[data-bind=pending] li", has_text=bad)
        card.wait_for(timeout=10000)
        card.get_by_role("button", name="Reject").click()
        mod.locator("form.console-panel input[name=reason]").fill("Personal information")
        mod.locator("form.console-panel").get_by_role("button", name="Save").click()
        asker.locator("#my-questions li", has_text="not published").wait_for(timeout=10000)
        other.wait_for_timeout(1000)  # give a wrong broadcast time to arrive
        assert bad not in other.content()
        assert mod.locator("#console-msg").is_hidden()

        # Votes: the other resident upvotes; the count updates for everyone, coalesced.
        vote = other.locator("[data-bind=questions] li").first.locator("button.live-vote")
        before = int(vote.locator(".live-vote-n").inner_text())
        pressed = vote.get_attribute("aria-pressed") == "true"
        vote.click()
        expected = before - 1 if pressed else before + 1
        other.wait_for_function(
            "(n) => document.querySelector('[data-bind=questions] li .live-vote-n')"
            ".textContent === String(n)",
            arg=expected,
            timeout=10000,
        )

        viewers = int(other.locator("[data-bind=viewers]").inner_text())
        assert viewers >= 3

        screenshot(asker, "live-viewer-phone")
        screenshot(other, "live-viewer-desktop")
        screenshot(mod, "live-console-desktop")
        screenshot(presenter, "live-presenter-desktop")
        mod.set_viewport_size(PHONE)
        screenshot(mod, "live-console-phone")
        presenter.set_viewport_size(PHONE)
        screenshot(presenter, "live-presenter-phone")
        record = other_ctx.new_page()
        record.goto(url + "/record?lang=en")
        assert re.search("shelters go up in November", record.content())
        screenshot(record, "live-record-desktop")
    finally:
        for ctx in (asker_ctx, other_ctx, mod_ctx):
            ctx.close()


# Holds back the server's acks to "moderate" in this page, as a slow network would.
DELAY_ACKS = """(ms) => {
  const emit = io.Socket.prototype.emit;
  io.Socket.prototype.emit = function (event, ...args) {
    const done = args[args.length - 1];
    if (event === "moderate" && typeof done === "function") {
      args[args.length - 1] = (...reply) => setTimeout(() => done(...reply), ms);
    }
    return emit.call(this, event, ...args);
  };
}"""


def test_late_ack_closes_only_its_own_panel_and_assign_defaults_to_the_agency(
    live_server, browser, screenshot
):
    """Save "answered" on X, open "written answer" on Y: X's late ack must not close Y's
    form (what was typed there survives), and Y's department is the event's agency."""
    base = live_server
    asker_ctx, asker = _context(browser, PHONE, "resident2@example.cn", base)
    mod_ctx, mod = _context(browser, DESKTOP, "moderator@example.cn", base)
    try:
        url = _session_url(asker, base)
        asker.goto(url + "?lang=en")
        mod.goto(url + "/console?lang=en")
        for page in (asker, mod):
            page.wait_for_selector("[data-bind=conn].is-connected", timeout=15000, state="attached")
        x_text = "When will the air monitoring station publish hourly data online?"
        y_text = "Who inspects the dust nets on construction sites in Huaiyin district?"
        for text in (x_text, y_text):
            asker.fill("#ask-body", text)
            asker.click("#ask-form button[type=submit]")
            card = mod.locator("[data-bind=pending] li", has_text=text)
            card.wait_for(timeout=10000)
            card.get_by_role("button", name="Approve").click()
            mod.locator("[data-bind=approved] li", has_text=text).wait_for(timeout=10000)

        mod.evaluate(DELAY_ACKS, 2500)
        x = mod.locator("[data-bind=approved] li", has_text=x_text)
        x.get_by_role("button", name="Mark answered").click()
        form = mod.locator("form.console-panel")
        form.locator("textarea[name=answer]").fill("From next month, every hour.")
        form.locator("input[name=official]").fill("Ms Sun, monitoring centre")
        form.get_by_role("button", name="Save").click()

        # While X's ack is on its way, the moderator starts on Y.
        y = mod.locator("li.console-q", has_text=y_text)
        y.get_by_role("button", name="Assign for written answer").click()
        y_form = y.locator("form.console-panel")
        y_form.locator("input[name=due_on]").fill("2030-01-15")
        own = mod.locator("#live-console").get_attribute("data-default-department")
        assert y_form.locator("select[name=department]").input_value() == own
        first = y_form.locator("select[name=department] option").first.get_attribute("value")
        assert own != first  # the demo's event is not run by the first agency in the list

        # X is answered (the broadcast) and its ack arrives; Y's form stays as it was.
        mod.locator("[data-bind=done] li", has_text=x_text).wait_for(timeout=10000)
        mod.wait_for_timeout(3500)
        assert y_form.is_visible()
        assert y_form.locator("input[name=due_on]").input_value() == "2030-01-15"
        assert mod.locator("#console-msg").is_hidden()

        # Y's own ack closes Y's form.
        y_form.get_by_role("button", name="Save").click()
        mod.locator("[data-bind=done] li", has_text=y_text).wait_for(timeout=10000)
        mod.wait_for_function("() => !document.querySelector('form.console-panel')", timeout=10000)
        screenshot(mod, "live-console-after-assign-desktop")
    finally:
        for ctx in (asker_ctx, mod_ctx):
            ctx.close()
