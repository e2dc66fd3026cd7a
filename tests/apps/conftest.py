"""Fixtures for the streaming app's tests.

Every API test runs twice: against the embedded defaults (SQLite, in-process cache, local
media) and against the cloud backends (a private PostgreSQL and Redis started here from
Debian's binaries on 127.0.0.1, and S3 through moto's server on 127.0.0.1).

A missing system binary skips the tests that need it on a laptop, and fails them in CI
(``CI=true``), so CI can never go green by skipping.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
ADMIN_EMAIL = "admin@example.com"
PASSWORD = "correct horse battery"
JWT_SECRET = "test-secret-" + "x" * 40


def pytest_configure(config: pytest.Config) -> None:
    # Starlette's notice that its TestClient will move from httpx to httpx2 (not our code).
    config.addinivalue_line("filterwarnings", "ignore:Using `httpx` with `starlette.testclient`")
    config.addinivalue_line("markers", "slow: starts processes, a browser or an image build")


def need(condition: bool, what: str) -> None:
    """Skip (laptop) or fail (CI) when a system prerequisite is missing."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI (install it in .ci/run)")
    pytest.skip(f"{what} is not installed")


def need_binary(name: str) -> str:
    path = shutil.which(name)
    need(path is not None, f"`{name}`")
    assert path is not None
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout: float = 20.0, process: subprocess.Popen[Any] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


# -- private servers --------------------------------------------------------------------------
@dataclass
class Postgres:
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.user} dbname=postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def _postgres_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", "postgres", "--"]


@contextlib.contextmanager
def running_postgres(
    superuser: str, *, initdb_args: tuple[str, ...], settings: str, files: dict[str, str] | None = None
) -> Iterator[tuple[int, Path]]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (as the ``postgres`` user when root): ``initdb``
    with ``superuser`` and ``initdb_args`` (``{root}`` in them is the cluster's directory; ``files`` are written beside it first, e.g. a password
    file), started with ``settings`` (``-c name=value …``) and fast, unsafe writes. Yields the port
    and the directory holding the files; stops and removes the cluster afterwards."""
    bindir = _postgres_bin()
    need(bindir is not None, "PostgreSQL server (Debian package `postgresql`)")
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="streaming-pg-"))
    data = root / "data"
    for name, content in (files or {}).items():
        (root / name).write_text(content)
    if os.geteuid() == 0:
        for path in (root, *(root / name for name in files or {})):
            shutil.chown(path, "postgres", "postgres")
    port = free_port()
    prefix = _as_postgres_user()
    subprocess.run(
        [
            *prefix,
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            superuser,
            *(a.format(root=root) for a in initdb_args),
            "--encoding=UTF8",
            "--no-sync",
        ],
        check=True,
        capture_output=True,
    )
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c synchronous_commit=off {settings}"
    subprocess.run(
        [
            *prefix,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-t",
            "30",
            "start",
            "-o",
            options,
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield port, root
    finally:
        subprocess.run(
            [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Postgres]:
    with running_postgres("streaming", initdb_args=("--auth=trust",), settings="-c full_page_writes=off") as (port, _):
        yield Postgres(port=port, user="streaming")


@dataclass
class Redis:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Redis]:
    binary = need_binary("redis-server")
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="streaming-redis-")
    process = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", workdir],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process=process)
        yield Redis(port=port, process=process)
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class S3:
    endpoint: str


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield S3(endpoint=f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def make_bucket(endpoint: str) -> str:
    import boto3

    name = "media-" + uuid.uuid4().hex[:12]
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


# -- the app under test -------------------------------------------------------------------------
AppFactory = Callable[..., Any]


@pytest.fixture(params=["embedded", "cloud"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def base_env(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, str]:
    """Environment variables for the chosen backend (fresh database, flushed cache, new bucket)."""
    env = {"JWT_SECRET": JWT_SECRET, "DATA_DIR": str(tmp_path / "data")}
    if backend == "cloud":
        postgres: Postgres = request.getfixturevalue("postgres_server")
        redis_srv: Redis = request.getfixturevalue("redis_server")
        s3: S3 = request.getfixturevalue("s3_server")
        request.getfixturevalue("aws_env")
        import redis

        redis.Redis.from_url(redis_srv.url).flushall()
        env |= {
            "DATABASE_URL": postgres.url(postgres.create_database()),
            "REDIS_URL": redis_srv.url,
            "MEDIA_BUCKET": make_bucket(s3.endpoint),
            "AWS_ENDPOINT_URL": s3.endpoint,
            "AWS_REGION": "us-east-1",
        }
    return env


@pytest.fixture
def make_client(base_env: dict[str, str]) -> Iterator[AppFactory]:
    """Build an in-process client for the app with ``base_env`` plus overrides (value None unsets)."""
    from fastapi.testclient import TestClient

    from apps.streaming.app import create_app
    from apps.streaming.config import load_settings

    clients: list[Any] = []

    def factory(raise_server_exceptions: bool = False, startup_attempts: int = 3, **overrides: str | None) -> Any:
        env = {**base_env, **{k: v for k, v in overrides.items() if v is not None}}
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
        app = create_app(load_settings(env), startup_attempts=startup_attempts)
        client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
        client.__enter__()
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: AppFactory) -> Any:
    return make_client()


def register_and_login(client: Any, email: str, password: str = PASSWORD) -> dict[str, str]:
    created = client.post("/api/accounts/register", json={"email": email, "password": password})
    assert created.status_code == 201, created.text
    token = client.post("/api/accounts/login", json={"email": email, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['accessToken']}"}


@pytest.fixture
def user_headers(client: Any) -> dict[str, str]:
    return register_and_login(client, "viewer@example.com")


def grant_admin(client: Any, email: str) -> None:
    """What `python -m apps.streaming grant-admin EMAIL` does, against the app's own database."""
    from apps.streaming.accounts import set_admin

    assert set_admin(client.app.state.ctx.engine, email, True)


@pytest.fixture
def admin_headers(client: Any) -> dict[str, str]:
    headers = register_and_login(client, ADMIN_EMAIL)
    grant_admin(client, ADMIN_EMAIL)
    return headers


# -- the app as a real process ------------------------------------------------------------------
@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    data_dir: Path
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def start_server(data_dir: Path, env: dict[str, str] | None = None) -> Server:
    port = free_port()
    log = data_dir.parent / f"server-{port}.log"
    data_dir.mkdir(parents=True, exist_ok=True)
    full_env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "MEDIA_", "CDN_", "APP_"))
    }
    full_env |= {"JWT_SECRET": JWT_SECRET, "PYTHONUNBUFFERED": "1", **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "apps.streaming", "--port", str(port), "--data-dir", str(data_dir)],
            cwd=REPO_ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=30, process=process)
    except Exception:
        process.kill()
        raise RuntimeError(log.read_text()) from None
    return Server(port=port, process=process, data_dir=data_dir, log=log)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    srv = start_server(tmp_path / "data")
    yield srv
    if srv.process.poll() is None:
        srv.process.terminate()
        try:
            srv.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            srv.process.kill()


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def chromium(*extra_flags: str) -> Any:
    """Headless Debian Chromium under chromedriver, with a throwaway profile (``driver.profile_dir``,
    for the caller to remove after ``driver.quit()``); ``extra_flags`` are added to the usual ones."""
    need(shutil.which(CHROMIUM) is not None, "`chromium` (Debian package chromium)")
    need(shutil.which(CHROMEDRIVER) is not None, "`chromedriver` (Debian package chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--mute-audio",
        "--autoplay-policy=no-user-gesture-required",
        *extra_flags,
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    driver.profile_dir = profile
    return driver
