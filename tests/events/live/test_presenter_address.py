"""The presenter screen tells the room the site's configured address, not the Host used."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def app_config() -> dict[str, Any]:
    return {
        "LIVE_BACKGROUND_FLUSH": False,
        "SERVER_NAME": None,
        "PUBLIC_URL": "https://canyu.example.gov.cn",
    }


def test_presenter_shows_the_public_address(app, live):
    html = (
        app.test_client()
        .get(f"/live/{live.id}/presenter", base_url="http://127.0.0.1:5000")
        .get_data(as_text=True)
    )
    assert f"https://canyu.example.gov.cn/live/{live.id}</strong>" in html
    assert "127.0.0.1" not in html and "localhost" not in html
