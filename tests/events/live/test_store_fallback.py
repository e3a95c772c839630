"""The live throttle fails safe: with Redis unreachable the same token buckets hold per
process, so events are still throttled and still answered (tests/faults kills Redis)."""

from __future__ import annotations

from events.live.services.store import RedisStore
from tests.conftest import free_port as closed_port


def test_buckets_fall_back_to_memory_when_redis_is_down():
    store = RedisStore(f"redis://127.0.0.1:{closed_port()}/0", "test")
    assert [store.take("sid:x", 3, 0.001) for _ in range(4)] == [True, True, True, False]
    assert store.take("sid:other", 3, 0.001)  # per key, as in Redis
