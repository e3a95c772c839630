"""The catalogue, decision pages, comparison and notices in real Chromium: an anonymous
reader, an organizer who lists a decision, publishes drafts and opens and extends a
consultation, and a resident refused at the staff door. Phone and desktop widths."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PASSWORD = "canyu-demo"

SOURCE_V1 = """第一章 总则
第一条 为了防治噪声污染，保障公众健康，制定本条例。
第二条 本条例适用于本省行政区域内的噪声污染防治。
第二章 防治措施
第三条 夜间二十二时至次日六时，禁止在居民区进行产生噪声的建筑施工作业。
"""


def _page(browser, size, lang="en"):
    context = browser.new_context(viewport=size, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return context, page, errors


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


def _local(dt: datetime) -> str:
    return dt.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m-%dT%H:%M")


def _sign_in(page, base, email):
    page.goto(base + "/account/login?lang=en")
    page.fill("#f-email", email)
    page.fill("#f-password", PASSWORD)
    page.get_by_role("button", name="Sign in").last.click()
    page.wait_for_load_state()


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_reader_browses_catalogue_decision_compare_and_notice(
    browser, live_server, screenshot, size, name
):
    context, page, errors = _page(browser, size)
    page.goto(live_server + "/decisions/?lang=en")
    assert page.locator("h1").inner_text() == "Decision catalogue"
    assert "涉密" not in page.content()  # the confidential item is never listed
    _no_sideways_scroll(page)
    screenshot(page, f"catalogue-{name}")

    page.select_option("#f-stage", "consulting")
    page.get_by_role("button", name="Show").click()
    assert "stage=consulting" in page.url
    page.get_by_role("link", name="山东省大气污染防治条例（修订）").click()
    assert page.locator("h1").inner_text() == "山东省大气污染防治条例（修订）"
    current = page.locator(".stepper [aria-current=step]")
    assert "Public consultation" in current.inner_text()
    _no_sideways_scroll(page)
    screenshot(page, f"decision-{name}")

    page.get_by_role("link", name="Compare versions").click()
    assert page.locator(".compare ins").count() > 0
    assert page.locator(".compare del").count() > 0
    assert page.locator(".status-added").count() >= 1
    _no_sideways_scroll(page)
    screenshot(page, f"compare-{name}")

    page.go_back()
    page.locator("#h-consultations ~ .consultation-row a").first.click()
    assert "Open for comment" in page.locator(".kicker").inner_text()
    body = page.locator("main").inner_text()
    assert "days left" in body and "Letter" in body and "Email" in body and "Phone" in body
    assert "Extensions of the deadline" in body
    page.locator('a[href="#article-12"]').click()
    assert page.evaluate("location.hash") == "#article-12"
    _no_sideways_scroll(page)
    screenshot(page, f"notice-{name}")
    assert errors == []
    context.close()


@pytest.mark.parametrize(("size", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_chinese_catalogue_and_closed_notice(browser, live_server, screenshot, size, name):
    context, page, errors = _page(browser, size)
    page.goto(live_server + "/consultations/?lang=zh")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    cards = page.locator(".consultation-card")
    assert cards.count() >= 3
    assert "大气污染防治" in cards.first.inner_text()  # the open one comes first
    _no_sideways_scroll(page)
    screenshot(page, f"consultations-zh-{name}")
    page.get_by_role("link", name=re.compile("城市公共交通条例")).first.click()
    assert page.locator('a[href="#article-1"]').count() == 1
    _no_sideways_scroll(page)
    screenshot(page, f"notice-closed-zh-{name}")
    assert errors == []
    context.close()


def test_organizer_lists_a_decision_drafts_consults_and_extends(browser, live_server, screenshot):
    context, page, errors = _page(browser, DESKTOP)
    _sign_in(page, live_server, "organizer@example.cn")
    page.goto(live_server + "/staff/decisions/")
    page.get_by_role("link", name="Add a decision to the catalogue").click()
    page.fill("#f-title", "山东省噪声污染防治条例")
    page.fill("#f-legal_basis", "《中华人民共和国噪声污染防治法》")
    page.select_option("#f-stage", "drafting")
    page.get_by_role("button", name="Add to the catalogue").click()
    assert page.locator("h1").inner_text() == "山东省噪声污染防治条例"
    manage_url = page.url

    # Version 1, published at once.
    page.get_by_role("link", name="New draft version").click()
    page.fill("#f-source", SOURCE_V1)
    page.fill("#f-explanation", "## 起草背景\n落实噪声污染防治法。")
    page.check("input[name=publish]")
    screenshot(page, "staff-draft-form-desktop")
    page.get_by_role("button", name="Save the version").click()
    assert "3 articles" in page.locator(".flashes").inner_text()

    # Version 2 changes one article and adds another.
    page.get_by_role("link", name="New draft version").click()
    page.fill(
        "#f-source",
        SOURCE_V1.replace("二十二时", "二十一时")
        + "第四条 县级以上人民政府应当公布噪声敏感建筑物集中区域。\n",
    )
    page.check("input[name=publish]")
    page.get_by_role("button", name="Save the version").click()

    # A 10-day window needs a reason.
    page.get_by_role("link", name="Open a public consultation").click()
    now = datetime.now(ZoneInfo("UTC"))
    page.fill("#f-opens_at", _local(now + timedelta(minutes=2)))
    page.fill("#f-closes_at", _local(now + timedelta(days=10)))
    page.fill("#f-postal_address", "济南市历下区经十路某号 法规处")
    page.fill("#f-email", "zaosheng@sthj.example.cn")
    page.fill("#f-phone", "0531-6620 0002")
    page.get_by_role("button", name="Publish the notice").click()
    error = page.locator("#e-short_window_reason")
    assert "shorter than 30 days" in error.inner_text()
    screenshot(page, "staff-consultation-error-desktop")
    page.fill("#f-short_window_reason", "条例须在年底前提请审议，征求意见期限确定为10天。")
    page.get_by_role("button", name="Publish the notice").click()
    assert "征求意见期限确定为10天" in page.locator(".short-reason").inner_text()
    assert "Not yet open" in page.locator(".kicker").inner_text()

    # Extend the window by a week, with a reason shown in the notice.
    page.goto(manage_url)
    page.get_by_role("link", name="Extend the deadline").click()
    page.fill("#f-closes_at", _local(now + timedelta(days=17)))
    page.fill("#f-reason", "应行业协会要求，延长征求意见期限7天。")
    page.get_by_role("button", name="Extend the deadline").click()
    screenshot(page, "staff-decision-desktop")
    page.locator(".consultation-row a").first.click()
    assert "延长征求意见期限7天" in page.locator(".extensions").inner_text()

    # The public compares the two versions.
    page.get_by_role("link", name="All steps of this decision").click()
    page.get_by_role("link", name="Compare versions").click()
    assert page.locator(".compare del", has_text="二").count() == 1
    assert page.locator(".status-added").count() == 1
    screenshot(page, "compare-organizer-desktop")

    # Version 3 is saved for review, corrected, then deleted with a reason.
    page.goto(manage_url)
    page.get_by_role("link", name="New draft version").click()
    page.fill("#f-source", SOURCE_V1 + "第四条 本条例自公布之日起施行。\n")
    page.get_by_role("button", name="Save the version").click()
    page.get_by_role("link", name="Edit").click()
    assert page.locator("h1").inner_text() == "Edit version 3"
    page.fill("#f-title", "噪声条例（内部审阅稿）")
    page.get_by_role("button", name="Save the version").click()
    assert "噪声条例（内部审阅稿）" in page.locator("#h-versions + div").inner_text()
    page.set_viewport_size(PHONE)
    page.locator("details.confirm summary").click()
    page.fill("#reason-3", "内部审阅稿不对外公布。")
    _no_sideways_scroll(page)
    screenshot(page, "staff-decision-phone")
    page.get_by_role("button", name="Delete version 3").click()
    assert "Version 3 was deleted" in page.locator(".flashes").inner_text()
    assert "内部审阅稿" not in page.locator("#h-versions + div").inner_text()
    assert errors == []
    context.close()


def test_resident_is_refused_at_the_staff_pages(browser, live_server):
    context, page, _ = _page(browser, PHONE)
    _sign_in(page, live_server, "resident@example.cn")
    resp = page.goto(live_server + "/staff/decisions/new")
    assert resp.status == 403
    resp = page.goto(live_server + "/staff/decisions/1/edit")
    assert resp.status == 403
    context.close()
