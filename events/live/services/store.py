"""Shared, short-lived state of the live Q&A: token buckets, presence, dirty marks, and
the voter sets with the queue of votes not yet in the database (services/votes.py).

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
VOTES_TTL = 86400  # seconds a question's voter set stays in Redis after its last vote
CLAIM_TTL = 30  # seconds a crashed persister keeps the vote queue locked

# A voter set holds the member "0" (no user has id 0) once it has been seeded from the
# database: the rule "one vote per person" is then a single SADD, the count a SCARD - 1.
_VOTE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local changed
if ARGV[2] == '1' then
  changed = redis.call('SADD', KEYS[1], ARGV[1])
else
  changed = redis.call('SREM', KEYS[1], ARGV[1])
end
if changed == 1 then redis.call('RPUSH', KEYS[2], ARGV[3]) end
redis.call('EXPIRE', KEYS[1], ARGV[4])
return redis.call('SCARD', KEYS[1]) - 1
"""
_SEED_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 1, #ARGV - 1, 5000 do
  redis.call('SADD', KEYS[1], unpack(ARGV, i, math.min(i + 4999, #ARGV - 1)))
end
redis.call('EXPIRE', KEYS[1], ARGV[#ARGV])
return 1
"""
_MERGE_SCRIPT = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  redis.call('SUNIONSTORE', KEYS[2], KEYS[2], KEYS[1])
  if ARGV[1] ~= '0' then redis.call('SADD', KEYS[2], ARGV[1]) end
end
redis.call('DEL', KEYS[1])
return 1
"""
_FINISH_SCRIPT = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  if tonumber(ARGV[2]) > 0 then redis.call('LTRIM', KEYS[2], ARGV[2], -1) end
  redis.call('DEL', KEYS[1])
end
return 1
"""

Vote = tuple[int, int, bool]  # question id, user id, on

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
        self._viewers: dict[int, set[str]] = defaultdict(set)  # viewer keys (counting.py)
        self._browsers: dict[tuple[int, str], set[str]] = {}
        self._dirty: dict[str, set[int]] = {"votes": set(), "viewers": set()}
        self._ticks: dict[str, float] = {}
        self._voters: dict[int, set[int]] = {}  # seeded questions only
        self._queue: list[Vote] = []
        self._claimed = False

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

    def add_viewer(self, session_id: int, key: str) -> None:
        with self._lock:
            self._viewers[session_id].add(key)
            self._dirty["viewers"].add(session_id)

    def claim_browser(self, session_id: int, address: str, browser: str, cap: int) -> bool:
        """Count ``browser`` on its own unless ``address`` already has ``cap`` browsers."""
        with self._lock:
            seen = self._browsers.setdefault((session_id, address), set())
            if browser in seen or len(seen) < cap:
                seen.add(browser)
                return True
            return False

    def remove_viewer(self, session_id: int, key: str) -> None:
        with self._lock:
            self._viewers[session_id].discard(key)
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

    def vote(self, question_id: int, user_id: int, on: bool) -> int | None:
        """Apply a vote to the voter set and queue it if it changed anything; the count,
        or None when the set has not been seeded from the database yet."""
        with self._lock:
            voters = self._voters.get(question_id)
            if voters is None:
                return None
            if on != (user_id in voters):
                (voters.add if on else voters.discard)(user_id)
                self._queue.append((question_id, user_id, on))
            return len(voters)

    def seed_votes(self, question_id: int, user_ids: list[int]) -> None:
        with self._lock:
            self._voters.setdefault(question_id, set(user_ids))

    def voted(self, question_ids: list[int], user_id: int) -> dict[int, bool]:
        """Whether the user voted, for the questions whose sets are seeded."""
        with self._lock:
            return {q: user_id in self._voters[q] for q in question_ids if q in self._voters}

    def merge_votes(self, dup_id: int, target_id: int, author_id: int | None) -> None:
        with self._lock:
            dup = self._voters.pop(dup_id, set())
            if target_id in self._voters:
                self._voters[target_id] |= dup | ({author_id} if author_id else set())

    def claim_votes(self, limit: int) -> tuple[str, list[Vote]] | None:
        """The oldest queued votes, for one persister at a time (None: someone else)."""
        with self._lock:
            if self._claimed:
                return None
            self._claimed = True
            return "memory", self._queue[:limit]

    def finish_votes(self, token: str, done: int) -> None:
        """Drop the first ``done`` queued votes (now in the database) and unlock."""
        with self._lock:
            del self._queue[:done]
            self._claimed = False


class RedisStore:
    """The same operations on Redis, keyed under the Socket.IO channel name."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self.redis = redis.Redis.from_url(url)
        self.prefix = f"{prefix}:live"
        self.me = f"{socket.gethostname()}:{os.getpid()}"
        self._bucket = self.redis.register_script(_BUCKET_SCRIPT)
        self._vote = self.redis.register_script(_VOTE_SCRIPT)
        self._seed = self.redis.register_script(_SEED_SCRIPT)
        self._merge = self.redis.register_script(_MERGE_SCRIPT)
        self._finish = self.redis.register_script(_FINISH_SCRIPT)
        self._queue_key = f"{self.prefix}:votes:queue"
        self._claim_key = f"{self.prefix}:votes:claim"
        self._local_buckets = MemoryStore()

    def take(self, key: str, capacity: float, per_second: float) -> bool:
        """Fails safe: while Redis is unreachable the same buckets hold per process, so
        throttling goes on (each process allows the burst) and no event goes unanswered."""
        import redis

        try:
            return bool(self._bucket(keys=[f"{self.prefix}:tb:{key}"], args=[capacity, per_second]))
        except redis.RedisError:
            return self._local_buckets.take(key, capacity, per_second)

    def _viewers_key(self, session_id: int) -> str:
        return f"{self.prefix}:viewers:{session_id}"

    def add_viewer(self, session_id: int, key: str) -> None:
        pipe = self.redis.pipeline()
        pipe.zadd(self._viewers_key(session_id), {f"{self.me}:{key}": time.time()})
        pipe.sadd(f"{self.prefix}:dirty:viewers", session_id)
        pipe.execute()

    def claim_browser(self, session_id: int, address: str, browser: str, cap: int) -> bool:
        key = f"{self.prefix}:browsers:{session_id}:{address}"
        pipe = self.redis.pipeline()
        pipe.sismember(key, browser)
        pipe.scard(key)
        known, count = pipe.execute()
        if known:
            return True
        if count >= cap:
            return False
        pipe.sadd(key, browser)
        pipe.expire(key, 86400)
        pipe.execute()
        return True  # two racing joins may both pass: the cap is exceeded by one at most

    def remove_viewer(self, session_id: int, key: str) -> None:
        pipe = self.redis.pipeline()
        pipe.zrem(self._viewers_key(session_id), f"{self.me}:{key}")
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
            if sids:  # viewer keys (counting.py), one member per process and person
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

    def _voters_key(self, question_id: int) -> str:
        return f"{self.prefix}:voters:{question_id}"

    def vote(self, question_id: int, user_id: int, on: bool) -> int | None:
        # One script: the set and the queue change together, atomically.
        n = int(
            self._vote(
                keys=[self._voters_key(question_id), self._queue_key],
                args=[user_id, int(on), f"{question_id}:{user_id}:{int(on)}", VOTES_TTL],
            )
        )
        return None if n < 0 else n

    def seed_votes(self, question_id: int, user_ids: list[int]) -> None:
        self._seed(keys=[self._voters_key(question_id)], args=[0, *user_ids, VOTES_TTL])

    def voted(self, question_ids: list[int], user_id: int) -> dict[int, bool]:
        pipe = self.redis.pipeline(transaction=False)
        for q in question_ids:
            pipe.smismember(self._voters_key(q), [0, user_id])
        return {
            q: bool(mine)
            for q, (seeded, mine) in zip(question_ids, pipe.execute(), strict=True)
            if seeded
        }

    def merge_votes(self, dup_id: int, target_id: int, author_id: int | None) -> None:
        keys = [self._voters_key(dup_id), self._voters_key(target_id)]
        self._merge(keys=keys, args=[author_id or 0])

    def claim_votes(self, limit: int) -> tuple[str, list[Vote]] | None:
        token = f"{self.me}:{time.monotonic_ns()}"
        if not self.redis.set(self._claim_key, token, nx=True, px=CLAIM_TTL * 1000):
            return None
        votes = []
        for raw in self.redis.lrange(self._queue_key, 0, limit - 1):
            q, u, on = raw.decode().split(":")
            votes.append((int(q), int(u), on == "1"))
        return token, votes

    def finish_votes(self, token: str, done: int) -> None:
        self._finish(keys=[self._claim_key, self._queue_key], args=[token, done])


def get_store(app: Flask | None = None) -> Any:
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    state = app.extensions.setdefault("live", {})
    if "store" not in state:
        url = app.config.get("REDIS_URL")
        state["store"] = RedisStore(url, app.config["SOCKETIO_CHANNEL"]) if url else MemoryStore()
    return state["store"]
