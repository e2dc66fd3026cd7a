"""The app as a real process: ``python -m apps.streaming``, JSON logs, start-up retries, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg

from apps.streaming.storage import UrlSigner
from tests.apps.conftest import JWT_SECRET, REPO_ROOT, Postgres, Server, free_port, start_server, wait_for_port


def test_python_dash_m_serves_the_api_and_the_page_on_a_fresh_data_dir(server: Server) -> None:
    # GIVEN `python -m apps.streaming --port P --data-dir D` on an empty data dir
    # WHEN the page, its script, a poster and the API are fetched
    page = httpx.get(server.base + "/")
    script = httpx.get(server.base + "/app.js")
    poster = httpx.get(server.base + "/posters/ocean.svg")
    rows = httpx.get(server.base + "/api/catalog/rows")
    # THEN all are served, and the data dir now holds the SQLite database
    assert page.status_code == 200 and '<script src="app.js"' in page.text
    assert script.status_code == 200 and "/api/catalog/rows" in script.text
    assert poster.status_code == 200 and poster.headers["content-type"].startswith("image/svg+xml")
    assert rows.status_code == 200 and rows.json()["rows"][0]["items"]
    assert (server.data_dir / "streaming.sqlite3").exists()


def test_the_server_logs_one_json_line_per_request_with_its_request_id(server: Server) -> None:
    # WHEN a request carries a request id
    httpx.get(server.base + "/api/catalog/titles/aurora", headers={"X-Request-ID": "log-check-1"})
    time.sleep(0.3)
    # THEN the log has a JSON access line with that id, method, path and status
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    access = [entry for entry in lines if entry.get("request_id") == "log-check-1"]
    assert access and access[-1]["path"] == "/api/catalog/titles/aurora"
    assert access[-1]["status"] == 200 and access[-1]["method"] == "GET"
    assert all("level" in entry and "time" in entry for entry in lines)


def test_sigterm_lets_an_in_flight_download_finish_then_exits_cleanly(tmp_path: Path) -> None:
    # GIVEN a server whose shutdown window the test sets far beyond any download here (the default 20 s
    # cut a slow 48 MiB download on a loaded machine), and a large media file being downloaded slowly
    server = start_server(tmp_path / "data", env={"SHUTDOWN_TIMEOUT": "600"})
    try:
        _download_through_sigterm(server)
    finally:
        if server.process.poll() is None:
            server.process.kill()
            server.process.wait(timeout=15)


def test_a_shutdown_window_that_is_not_a_number_is_refused(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apps.streaming", "--shutdown-timeout", "soon", "--data-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "argument --shutdown-timeout: 'soon' is not a whole number of seconds" in result.stderr
    assert "Traceback" not in result.stderr


def _refuses_connections(port: int, within_seconds: float) -> bool:
    deadline = time.monotonic() + within_seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return True
        time.sleep(0.1)
    return False


def _download_through_sigterm(server: Server) -> None:
    size = 48 * 1024 * 1024
    (server.data_dir / "media" / "uploads").mkdir(parents=True)
    (server.data_dir / "media" / "uploads" / "big.webm").write_bytes(os.urandom(1024) * (size // 1024))
    signed = UrlSigner(JWT_SECRET).url("GET", "/media/uploads/big.webm", 300)
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    sock.sendall(f"GET {signed.url} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    received = sock.recv(64 * 1024)
    assert received.startswith(b"HTTP/1.1 200")
    # WHEN the server gets SIGTERM mid-download
    server.process.send_signal(signal.SIGTERM)
    # THEN new connections are soon refused (polled: how soon depends on the machine's load), the download
    # completes in full, and the app shuts down cleanly (uvicorn re-raises the signal after its graceful
    # shutdown, so the status is -SIGTERM or 0)
    assert _refuses_connections(server.port, within_seconds=60)
    while chunk := sock.recv(1024 * 1024):
        received += chunk
    sock.close()
    _head, _, body = received.partition(b"\r\n\r\n")
    assert len(body) == size
    assert server.process.wait(timeout=20) in (0, -signal.SIGTERM)
    log = server.log.read_text()
    assert log.index('"path": "/media/uploads/big.webm"') < log.index("Application shutdown complete")


def test_the_server_waits_with_backoff_for_a_database_that_comes_up_late(
    tmp_path: Path, postgres_server: Postgres
) -> None:
    # GIVEN a database URL naming a database that does not exist yet
    name = "late_" + os.urandom(4).hex()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": postgres_server.url(name), "JWT_SECRET": JWT_SECRET}
    log = tmp_path / "late.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "apps.streaming", "--port", str(port), "--data-dir", str(tmp_path)],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        # WHEN the database is created once the server has failed to connect at least once
        deadline = time.monotonic() + 30
        while "retrying" not in log.read_text() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
        with psycopg.connect(
            f"host=127.0.0.1 port={postgres_server.port} user=streaming dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        wait_for_port(port, timeout=30, process=process)
        # THEN the server retried, then migrated, seeded and serves
        assert httpx.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/api/catalog/titles").json()["total"] == 6
        retries = [
            json.loads(line) for line in log.read_text().splitlines() if line.startswith("{") and "retrying" in line
        ]
        assert retries and retries[0]["attempt"] == 1
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_a_configuration_error_exits_with_status_2_and_a_clear_message(tmp_path: Path) -> None:
    # WHEN the server starts with an invalid service name
    result = subprocess.run(
        [sys.executable, "-m", "apps.streaming", "--data-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env={**os.environ, "APP_SERVICE": "billing"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # THEN it exits 2 naming the variable
    assert result.returncode == 2
    assert "[APP_SERVICE]='billing' is not valid" in result.stderr


def test_start_server_helper_builds_a_server_on_a_free_port(tmp_path: Path) -> None:
    # GIVEN the accounts service started as a process
    srv = start_server(tmp_path / "d", {"APP_SERVICE": "accounts"})
    try:
        # WHEN probed
        # THEN health answers and the catalog is not served there
        assert httpx.get(srv.base + "/healthz").status_code == 200
        assert httpx.get(srv.base + "/api/catalog/rows").status_code == 404
    finally:
        srv.process.terminate()
        srv.process.wait(timeout=15)
