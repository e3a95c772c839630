"""Coalesced sweep nudges: a burst of requests becomes one Celery message, none is lost."""

from __future__ import annotations

import threading
import time

import pytest

from participation.sweeps import Coalescer


class Recorder:
    def __init__(self, fail_first: bool = False) -> None:
        self.calls: list[tuple[str, float]] = []
        self.fail_first = fail_first
        self.fired = threading.Event()

    def __call__(self, name: str) -> None:
        self.calls.append((name, time.monotonic()))
        self.fired.set()
        if self.fail_first and len(self.calls) == 1:
            raise ConnectionError("broker down")


def _wait(recorder: Recorder, count: int, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while len(recorder.calls) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_a_burst_of_nudges_publishes_once_after_the_last_joined():
    coalescer, publish = Coalescer(window=0.1), Recorder()
    started = time.monotonic()
    scheduled = [coalescer.nudge("receipts", publish) for _ in range(50)]
    assert scheduled.count(True) == 1  # the first schedules, the other 49 join it
    _wait(publish, 1)
    time.sleep(0.2)
    assert [name for name, _ in publish.calls] == ["receipts"]
    assert publish.calls[0][1] - started >= 0.1


def test_a_nudge_after_the_publish_schedules_another():
    coalescer, publish = Coalescer(window=0.05), Recorder()
    coalescer.nudge("receipts", publish)
    _wait(publish, 1)
    assert coalescer.nudge("receipts", publish) is True
    _wait(publish, 2)
    assert len(publish.calls) == 2


def test_task_names_are_coalesced_separately():
    coalescer, publish = Coalescer(window=0.05), Recorder()
    coalescer.nudge("a", publish)
    coalescer.nudge("b", publish)
    coalescer.nudge("a", publish)
    _wait(publish, 2)
    time.sleep(0.1)
    assert sorted(name for name, _ in publish.calls) == ["a", "b"]


def test_a_failed_publish_is_logged_and_does_not_block_the_next(caplog: pytest.LogCaptureFixture):
    coalescer, publish = Coalescer(window=0.05), Recorder(fail_first=True)
    coalescer.nudge("receipts", publish)
    _wait(publish, 1)
    time.sleep(0.05)
    assert "periodic job" in caplog.text
    assert coalescer.nudge("receipts", publish) is True
    _wait(publish, 2)
    assert len(publish.calls) == 2
