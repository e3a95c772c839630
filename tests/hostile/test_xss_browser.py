"""A stored-XSS corpus in real Chromium. Every free-text column of the demo data (titles,
names, comments, reasons, answers, records, mails: any column a new feature adds is
covered by the same rule) is overwritten with hostile payloads; then each demo role
walks the site from its start pages, staff and admin pages included, and the exports
and feeds it links to are fetched. No script may run (alert/confirm/prompt tripwires,
dialogs, CSP violations), no payload may become an element or a `javascript:` link,
`{{7*7}}` never renders as 49, and no CSV/XLSX cell starts a formula."""

from __future__ import annotations

import csv
import io
import time
import xml.etree.ElementTree as ET  # noqa: S405 - our own feed, parsed to find elements
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import Error as PlaywrightError

from participation import demo
from tests.conftest import free_port
from tests.processes import prepare_database, spawn_web, stop, wait_http

pytestmark = pytest.mark.browser

PAYLOADS = [
    '<script data-xss>alert("s1")</script>',
    '"><script data-xss>alert("s2")</script>',
    "<img data-xss src=x onerror=alert('i1')>",
    "'><img data-xss src=x onerror=alert('i2')>",
    "<svg data-xss onload=alert('v1')>",
    "<svg><script data-xss>alert('v2')</script></svg>",
    "<iframe data-xss src=\"javascript:alert('f1')\"></iframe>",
    "<a data-xss href=\"javascript:alert('a1')\">click</a>",
    "[click](javascript:alert('md1'))",
    "<details data-xss open ontoggle=alert('d1')>",
    "<body data-xss onload=alert('b1')>",
    "<div data-xss style=\"background:url(javascript:alert('c1'))\">css</div>",
    "<div data-xss style=\"width:expression(alert('c2'))\">css</div>",
    "<math><mtext><table><mglyph><style><img data-xss src=x onerror=alert('m1')>",
    "</textarea><script data-xss>alert('t1')</script>",
    "</title><script data-xss>alert('t2')</script>",
    "<object data-xss data=\"javascript:alert('o1')\"></object>",
    "<input data-xss autofocus onfocus=alert('n1')>",
    "{{7*7}}xss",
    "${7*7}xss",
    "{% raw %}{{7*7}}{% endraw %}xss",
    "=cmd|' /C calc'!A0",
    "+1+1 cmd|",
    "-2+3 cmd|",
    "@SUM(1+1) cmd|",
    "\u202egnp.exe <b data-xss>rtl</b>",
]
# Free text only: identifiers, hashes, codes, enum-like and contact columns keep their
# demo values so every page still finds its rows.
NOT_TEXT = (
    "email", "hash", "token", "key", "code", "status", "kind", "level", "locale", "role",
    "url", "receipt", "salt", "seed", "phone", "id_number", "source", "threshold", "action",
    "target", "actor", "recipient", "error", "contact", "idempotency", "prev", "name_en",
)  # fmt: skip
START = {
    "anonymous": ["/", "/consultations/", "/decisions/", "/events/", "/live/"],
    "resident": ["/account/", "/account/comments", "/events/mine"],
    "organizer": ["/staff/", "/staff/events/", "/staff/decisions/"],
    "admin": ["/admin/", "/admin/outbox", "/admin/audit"],
}
PAGES_PER_ROLE = 16
EXPORTS = (
    "/consultations/{id}/feedback.csv",
    "/consultations/{id}/feedback.xlsx",
    "/feeds/feedback.atom",
)
SKIP_LINK = ("/logout", "/delete", "/static/", "/verify", "/reset", "lang=", "/print")
TRIPWIRE = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (...args) => { window.__xss.push(name + ":" + args.join(",")); };
}
"""


def poison(database_url: str) -> int:
    """Overwrite every free-text value with a payload; returns how many values."""
    from participation import create_app
    from participation.db import db

    create_app({"SQLALCHEMY_DATABASE_URI": database_url})  # registers every model
    engine = sa.create_engine(database_url)
    written = 0
    with engine.begin() as conn:
        for table in db.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, sa.String | sa.Text)
                and not getattr(c.type, "enums", None)
                and not any(word in c.name for word in NOT_TEXT)
            ]
            pk = list(table.primary_key.columns)
            if not columns or len(pk) != 1:
                continue
            for n, row_id in enumerate(conn.scalars(sa.select(pk[0]))):
                values = {
                    c.name: f"{PAYLOADS[(n + i) % len(PAYLOADS)]} #{row_id}"
                    for i, c in enumerate(columns)
                }
                conn.execute(table.update().where(pk[0] == row_id).values(**values))
                written += len(values)
    engine.dispose()
    return written


@pytest.fixture(scope="module")
def poisoned_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    instance = tmp_path_factory.mktemp("xss")
    url = f"sqlite:///{instance / 'xss.db'}"
    env = {"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "RATELIMIT_ENABLED": "0"}
    prepare_database(env)
    written = poison(url)
    port = free_port()
    proc = spawn_web(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(base, proc)
        yield base, written
    finally:
        stop(proc)


def _sign_in(page: Any, base: str, role: str) -> None:
    email = demo.ACCOUNTS[role][0]
    page.goto(base + "/account/login?lang=en")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.locator("main form button").last.click()
    page.wait_for_load_state()
    assert "/account/login" not in page.url, role


def _check_page(page: Any, where: str, problems: list[str]) -> None:
    fired = page.evaluate("window.__xss || []")
    if fired:
        problems.append(f"{where}: script ran {fired}")
    found = page.evaluate(
        """() => ({
          elements: document.querySelectorAll('[data-xss]').length,
          jslinks: [...document.querySelectorAll('[href],[src],[action],[formaction]')]
            .filter(e => /^\\s*javascript:/i.test(
              e.getAttribute('href') || e.getAttribute('src') ||
              e.getAttribute('action') || e.getAttribute('formaction') || '')).length,
          text: document.body ? document.body.innerText : '',
        })"""
    )
    if found["elements"]:
        problems.append(f"{where}: {found['elements']} payload elements in the DOM")
    if found["jslinks"]:
        problems.append(f"{where}: {found['jslinks']} javascript: links")
    if "49xss" in found["text"]:
        problems.append(f"{where}: a template expression was evaluated (49)")


def _check_download(kind: str, body: bytes, where: str, problems: list[str]) -> None:
    cells: list[str] = []
    if kind == "csv":
        text = body.decode("utf-8-sig", errors="replace")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    elif kind == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(body), read_only=True)
        cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                 for c in row if isinstance(c, str)]  # fmt: skip
    elif kind == "atom":
        root = ET.fromstring(body)  # noqa: S314 - well-formed is part of the check
        tags = {el.tag.rsplit("}", 1)[-1].lower() for el in root.iter()}
        if tags & {"script", "img", "svg", "iframe"}:
            problems.append(f"{where}: markup elements in the feed {tags}")
    for cell in cells:
        if cell[:1] in ("=", "+", "-", "@") and "cmd|" in cell:
            problems.append(f"{where}: formula cell {cell[:40]!r}")


def test_stored_xss_corpus_runs_no_script_anywhere(
    browser: Any, poisoned_server: tuple[str, int]
) -> None:
    base, written = poisoned_server
    assert written > 200
    problems: list[str] = []
    visited: dict[str, int] = {}
    downloads = 0
    started = time.monotonic()
    for role, starts in START.items():
        context = browser.new_context(locale="en-US")
        context.add_init_script(TRIPWIRE)
        page = context.new_page()
        page.on(
            "dialog", lambda d, r=role: (problems.append(f"{r}: dialog {d.message}"), d.dismiss())
        )
        page.on(
            "console",
            lambda m, r=role: (
                problems.append(f"{r}: {m.text}")
                if "Content Security Policy" in m.text and "inline" in m.text
                else None
            ),
        )
        if role != "anonymous":
            _sign_in(page, base, role)
        queue, seen = [base + s for s in starts], set()
        pages = 0
        while queue and pages < PAGES_PER_ROLE:
            url = queue.pop(0).split("#")[0]
            if url in seen:
                continue
            seen.add(url)
            path = urlsplit(url).path
            kind = next((k for k in ("csv", "xlsx", "atom") if path.endswith("." + k)), None)
            if kind:
                resp = page.request.get(url)
                downloads += 1
                _check_download(kind, resp.body(), f"{role} {path}", problems)
                continue
            try:
                resp = page.goto(url)
            except PlaywrightError:  # a download (data.json, a PDF): not a page
                continue
            pages += 1
            if resp is None or "text/html" not in resp.headers.get("content-type", ""):
                continue
            _check_page(page, f"{role} {path}", problems)
            hrefs = page.eval_on_selector_all(
                "a[href]", "els => els.map(e => e.getAttribute('href'))"
            )
            for href in hrefs:
                target = urljoin(url, href)
                if target.startswith(base) and not any(s in target for s in SKIP_LINK):
                    # exports and feeds first: they are few and each is a whole surface
                    (queue.insert(0, target) if target.split("?")[0].endswith(
                        (".csv", ".xlsx", ".atom")) else queue.append(target))  # fmt: skip
        visited[role] = pages
        context.close()
    # Every export the url_map names, for each consultation of the demo, and the feeds.
    request = browser.new_context().request
    for path in EXPORTS:
        for cid in range(1, 9) if "{id}" in path else (0,):
            resp = request.get(base + path.format(id=cid))
            if resp.ok:
                downloads += 1
                _check_download(path.rsplit(".", 1)[1], resp.body(), path, problems)
    elapsed = time.monotonic() - started
    print(f"xss: {written} values, pages {visited}, {downloads} downloads, {elapsed:.0f}s")
    assert sum(visited.values()) >= 50, visited
    assert downloads >= 3
    assert not problems, "\n".join(problems[:50])
