"""The hostile-input suite runs against the demo data (participation/demo.py), loaded once
per module, with the demo accounts signed in by role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from participation import create_app, demo
from participation.db import db
from tests.conftest import _config, _empty_tables
from tests.helpers import login
from tests.hostile.support import demo_user


@pytest.fixture(scope="module")
def demo_app(_schema: str) -> Iterator[Any]:
    app = create_app(_config(_schema))
    with app.app_context():
        assert demo.load()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


@pytest.fixture(scope="module")
def client_as(demo_app: Any) -> Callable[[str], Any]:
    """A test client signed in as a demo account (`anonymous`: none)."""

    def make(role: str) -> Any:
        client = demo_app.test_client()
        if role == "anonymous":
            return client
        return login(client, demo_user(role), password=demo.DEMO_PASSWORD)

    return make
