"""Benchmark of the streaming app beside the framework's hello app, on loopback (a script, not a test).

    python benchmarks/app_bench.py [--seconds 6] [--rounds 6] [--connections 8] [--media] [--redis]

In one run, with the same server, worker count and log settings (uvicorn, one process, the
options of ``python -m apps.streaming``; the app logs at INFO as in production, to /dev/null):

* the baseline: `hello_app.py`, a minimal FastAPI app with one sync and one async route;
* the app (embedded backends: SQLite and the in-process cache): ``/healthz``, the cached reads
  ``/api/catalog/rows`` and ``/api/catalog/titles/{id}``, and the uncached title list
  ``/api/catalog/titles`` (search, never cached);
* then the ratios to the sync baseline: requests/s (targets: cached >= 0.7, uncached list >= 0.4)
  and p99 (target <= 2x the baseline's p99).

Both servers run side by side and the load visits the baseline and every endpoint in turn, in
several short rounds, so that load from other processes on a shared machine hits them alike; a
throughput ratio is taken within a round and the median of the rounds is printed.

The load generator is an asyncio keep-alive HTTP/1.1 client in this process (uvloop when
installed), N connections each sending its next request when the previous answer has arrived.
On a 2-core machine it competes with the server for the CPU (as wrk would), so absolute
figures are low and noisy; the ratios, measured back to back in one run, are what to compare.
``--redis`` adds the rows with Redis as the cache, ``--media`` the Range reads of a 64 MiB file.
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
from dataclasses import dataclass
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
def serve(env: dict[str, str], data_dir: Path, command: list[str] | None = None) -> Iterator[int]:
    port = free_port()
    full_env = {**os.environ, "JWT_SECRET": JWT_SECRET, "LOG_LEVEL": "INFO", **env}
    process = subprocess.Popen(
        (command or [sys.executable, "-m", "apps.streaming", "--data-dir", str(data_dir)]) + ["--port", str(port)],
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


@dataclass
class Figure:
    label: str
    rps: float
    p50_ms: float
    p99_ms: float


def bench(label: str, port: int, path: str, seconds: float, connections: int) -> Figure:
    asyncio.run(_load(port, path, 1.0, connections))  # warm-up (and fill the cache)
    count, latencies = asyncio.run(_load(port, path, seconds, connections))
    latencies.sort()
    figure = Figure(
        label,
        count / seconds,
        statistics.median(latencies) * 1000,
        latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    )
    print(f"  {label:<38} {figure.rps:8.0f} req/s   p50 {figure.p50_ms:6.2f} ms   p99 {figure.p99_ms:6.2f} ms")
    return figure


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


HELLO = [sys.executable, str(REPO_ROOT / "benchmarks" / "hello_app.py")]
CACHED = ("/healthz", "/api/catalog/rows", "/api/catalog/titles/aurora")
UNCACHED = ("/api/catalog/titles",)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=6.0, help="load per endpoint, split into the rounds")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--redis", action="store_true", help="also the rows with Redis as the cache")
    parser.add_argument("--media", action="store_true", help="also Range reads of a 64 MiB media file")
    args = parser.parse_args()
    loop = _loop_name()
    slot = args.seconds / args.rounds
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} cores, {args.connections} connections, "
        f"{args.rounds} rounds of {slot:.1f} s per endpoint, load average {os.getloadavg()[0]:.1f}, client loop {loop}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        with serve({}, base / "hello", HELLO) as hello, serve({}, base / "app") as app:
            targets = [("hello GET /sync (def)", hello, "/sync"), ("hello GET /async (async def)", hello, "/async")]
            targets += [(f"app GET {path}", app, path) for path in CACHED + UNCACHED]
            for _, port, path in targets:  # warm-up (and fill the caches)
                asyncio.run(_load(port, path, 0.5, args.connections))
            # Rounds interleave the baseline and the app, so that a burst of load from other
            # processes on a shared machine hits both alike; ratios are taken within a round.
            rates: dict[str, list[float]] = {label: [] for label, _, _ in targets}
            latencies: dict[str, list[float]] = {label: [] for label, _, _ in targets}
            for _ in range(args.rounds):
                for label, port, path in targets:
                    count, lat = asyncio.run(_load(port, path, slot, args.connections))
                    rates[label].append(count / slot)
                    latencies[label].extend(lat)
        print(f"{'':<40}{'req/s (median)':>15}{'p50 ms':>9}{'p99 ms':>9}")
        p99: dict[str, float] = {}
        for label, _, _ in targets:
            lat = sorted(latencies[label])
            p99[label] = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
            p50 = statistics.median(lat) * 1000
            print(f"  {label:<38}{statistics.median(rates[label]):>15.0f}{p50:>9.2f}{p99[label]:>9.2f}")
        baseline = "hello GET /sync (def)"
        print()
        print(f"ratios to the sync baseline (median of the {args.rounds} rounds' ratios, [min-max]; p99 of all rounds)")
        for path in CACHED + UNCACHED:
            label = f"app GET {path}"
            ratios = sorted(a / b for a, b in zip(rates[label], rates[baseline], strict=True))
            ratio, p99_ratio = statistics.median(ratios), p99[label] / p99[baseline]
            floor = 0.4 if path in UNCACHED else 0.7
            print(
                f"  {path:<30} throughput {ratio:5.2f} [{ratios[0]:.2f}-{ratios[-1]:.2f}] (target >= {floor}) "
                f"{'ok' if ratio >= floor else 'MISSED'}   p99 {p99_ratio:5.2f}x (target <= 2) "
                f"{'ok' if p99_ratio <= 2 else 'MISSED'}"
            )

        if args.redis:
            with redis_server() as redis_url:
                if redis_url:
                    with serve({"REDIS_URL": redis_url}, base / "redis") as port:
                        bench(
                            "GET /api/catalog/rows, Redis cache",
                            port,
                            "/api/catalog/rows",
                            args.seconds,
                            args.connections,
                        )
                else:
                    print("rows, Redis cache: skipped (redis-server not installed)")
        if args.media:
            data_dir = base / "media-bench"
            size = 64 << 20
            (data_dir / "media" / "uploads").mkdir(parents=True)
            (data_dir / "media" / "uploads" / "big.webm").write_bytes(os.urandom(1 << 20) * 64)
            url = UrlSigner(JWT_SECRET).url("GET", "/media/uploads/big.webm", 600).url
            with serve({}, data_dir) as port:
                for label, range_size, rounds in (("1 MiB ranges", 1 << 20, 4), ("whole 64 MiB file", size, 4)):
                    rate = asyncio.run(_range_reads(port, url, size, range_size, rounds))
                    print(f"media reads, {label:<23} {rate:8.0f} MiB/s")


def _loop_name() -> str:
    try:
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
        return "uvloop"
    except ImportError:
        return "asyncio"


if __name__ == "__main__":
    main()
