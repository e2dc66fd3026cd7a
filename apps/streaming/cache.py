"""Cache and rate-limit counters: Redis/Valkey when configured, else in-process.

Redis failures never fail a request: reads become misses, writes are dropped, and
after a failure the cache is skipped for a short cool-down so a dead Redis adds no
latency to every request (catalog reads then come straight from the database).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Protocol

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

log = logging.getLogger("streaming.cache")


class Cache(Protocol):
    kind: str

    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...
    def delete(self, *keys: str) -> None: ...
    def hit(self, key: str, window_seconds: int) -> int:
        """Count one event for ``key`` in a fixed window; return the count so far."""
        ...

    def ping(self) -> None:
        """Raise when the cache is unreachable."""
        ...

    def close(self) -> None: ...


class MemoryCache:
    """A thread-safe LRU cache with TTLs, for a single process."""

    kind = "memory"

    def __init__(self, max_entries: int = 4096) -> None:
        self._data: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._counters: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._max = max_entries

    def get(self, key: str) -> bytes | None:
        now = time.monotonic()
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            if item[0] <= now:
                del self._data[key]
                return None
            self._data.move_to_end(key)
            return item[1]

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + ttl_seconds, value)
            self._data.move_to_end(key)
            while len(self._data) > self._max:
                self._data.popitem(last=False)

    def delete(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._data.pop(key, None)

    def hit(self, key: str, window_seconds: int) -> int:
        now = time.monotonic()
        with self._lock:
            if len(self._counters) > 100_000:
                self._counters = {k: v for k, v in self._counters.items() if v[0] > now}
            expires, count = self._counters.get(key, (0.0, 0))
            if expires <= now:
                expires, count = now + window_seconds, 0
            count += 1
            self._counters[key] = (expires, count)
            return count

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None


class RedisCache:
    """Redis/Valkey (TLS with ``rediss://``), with retries and a cool-down after failures."""

    kind = "redis"

    def __init__(self, url: str, *, prefix: str = "streaming:", cooldown_seconds: float = 5.0) -> None:
        self._client = redis.Redis.from_url(
            url,
            socket_connect_timeout=1.0,
            socket_timeout=1.0,
            retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), retries=2),
            retry_on_error=[redis.ConnectionError, redis.TimeoutError],
            health_check_interval=30,
        )
        self._prefix = prefix
        self._cooldown = cooldown_seconds
        self._down_until = 0.0
        self._fallback = MemoryCache(max_entries=1)

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, op: str, exc: Exception) -> None:
        self._down_until = time.monotonic() + self._cooldown
        log.warning("cache %s failed; serving without cache", op, extra={"error": type(exc).__name__})

    def get(self, key: str) -> bytes | None:
        if not self._available():
            return None
        try:
            value = self._client.get(self._prefix + key)
        except redis.RedisError as exc:
            self._failed("get", exc)
            return None
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        if not self._available():
            return
        try:
            self._client.set(self._prefix + key, value, ex=ttl_seconds)
        except redis.RedisError as exc:
            self._failed("set", exc)

    def delete(self, *keys: str) -> None:
        # Invalidation is attempted even during a cool-down: a stale entry is worse than a slow write.
        try:
            self._client.delete(*(self._prefix + k for k in keys))
        except redis.RedisError as exc:
            self._failed("delete", exc)

    def hit(self, key: str, window_seconds: int) -> int:
        full = self._prefix + "rl:" + key
        if not self._available():
            return self._fallback.hit(key, window_seconds)
        try:
            pipe = self._client.pipeline(transaction=True)
            pipe.incr(full)
            pipe.expire(full, window_seconds, nx=True)
            count, _ = pipe.execute()
            return int(count)
        except redis.RedisError as exc:
            # Limit per process while Redis is down, rather than not at all.
            self._failed("rate-limit", exc)
            return self._fallback.hit(key, window_seconds)

    def ping(self) -> None:
        self._client.ping()

    def close(self) -> None:
        self._client.close()


def make_cache(redis_url: str | None) -> Cache:
    return RedisCache(redis_url) if redis_url else MemoryCache()
