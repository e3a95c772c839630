"""Material links: only real same-site paths or explicit http(s) addresses (issue 11:
//example.invalid/agenda and /\\example.invalid/agenda passed as on-site links)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from events.models import EventMaterial
from events.services import manage
from participation.db import db
from participation.errors import ServiceError
from participation.safe_links import is_same_site_path, is_web_address, link_kind
from participation.views.main import safe_next

REFUSED = [
    "//example.invalid/agenda",
    "/\\example.invalid/agenda",
    "\\\\example.invalid/agenda",
    "/\t/example.invalid/agenda",
    "/\n/example.invalid/agenda",
    "/ /example.invalid",
    "/%5Cexample.invalid/agenda",
    "/%5cexample.invalid/agenda",
    "/%2F%2Fexample.invalid",
    "/%2f/example.invalid",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://example.invalid/agenda.pdf",
    "mailto:someone@example.invalid",
    "example.invalid/agenda",
    "https:example.invalid",
    "https:/example.invalid",
    "https:///example.invalid",
    "https://",
    "https://trusted.example@example.invalid/",
    "https://user:pw@example.invalid/",
    "https://example.invalid\\@trusted.example/",
    "https://exa mple.invalid/",
    "https://example.invalid:99999/",
    "https://example.invalid/\u202eagenda",
    "/agenda\x00.pdf",
    "/" + "a" * 600,
]
SITE = ["/events/1", "/consultations/3/feedback?lang=en", "/static/docs/agenda.pdf#p2", "/"]
EXTERNAL = [
    "https://www.shandong.gov.cn/agenda.pdf",
    "http://example.org/a?b=c#d",
    "HTTPS://Example.org/",
    "https://[2001:db8::1]:8443/x",
]


@pytest.mark.parametrize("url", REFUSED)
def test_tricky_links_are_neither_site_paths_nor_web_addresses(url):
    assert link_kind(url) is None
    assert safe_next(url, "/home") == "/home"  # no open redirect after sign-in either


@pytest.mark.parametrize("url", SITE)
def test_same_site_paths(url):
    assert is_same_site_path(url) and link_kind(url) == "site"
    assert safe_next(url, "/home") == url


@pytest.mark.parametrize("url", EXTERNAL)
def test_web_addresses_are_external(url):
    assert is_web_address(url) and link_kind(url) == "external"
    assert safe_next(url, "/home") == "/home"


@pytest.mark.parametrize("url", REFUSED[:12])
def test_add_material_refuses_tricky_links_and_writes_nothing(make_event, organizer, url):
    event = make_event()
    with pytest.raises(ServiceError) as info:
        manage.add_material(organizer, event, "议程", url=url)
    assert info.value.field == "url"
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(EventMaterial.id))) == 0


def test_manage_page_shows_a_clear_message(make_event, organizer, login_as):
    event = make_event()
    resp = login_as(organizer).post(
        f"/events/{event.id}/materials?lang=en",
        data={"title": "议程", "url": "/\\example.invalid/agenda"},
    )
    assert resp.status_code == 400
    assert "a path starting with one /" in resp.get_data(as_text=True)


def test_external_links_are_marked_on_the_event_page(make_event, organizer, client):
    event = make_event()
    manage.add_material(organizer, event, "外部议程", url="https://example.org/agenda.pdf")
    manage.add_material(organizer, event, "本站议程", url="/static/agenda.pdf")
    db.session.commit()
    html = client.get(f"/events/{event.id}?lang=en").get_data(as_text=True)
    assert 'href="https://example.org/agenda.pdf" rel="noopener noreferrer external"' in html
    assert html.count("(on another website)") == html.count("https://example.org/agenda.pdf")
    assert 'href="/static/agenda.pdf">' in html
