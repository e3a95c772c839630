"""Shared, short-lived state of the live Q&A: token buckets, presence, dirty marks.

In Redis when REDIS_URL is set, so limits and counts hold across web processes; in
memory otherwise (the embedded single process and tests).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import defaultdict
from typing import Any

from flask import Flask, current_app

PRESENCE_TTL = 60  # seconds a viewer counts without a refresh (a crashed process fades)

_BUCKET_SCRIPT = """
local cap = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local tm = redis.call('TIME')
local now = tonumber(tm[1]) + tonumber(tm[2]) / 1000000
local b = redis.call('HMGET', KEYS[1], 't', 'v')
local t = tonumber(b[1]) or now
local tokens = tonumber(b[2]) or cap
tokens = math.min(cap, tokens + (now - t) * rate)
local ok = 0
if tokens >= 1 then tokens = tokens - 1; ok = 1 end
redis.call('HSET', KEYS[1], 't', tostring(now), 'v', tostring(tokens))
redis.call('PEXPIRE', KEYS[1], math.ceil(cap / rate * 1000) + 1000)
return ok
"""


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self._viewers: dict[int, set[str]] = defaultdict(set)
        self._dirty: dict[str, set[int]] = {"votes": set(), "viewers": set()}
        self._ticks: dict[str, float] = {}

    def take(self, key: str, capacity: float, per_second: float) -> bool:
        now = time.monotonic()
        with self._lock:
            t, tokens = self._buckets.get(key, (now, capacity))
            tokens = min(capacity, tokens + (now - t) * per_second)
            ok = tokens >= 1
            self._buckets[key] = (now, tokens - 1 if ok else tokens)
            if len(self._buckets) > 50_000:  # forget idle buckets, they would be full
                self._buckets = {k: v for k, v in self._buckets.items() if now - v[0] < 60}
            return ok

    def add_viewer(self, session_id: int, sid: str) -> None:
        with self._lock:
            self._viewers[session_id].add(sid)
            self._dirty["viewers"].add(session_id)

    def remove_viewer(self, session_id: int, sid: str) -> None:
        with self._lock:
            self._viewers[session_id].discard(sid)
            if not self._viewers[session_id]:
                del self._viewers[session_id]
            self._dirty["viewers"].add(session_id)

    def viewer_count(self, session_id: int) -> int:
        return len(self._viewers.get(session_id, ()))

    def refresh_viewers(self, local: dict[int, set[str]]) -> None:
        pass  # memory presence never goes stale

    def mark_dirty(self, session_id: int, kind: str = "votes") -> None:
        with self._lock:
            self._dirty[kind].add(session_id)

    def pop_dirty(self, kind: str = "votes") -> list[int]:
        with self._lock:
            dirty, self._dirty[kind] = list(self._dirty[kind]), set()
        return dirty

    def acquire_tick(self, interval: float, name: str = "tick") -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._ticks.get(name, -1e9) < interval * 0.95:
                return False
            self._ticks[name] = now
            return True


class RedisStore:
    """The same operations on Redis, keyed under the Socket.IO channel name."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = f"{prefix}:live"
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self._bucket = self.redis.register_script(_BUCKET_SCRIPT)

    def take(self, key: str, capacity: float, per_second: float) -> bool:
        return bool(self._bucket(keys=[f"{self.prefix}:tb:{key}"], args=[capacity, per_second]))

    def _viewers_key(self, session_id: int) -> str:
        return f"{self.prefix}:viewers:{session_id}"

    def add_viewer(self, session_id: int, sid: str) -> None:
        pipe = self.redis.pipeline()
        pipe.zadd(self._viewers_key(session_id), {f"{self.me}:{sid}": time.time()})
        pipe.sadd(f"{self.prefix}:dirty:viewers", session_id)
        pipe.execute()

    def remove_viewer(self, session_id: int, sid: str) -> None:
        pipe = self.redis.pipeline()
        pipe.zrem(self._viewers_key(session_id), f"{self.me}:{sid}")
        pipe.sadd(f"{self.prefix}:dirty:viewers", session_id)
        pipe.execute()

    def viewer_count(self, session_id: int) -> int:
        return int(
            self.redis.zcount(self._viewers_key(session_id), time.time() - PRESENCE_TTL, "+inf")
        )

    def refresh_viewers(self, local: dict[int, set[str]]) -> None:
        now = time.time()
        pipe = self.redis.pipeline()
        for session_id, sids in local.items():
            key = self._viewers_key(session_id)
            if sids:
                pipe.zadd(key, {f"{self.me}:{sid}": now for sid in sids})
            pipe.zremrangebyscore(key, "-inf", now - PRESENCE_TTL)
            pipe.expire(key, 86400)
        pipe.execute()

    def mark_dirty(self, session_id: int, kind: str = "votes") -> None:
        self.redis.sadd(f"{self.prefix}:dirty:{kind}", session_id)

    def pop_dirty(self, kind: str = "votes") -> list[int]:
        return [int(x) for x in self.redis.spop(f"{self.prefix}:dirty:{kind}", 10_000) or []]

    def acquire_tick(self, interval: float, name: str = "tick") -> bool:
        # One flush per interval across all processes: the rate bound of `counts` holds
        # however many web processes serve the room.
        return bool(
            self.redis.set(f"{self.prefix}:{name}", self.me, nx=True, px=int(interval * 1000))
        )


def get_store(app: Flask | None = None) -> Any:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.setdefault("live", {})
    if "store" not in state:
        url = app.config.get("REDIS_URL")
        state["store"] = RedisStore(url, app.config["SOCKETIO_CHANNEL"]) if url else MemoryStore()
    return state["store"]
