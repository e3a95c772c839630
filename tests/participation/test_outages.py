"""The database out of reach gives a 503 with Retry-After in the user's language, as an
HTML page or as JSON for the API, never a 500 (tests/faults restarts a real server)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from participation import create_app
from tests.conftest import _config
from tests.conftest import free_port as closed_port


@pytest.fixture
def unreachable_client(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere"
    app = create_app(_config(url, SQLALCHEMY_ENGINE_OPTIONS={"poolclass": sa.pool.NullPool}))
    return app.test_client()


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/", "服务暂时不可用，请几秒钟后再试。"),
        ("/?lang=en", "The service is briefly unavailable."),
        ("/consultations/1", "服务暂时不可用"),
    ],
)
def test_pages_say_503_in_the_users_language(unreachable_client, path, text):
    resp = unreachable_client.get(path)
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert resp.headers["Cache-Control"] == "no-store"
    assert text in resp.get_data(as_text=True)


def test_api_gets_json_503(unreachable_client):
    resp = unreachable_client.get("/api/v1/decisions?lang=en")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert resp.json == {
        "error": "The service is briefly unavailable. Please try again in a few seconds.",
        "status": 503,
    }
    write = unreachable_client.post(
        "/api/v1/consultations/1/comments",
        json={"body": "建议"},
        headers={"Authorization": "Bearer cy_" + "x" * 40, "Idempotency-Key": "k1"},
    )
    assert write.status_code == 503 and write.json["status"] == 503


def test_rate_limits_fall_back_to_memory_when_redis_is_down(_schema):
    """Writes are still limited (per process) and never a 500 while Redis restarts."""
    app = create_app(
        _config(
            _schema,
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{closed_port()}/0",
            LOGIN_RATE_LIMIT="3 per minute",
        )
    )
    client = app.test_client()
    statuses = [
        client.post(
            "/account/login", data={"email": "x@example.org", "password": "wrong"}
        ).status_code
        for _ in range(5)
    ]
    assert 500 not in statuses
    assert statuses[-1] == 429
