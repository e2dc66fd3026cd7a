"""Rotation of the database password while the app runs: real PostgreSQL, Secrets Manager on moto.

RDS rotates its managed secret every 7 days and an operator may rotate a service role's password;
ECS injects secrets only when a task starts. The app reads its credentials from the secret named
by DATABASE_SECRET_ARN when it opens a connection, and re-reads it once when PostgreSQL refuses
them, so requests keep succeeding across a rotation without a restart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apps.conftest import JWT_SECRET, S3
from tests.apps.db_world import (
    MASTER_USER,
    PasswordPostgres,
    create_secret,
    db_env,
    put_secret,
    start_password_postgres,
)

pytestmark = pytest.mark.usefixtures("aws_env")


@pytest.fixture(scope="module")
def pg() -> Iterator[PasswordPostgres]:
    yield from start_password_postgres()


def migrate_as_master(pg: PasswordPostgres, database: str, service: str, role: dict[str, str], tmp: Path) -> None:
    """The migration step as the platform runs it: master credentials and the role secret in its env."""
    from apps.streaming.migrate_command import run

    env = {
        **db_env(pg, database),
        "DATABASE_USER": MASTER_USER,
        "DATABASE_PASSWORD": pg.master_password,
        "DATABASE_ROLE_SECRET": json.dumps(role),
        "APP_SERVICE": service,
        "JWT_SECRET": JWT_SECRET,
        "DATA_DIR": str(tmp / "migrate"),
    }
    assert run("migrate", [], env=env) == 0


def app_env(pg: PasswordPostgres, database: str, service: str, secret_arn: str, s3: S3, tmp: Path) -> dict[str, str]:
    """The app container's environment: the endpoint and its own secret's ARN, no user, no password."""
    return {
        **db_env(pg, database),
        "DATABASE_SECRET_ARN": secret_arn,
        "AWS_ENDPOINT_URL": s3.endpoint,
        "AWS_REGION": "us-east-1",
        "APP_SERVICE": service,
        "JWT_SECRET": JWT_SECRET,
        "DATA_DIR": str(tmp / "app"),
    }


def start_client(env: dict[str, str]) -> Any:
    from fastapi.testclient import TestClient

    from apps.streaming.app import create_app
    from apps.streaming.config import load_settings

    client = TestClient(create_app(load_settings(env), startup_attempts=2), raise_server_exceptions=False)
    client.__enter__()
    return client


def drop_connections(pg: PasswordPostgres, user: str) -> int:
    """What the pool's 30-minute recycle (or a failover) does: the app's open connections go away."""
    with pg.master() as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (user,)
        ).fetchall()
    return len(rows)


def change_password(pg: PasswordPostgres, user: str, password: str) -> None:
    with pg.master() as conn:
        verifier = conn.pgconn.encrypt_password(password.encode(), user.encode(), b"scram-sha-256").decode()
        conn.execute(f"ALTER ROLE \"{user}\" PASSWORD '{verifier}'")


@pytest.mark.parametrize("order", ["database-first", "secret-first"])
def test_requests_keep_succeeding_across_a_password_rotation(
    pg: PasswordPostgres, s3_server: S3, tmp_path: Path, order: str
) -> None:
    # GIVEN the catalog's role provisioned by the migration step, and the app holding only its secret's ARN
    database = pg.create_database()
    user = f"rot_catalog_{order.split('-')[0]}"
    arn = create_secret(s3_server.endpoint, user, "first-password-0123456789")
    migrate_as_master(pg, database, "catalog", {"username": user, "password": "first-password-0123456789"}, tmp_path)
    client = start_client(app_env(pg, database, "catalog", arn, s3_server, tmp_path))
    try:
        before = client.get("/api/catalog/titles")
        assert before.status_code == 200, before.text
        assert before.json()["total"] > 0
        # WHEN the password is rotated (PostgreSQL and the secret, in either order) and the pooled
        # connections are closed, as the pool's recycle does
        new = "second-password-9876543210"
        if order == "database-first":
            change_password(pg, user, new)
            put_secret(s3_server.endpoint, arn, user, new)
        else:
            put_secret(s3_server.endpoint, arn, user, new)
            change_password(pg, user, new)
        assert drop_connections(pg, user) >= 1
        # THEN the same process keeps answering, on new connections made with the new password
        for _ in range(5):
            after = client.get("/api/catalog/titles")
            assert after.status_code == 200, after.text
            assert after.json()["total"] == before.json()["total"]
        assert client.get("/readyz").json()["checks"]["database"] == "ok"
        # AND the old password is really refused now (the app did not get lucky with a pooled connection)
        import psycopg

        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            pg.connect(user, "first-password-0123456789", database).close()
        with pg.master() as conn:
            sessions = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE usename = %s AND datname = %s", (user, database)
            ).fetchone()
        assert sessions is not None and sessions[0] >= 1
    finally:
        client.__exit__(None, None, None)


def test_the_secret_is_read_once_and_re_read_only_on_a_refused_password(
    pg: PasswordPostgres, s3_server: S3, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from apps.streaming.config import load_settings
    from apps.streaming.credentials import SecretCredentials
    from apps.streaming.db import attach_credentials, make_engine

    # GIVEN an engine whose credentials come from a secret
    database = pg.create_database()
    user = "rot_reads"
    arn = create_secret(s3_server.endpoint, user, "reads-password-0123456789")
    migrate_as_master(pg, database, "catalog", {"username": user, "password": "reads-password-0123456789"}, tmp_path)
    settings = load_settings(app_env(pg, database, "catalog", arn, s3_server, tmp_path))
    source = SecretCredentials(arn, region="us-east-1", endpoint_url=s3_server.endpoint)
    engine = make_engine(settings.database_url)
    attach_credentials(engine, source)
    try:
        # WHEN it opens several connections
        for _ in range(3):
            with engine.connect() as conn:
                assert conn.execute(text("SELECT current_user")).scalar_one() == user
            engine.dispose()
        # THEN the secret was read once (cached)
        assert source.fetches == 1
        # WHEN the password rotates
        change_password(pg, user, "rotated-password-0123456789")
        put_secret(s3_server.endpoint, arn, user, "rotated-password-0123456789")
        engine.dispose()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
        # THEN exactly one more read happened, and later connections use the cached new value
        assert source.fetches == 2
        engine.dispose()
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        assert source.fetches == 2
    finally:
        engine.dispose()


def test_a_wrong_secret_fails_with_the_database_error_after_one_re_read(
    pg: PasswordPostgres, s3_server: S3, tmp_path: Path
) -> None:
    import psycopg
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from apps.streaming.config import load_settings
    from apps.streaming.credentials import SecretCredentials
    from apps.streaming.db import attach_credentials, make_engine

    # GIVEN a secret holding a password the database never had
    database = pg.create_database()
    arn = create_secret(s3_server.endpoint, MASTER_USER, "not-the-password")
    settings = load_settings(app_env(pg, database, "catalog", arn, s3_server, tmp_path))
    source = SecretCredentials(arn, region="us-east-1", endpoint_url=s3_server.endpoint)
    engine = make_engine(settings.database_url)
    attach_credentials(engine, source)
    # WHEN a connection is opened THEN it fails with PostgreSQL's refusal, after exactly one re-read
    with pytest.raises(OperationalError) as caught, engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert isinstance(caught.value.orig, psycopg.OperationalError)
    assert "password authentication failed" in str(caught.value)
    assert source.fetches == 2
    engine.dispose()
