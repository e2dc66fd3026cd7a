"""Benchmark of the streaming app on loopback (a script, not a test).

Starts ``python -m apps.streaming`` (one uvicorn worker) on 127.0.0.1 and measures, with an
asyncio keep-alive HTTP/1.1 client (so the load generator costs little next to the server):

* ``GET /api/catalog/rows``: requests/s and p50/p99 latency with read caching off
  (``CACHE_TTL_SECONDS=0``: every request queries SQLite), with the in-process cache, and with
  Redis when ``redis-server`` is installed;
* Range reads of a 64 MiB media file: MiB/s for 1 MiB ranges and for whole-file GETs.

    python benchmarks/app_bench.py [--seconds 5] [--connections 16]

Figures depend on the machine (and the client shares its cores): compare runs on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from apps.streaming.storage import UrlSigner  # noqa: E402

JWT_SECRET = "benchmark-secret-" + "b" * 40


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited early")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(port)


@contextmanager
def serve(env: dict[str, str], data_dir: Path) -> Iterator[int]:
    port = free_port()
    full_env = {**os.environ, "JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "WARNING", **env}
    process = subprocess.Popen(
        [sys.executable, "-m", "apps.streaming", "--port", str(port), "--data-dir", str(data_dir)],
        cwd=REPO_ROOT,
        env=full_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextmanager
def redis_server() -> Iterator[str | None]:
    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    port = free_port()
    workdir = tempfile.mkdtemp()
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, process)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str, headers: str = ""
) -> tuple[int, int]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    remaining = length
    while remaining:
        chunk = await reader.read(min(remaining, 1 << 20))
        if not chunk:
            raise ConnectionError("closed mid-body")
        remaining -= len(chunk)
    return status, length


async def _load(port: int, path: str, seconds: float, connections: int) -> tuple[int, list[float]]:
    latencies: list[float] = []
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                status, _ = await _request(reader, writer, path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                latencies.append(time.perf_counter() - started)
        finally:
            writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return len(latencies), latencies


def rows_benchmark(label: str, port: int, seconds: float, connections: int) -> None:
    asyncio.run(_load(port, "/api/catalog/rows", 1.0, connections))  # warm-up (and fill the cache)
    count, latencies = asyncio.run(_load(port, "/api/catalog/rows", seconds, connections))
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    print(f"catalog rows, {label:<22} {count / seconds:8.0f} req/s   p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")


async def _range_reads(port: int, url: str, size: int, range_size: int, rounds: int) -> float:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
    total = 0
    started = time.perf_counter()
    try:
        for _ in range(rounds):
            for offset in range(0, size, range_size):
                end = min(size, offset + range_size) - 1
                if range_size >= size:
                    status, length = await _request(reader, writer, url)
                    assert status == 200
                else:
                    status, length = await _request(reader, writer, url, f"Range: bytes={offset}-{end}\r\n")
                    assert status == 206, status
                total += length
    finally:
        writer.close()
    return total / (time.perf_counter() - started) / (1 << 20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.connections} connections, {args.seconds:.0f} s each"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        with serve({"CACHE_TTL_SECONDS": "0"}, base / "nocache") as port:
            rows_benchmark("no cache (SQLite)", port, args.seconds, args.connections)
        with serve({}, base / "memory") as port:
            rows_benchmark("in-process cache", port, args.seconds, args.connections)
        with redis_server() as redis_url:
            if redis_url:
                with serve({"REDIS_URL": redis_url}, base / "redis") as port:
                    rows_benchmark("Redis cache", port, args.seconds, args.connections)
            else:
                print("catalog rows, Redis cache: skipped (redis-server not installed)")

        data_dir = base / "media-bench"
        size = 64 << 20
        (data_dir / "media" / "uploads").mkdir(parents=True)
        (data_dir / "media" / "uploads" / "big.webm").write_bytes(os.urandom(1 << 20) * 64)
        url = UrlSigner(JWT_SECRET).url("GET", "/media/uploads/big.webm", 600).url
        with serve({}, data_dir) as port:
            for label, range_size, rounds in (("1 MiB ranges", 1 << 20, 4), ("whole 64 MiB file", size, 4)):
                rate = asyncio.run(_range_reads(port, url, size, range_size, rounds))
                print(f"media reads, {label:<23} {rate:8.0f} MiB/s")


if __name__ == "__main__":
    main()
