"""The cache layer: in-process TTL/LRU cache, and Redis failing soft."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from apps.streaming.cache import MemoryCache, RedisCache
from tests.apps.conftest import Redis, free_port


def test_the_memory_cache_expires_entries_after_their_ttl(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an entry cached for 10 seconds
    now = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = MemoryCache()
    cache.set("k", b"v", 10)
    # WHEN time passes
    fresh = cache.get("k")
    now[0] += 11
    # THEN it is served while fresh and gone after
    assert fresh == b"v"
    assert cache.get("k") is None


def test_the_memory_cache_evicts_the_least_recently_used_entry_when_full() -> None:
    # GIVEN a two-entry cache holding a and b, with a read recently
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1", 60)
    cache.set("b", b"2", 60)
    cache.get("a")
    # WHEN c is added
    cache.set("c", b"3", 60)
    # THEN b (least recently used) is evicted
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (b"1", None, b"3")


def test_rate_limit_counters_reset_with_each_window(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a 60 s window
    now = [0.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    cache = MemoryCache()
    # WHEN hits are counted across two windows
    first = [cache.hit("ip", 60) for _ in range(3)]
    now[0] += 61
    # THEN the count restarts
    assert first == [1, 2, 3]
    assert cache.hit("ip", 60) == 1


def test_an_unreachable_redis_turns_reads_into_misses_quickly_and_limits_per_process() -> None:
    # GIVEN a Redis URL where nothing listens, and a cool-down no slow machine can outlast
    cache = RedisCache(f"redis://127.0.0.1:{free_port()}/0", cooldown_seconds=3600)
    sent: list[str] = []
    for command in ("get", "set"):
        real = getattr(cache._client, command)

        def spy(*args: object, _real: Any = real, _command: str = command, **kwargs: object) -> object:
            sent.append(_command)
            return _real(*args, **kwargs)

        setattr(cache._client, command, spy)
    # WHEN the cache is used
    cache.set("k", b"v", 10)
    results = [cache.get("k") for _ in range(50)]
    # THEN reads miss without errors, and after the first failure no call goes to Redis during the
    # cool-down (what keeps them quick: counted, not timed), and counters still count
    assert results == [None] * 50
    assert sent == ["set"]
    assert [cache.hit("ip", 60) for _ in range(3)] == [1, 2, 3]
    with pytest.raises(redis.ConnectionError):
        cache.ping()


def test_redis_stores_values_with_a_ttl_and_deletes_them(redis_server: Redis) -> None:
    # GIVEN the private Redis
    cache = RedisCache(redis_server.url, prefix="unit:")
    # WHEN a value is set, read and deleted
    cache.set("k", b"value", 30)
    read = cache.get("k")
    cache.delete("k")
    # THEN it round-trips, then is gone
    assert read == b"value"
    assert cache.get("k") is None
    cache.close()
