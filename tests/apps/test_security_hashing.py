"""Password hashing holds under load: OWASP's argon2id parameters, a bound sized from memory, rehash on login."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from apps.streaming.db import users
from apps.streaming.security import (
    ARGON2_MEMORY_KIB,
    HashBusyError,
    HashLimiter,
    container_memory_mib,
    hash_password,
    hash_slots_for,
)
from tests.apps.conftest import PASSWORD, Server, start_server


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise AssertionError(f"{field} missing from /proc/{pid}/status")


def test_hashes_use_owasps_argon2id_parameters_for_interactive_logins() -> None:
    # WHEN a password is hashed
    encoded = hash_password(PASSWORD)
    # THEN it is argon2id with m=19 MiB, t=2, p=1 (OWASP Password Storage Cheat Sheet)
    assert encoded.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert ARGON2_MEMORY_KIB == 19456


@pytest.mark.parametrize(
    ("memory_mib", "cpus", "slots"),
    [(512, 2, 4), (512, 8, 9), (256, 4, 2), (160, 4, 1), (None, 2, 4), (None, 64, 8), (4096, 1, 2)],
)
def test_hashing_slots_are_sized_from_the_tasks_memory_and_cpus(memory_mib: int | None, cpus: int, slots: int) -> None:
    # A 512 MiB accounts task: (512 - 160) / 2 / 19 = 9 by memory, 2 per CPU
    assert hash_slots_for(memory_mib, cpus) == slots


def test_the_memory_limit_is_read_from_the_cgroup(tmp_path: Path) -> None:
    # GIVEN cgroup v2 files as ECS sets them (a limit), and as a laptop has them (no limit)
    (tmp_path / "memory.max").write_text("536870912\n")
    unlimited = tmp_path / "unlimited"
    unlimited.mkdir()
    (unlimited / "memory.max").write_text("max\n")
    # THEN the limit is read in MiB, and "max" (or no file) is no limit
    assert container_memory_mib(tmp_path) == 512
    assert container_memory_mib(unlimited) is None
    assert container_memory_mib(tmp_path / "missing") is None


def test_a_full_limiter_refuses_after_its_short_wait() -> None:
    # GIVEN a limiter with one slot held by another thread
    limiter = HashLimiter(1, wait_seconds=0.2)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with limiter:
            held.set()
            release.wait(5)

    worker = threading.Thread(target=hold)
    worker.start()
    held.wait(5)
    # WHEN another caller wants a slot
    started = time.monotonic()
    with pytest.raises(HashBusyError):
        limiter.__enter__()
    waited = time.monotonic() - started
    release.set()
    worker.join()
    # THEN it is refused after about the wait, and the slot is usable again once released
    assert 0.15 <= waited < 1.0
    with limiter:
        pass


def test_a_hash_with_old_parameters_is_replaced_at_the_next_login(client: Any) -> None:
    # GIVEN an account whose stored hash uses argon2-cffi's old default (64 MiB, t=3, p=4)
    client.post("/api/accounts/register", json={"email": "old@example.com", "password": PASSWORD})
    engine = client.app.state.ctx.engine
    old_hash = PasswordHasher().hash(PASSWORD)
    assert "m=65536" in old_hash
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.email == "old@example.com").values(password_hash=old_hash))
    # WHEN the user logs in
    login = client.post("/api/accounts/login", json={"email": "old@example.com", "password": PASSWORD})
    # THEN the login works and the stored hash now has the current parameters
    assert login.status_code == 200
    with engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.email == "old@example.com")).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert (
        client.post("/api/accounts/login", json={"email": "old@example.com", "password": PASSWORD}).status_code == 200
    )


@pytest.mark.slow
def test_40_concurrent_logins_keep_the_server_under_300_mib_and_the_excess_is_refused_quickly(tmp_path: Path) -> None:
    # GIVEN the accounts service as a real process with four hashing slots and a 300 ms wait for one
    server: Server = start_server(
        tmp_path / "data",
        {
            "APP_SERVICE": "accounts",
            "PASSWORD_HASH_CONCURRENCY": "4",
            "PASSWORD_HASH_WAIT_MS": "300",
            "AUTH_RATE_LIMIT": "1000",
            "AUTH_CLIENT_RATE_LIMIT": "1000",
        },
    )
    try:
        body = {"email": "load@example.com", "password": PASSWORD}
        assert httpx.post(server.base + "/api/accounts/register", json=body, timeout=30).status_code == 201
        pid = server.process.pid
        peak_rss = _status_kib(pid, "VmRSS")
        results: list[tuple[int, float, str | None]] = []
        lock, go = threading.Lock(), threading.Barrier(40)

        def login() -> None:
            with httpx.Client(base_url=server.base, timeout=60) as http:
                go.wait()
                started = time.monotonic()
                response = http.post("/api/accounts/login", json=body)
                with lock:
                    results.append(
                        (response.status_code, time.monotonic() - started, response.headers.get("retry-after"))
                    )

        # WHEN 40 clients log in at the same moment (the RSS is sampled from /proc while they run)
        threads = [threading.Thread(target=login) for _ in range(40)]
        for thread in threads:
            thread.start()
        while any(thread.is_alive() for thread in threads):
            peak_rss = max(peak_rss, _status_kib(pid, "VmRSS"))
            time.sleep(0.01)
        high_water = _status_kib(pid, "VmHWM")
        # THEN the process never held 300 MiB (VmHWM is the kernel's own peak for its whole life)
        assert max(peak_rss, high_water) < 300 * 1024, f"peak RSS {max(peak_rss, high_water) / 1024:.0f} MiB"
        statuses = sorted(status for status, _, _ in results)
        assert len(results) == 40 and set(statuses) <= {200, 503}, statuses
        # AND some logged in, the excess got a quick 503 with Retry-After instead of queueing
        refused = [(elapsed, retry) for status, elapsed, retry in results if status == 503]
        assert statuses.count(200) >= 2 and refused, statuses
        assert all(retry == "1" for _, retry in refused)
        assert max(elapsed for elapsed, _ in refused) < 3.0, refused
        # AND once the burst is over, logins work again
        assert httpx.post(server.base + "/api/accounts/login", json=body, timeout=30).status_code == 200
        print(
            f"peak RSS {max(peak_rss, high_water) / 1024:.0f} MiB; {statuses.count(200)} logged in, "
            f"{len(refused)} refused within {max(e for e, _ in refused):.2f}s"
        )
    finally:
        server.process.terminate()
        server.process.wait(timeout=15)
