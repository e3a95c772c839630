"""Fault tests: the scaled set-up on private PostgreSQL and Redis instances that the tests
start, kill and restart themselves (bench/faults.py), never the shared services."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.faults import Services
from tests.processes import missing_fault_binaries


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def fault_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    if reason := missing_fault_binaries():
        message = f"fault tests need private services: {reason}"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    with Services.start(tmp_path_factory.mktemp("faults")) as services:
        yield services
