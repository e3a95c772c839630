"""Sweep tasks: work recorded in the database, picked up in batches by a Celery task.

A request that leaves work behind (a receipt to mail) marks its own row and calls
``request_sweep``, instead of publishing one Celery message per row: at 200 comments a
second, one publish per comment cost more CPU than storing the comment. The row is the
durable record, committed with the data it belongs to, so nothing is lost if a process
dies; a periodic job sweeps whatever a lost nudge left behind.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from .extensions import celery, db

log = logging.getLogger(__name__)

# How long a nudge waits for others to join it. Short enough that a receipt mail leaves
# within a second; long enough that a burst of requests becomes one Celery message.
COALESCE_SECONDS = 0.25


class Coalescer:
    """At most one publish per task name per window in this process, never dropping the
    last one: a nudge either schedules a publish or joins one that has not happened yet,
    so every nudge is followed by a sweep that starts after it."""

    def __init__(self, window: float = COALESCE_SECONDS) -> None:
        self.window = window
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    def nudge(self, task_name: str, publish: Any) -> bool:
        """True when this call scheduled a publish, False when it joined a pending one."""
        with self._lock:
            if task_name in self._pending:
                return False
            self._pending.add(task_name)
        # Under gevent's monkey patching this timer is a greenlet, not a thread.
        timer = threading.Timer(self.window, self._fire, args=(task_name, publish))
        timer.daemon = True
        timer.start()
        return True

    def _fire(self, task_name: str, publish: Any) -> None:
        with self._lock:
            self._pending.discard(task_name)
        try:
            publish(task_name)
        except Exception:  # noqa: BLE001 - the periodic sweep picks the rows up later
            log.exception("could not publish sweep %s; the periodic job will run it", task_name)


_coalescer = Coalescer()


def _publish(task_name: str) -> None:
    celery.send_task(task_name)


def request_sweep(task_name: str) -> None:
    """Ask for task_name to run soon. Call it after the commit that created the work.

    Embedded (eager Celery) it runs now, in this request, as every task does there; if
    it fails, the work stays recorded for the periodic job and the request that already
    committed its data still succeeds.
    """
    if not celery.conf.task_always_eager:
        _coalescer.nudge(task_name, _publish)
        return
    try:
        celery.tasks[task_name]()
    except Exception:  # noqa: BLE001 - committed data must not turn into an error page
        log.exception("sweep %s failed; the periodic job will retry it", task_name)
        db.session.rollback()
