"""Schemathesis over the whole /api/v1/openapi.json, against the app with demo data and
a resident's personal API token: no server error and no response outside the documented
schema, on any operation. Bounded: a few examples per operation, no shrinking."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from participation import accounts
from participation.db import db
from tests.hostile.support import demo_user

MAX_EXAMPLES = 8
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def resident_token(demo_app: Any) -> str:
    token = accounts.issue_api_token(demo_user("resident"))
    db.session.commit()
    return token


@pytest.fixture(scope="module")
def api_schema(demo_app: Any) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo_app)


def test_api_matches_its_documented_schema(api_schema: Any, resident_token: str) -> None:
    headers = {"Authorization": f"Bearer {resident_token}"}
    failures: dict[str, str] = {}
    operations = examples = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            nonlocal examples
            examples += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as exc:  # every operation tried, all reported
            failures[operation.label] = str(exc)[:1500]
    print(f"schemathesis: {operations} operations, {examples} examples")
    assert operations >= 10
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())
