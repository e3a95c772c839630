"""Two real gevent web processes, a Celery worker, Redis and PostgreSQL: viewers on both
processes see the same questions in the same order; a Celery task's push reaches them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from tests.conftest import free_port
from tests.events.live.protocol import LiveViewer, signed_in_cookie, wait_until
from tests.processes import prepare_database, start_web, start_worker

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def private_database(postgres_url: str) -> Iterator[str]:
    url = sa.make_url(postgres_url)
    name = f"canyu_live_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def cluster(private_database, redis_url, tmp_path) -> Iterator[tuple[str, str]]:
    run = uuid.uuid4().hex[:8]
    env = {
        "DATABASE_URL": private_database,
        "REDIS_URL": redis_url,
        "SOCKETIO_CHANNEL": f"canyu-live-test-{run}",
        "CELERY_QUEUE": f"canyu-live-test-{run}",
        "CELERY_ALWAYS_EAGER": "0",
        "INSTANCE_PATH": str(tmp_path),
        "RATELIMIT_ENABLED": "0",
        "SECRET_KEY": f"live-test-{run}",  # both processes must read each other's cookies
    }
    prepare_database(env)
    with (
        start_web(free_port(), env) as one,
        start_web(free_port(), env) as two,
        start_worker(env),
    ):
        yield one, two


def _session_id(base: str) -> int:
    import requests

    html = requests.get(f"{base}/live/", timeout=10).text
    return int(re.search(r'href="/live/(\d+)"', html).group(1))


def test_viewers_on_two_processes_see_the_same_questions_in_the_same_order(cluster):
    one, two = cluster
    sid = _session_id(one)
    viewer_one, viewer_two = LiveViewer(one, sid), LiveViewer(two, sid)
    resident_cookie, _ = signed_in_cookie(one, "resident@example.cn")
    moderator_cookie, moderator_http = signed_in_cookie(two, "moderator@example.cn")
    voter_cookie, _ = signed_in_cookie(two, "resident2@example.cn")
    asker = LiveViewer(one, sid, resident_cookie)
    moderator = LiveViewer(two, sid, moderator_cookie)
    voter = LiveViewer(two, sid, voter_cookie)
    try:
        assert viewer_one.ordered() == viewer_two.ordered()
        start = viewer_two.version
        asked = []
        for body in ("两进程测试：第一个问题？", "两进程测试：第二个问题？"):
            ack = asker.call("ask", {"session_id": sid, "body": body})
            assert ack["ok"], ack
            asked.append(ack["question"]["id"])
        assert moderator.call("join", {"session_id": sid, "moderator": True})["ok"]
        for qid in asked:
            ack = moderator.call("moderate", {"action": "approve", "question_id": qid, "rev": 1})
            assert ack["ok"], ack
        # The second question gets a vote on process two; counts reach process one too.
        assert voter.call("vote", {"question_id": asked[1]})["votes"] == 1
        for v in (viewer_one, viewer_two):
            wait_until(lambda v=v: set(asked) <= set(v.questions), what="approved questions")
            wait_until(lambda v=v: v.questions[asked[1]]["votes"] == 1, what="coalesced vote count")
        assert viewer_one.version == viewer_two.version == start + 2
        assert viewer_one.ordered() == viewer_two.ordered()
        fresh = LiveViewer(one, sid)
        assert fresh.ordered() == viewer_two.ordered()
        assert viewer_one.viewers == viewer_two.viewers >= 5  # presence shared in Redis
        fresh.close()

        # A written answer is published over HTTP; the Celery worker pushes it to viewers.
        ack = moderator.call(
            "moderate",
            {"action": "assign", "question_id": asked[0], "rev": 2, "department_id": 1},
        )
        assert ack["ok"], ack
        page = moderator_http.get(f"{two}/live/{sid}/followups", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        resp = moderator_http.post(
            f"{two}/live/questions/{asked[0]}/written-answer",
            data={"answer": "书面答复：已经安排。", "official": "办公厅", "csrf_token": token},
            allow_redirects=False,
            timeout=10,
        )
        assert resp.status_code == 302
        for v in (viewer_one, viewer_two):
            wait_until(
                lambda v=v: v.questions[asked[0]].get("answer") == "书面答复：已经安排。",
                what="the worker's push",
            )
        assert viewer_one.ordered() == viewer_two.ordered()
    finally:
        for c in (viewer_one, viewer_two, asker, moderator, voter):
            c.close()
