"""Each service's own database role, against real PostgreSQL: only the privileges it needs.

The migration step (``python -m apps.streaming migrate``) holds the master credentials and creates
or updates the service's role from the role's secret; the services connect only as their role.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.apps.conftest import JWT_SECRET, REPO_ROOT, S3
from tests.apps.db_world import MASTER_USER, PasswordPostgres, create_secret, db_env, start_password_postgres
from tests.apps.test_db_rotation import app_env, start_client

pytestmark = pytest.mark.usefixtures("aws_env")

ACCOUNTS = {"username": "svc_accounts", "password": "accounts-password-0123456789"}
CATALOG = {"username": "svc_catalog", "password": "catalog-password-0123456789"}


@pytest.fixture(scope="module")
def pg() -> Iterator[PasswordPostgres]:
    yield from start_password_postgres()


def migrate_env(pg: PasswordPostgres, database: str, service: str, role: dict[str, str], tmp: Path) -> dict[str, str]:
    return {
        **db_env(pg, database),
        "DATABASE_USER": MASTER_USER,
        "DATABASE_PASSWORD": pg.master_password,
        "DATABASE_ROLE_SECRET": json.dumps(role),
        "APP_SERVICE": service,
        "JWT_SECRET": JWT_SECRET,
        "DATA_DIR": str(tmp / "migrate"),
    }


@pytest.fixture(scope="module")
def provisioned(pg: PasswordPostgres, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database migrated, seeded and with both roles, as the two tasks' migrate containers leave it."""
    from apps.streaming.migrate_command import run

    database = pg.create_database()
    tmp = tmp_path_factory.mktemp("roles")
    assert run("migrate", [], env=migrate_env(pg, database, "accounts", ACCOUNTS, tmp)) == 0
    assert run("migrate", [], env=migrate_env(pg, database, "catalog", CATALOG, tmp)) == 0
    return database


def refused(conn: Any, statement: str) -> str:
    """Run ``statement`` and return PostgreSQL's refusal (the test fails if it is allowed)."""
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege) as caught:
        conn.execute(statement)
    conn.rollback()
    return str(caught.value)


@pytest.mark.parametrize(
    ("role", "statement"),
    [
        # the catalog cannot touch the accounts' tables
        (CATALOG, "DROP TABLE users"),
        (CATALOG, "DROP TABLE watchlist"),
        (CATALOG, "SELECT email, password_hash FROM users"),
        (CATALOG, "INSERT INTO users VALUES ('u', 'x@example.com', 'h', now())"),
        (CATALOG, "UPDATE users SET password_hash = 'h'"),
        (CATALOG, "DELETE FROM watchlist"),
        (CATALOG, "TRUNCATE watchlist"),
        # ... nor drop or rewrite its own
        (CATALOG, "DROP TABLE titles"),
        (CATALOG, "DELETE FROM titles"),
        (CATALOG, "ALTER TABLE titles ADD COLUMN x int"),
        # the accounts cannot touch the catalog's tables
        (ACCOUNTS, "DROP TABLE titles"),
        (ACCOUNTS, "DROP TABLE title_genres"),
        (ACCOUNTS, "INSERT INTO titles VALUES ('t', 'T', 't', 2000, 1, 1, 'p', 'm', '', now())"),
        (ACCOUNTS, "UPDATE titles SET rating = 10"),
        (ACCOUNTS, "DELETE FROM title_genres"),
        (ACCOUNTS, "DROP TABLE users"),
        # neither can create roles, tables, or change the schema version
        (CATALOG, "CREATE ROLE intruder LOGIN"),
        (ACCOUNTS, "CREATE ROLE intruder LOGIN SUPERUSER"),
        (CATALOG, "CREATE TABLE public.side_channel (x int)"),
        (ACCOUNTS, "CREATE TABLE public.side_channel (x int)"),
        (ACCOUNTS, "UPDATE alembic_version SET version_num = '0000'"),
        (CATALOG, "DELETE FROM alembic_version"),
    ],
    ids=lambda v: v["username"] if isinstance(v, dict) else v.split(" (")[0][:40],
)
def test_a_service_role_cannot_do_what_it_does_not_need(
    pg: PasswordPostgres, provisioned: str, role: dict[str, str], statement: str
) -> None:
    # GIVEN a service connected as its own role
    with pg.connect(role["username"], role["password"], provisioned) as conn:
        # WHEN it tries something outside its privileges THEN PostgreSQL refuses it
        message = refused(conn, statement)
    assert "permission denied" in message or "must be owner" in message or "must be superuser" in message


def test_the_roles_have_no_attribute_beyond_login(pg: PasswordPostgres, provisioned: str) -> None:
    with pg.master(provisioned) as conn:
        rows = conn.execute(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls, rolcanlogin "
            "FROM pg_roles WHERE rolname IN ('svc_accounts', 'svc_catalog') ORDER BY rolname"
        ).fetchall()
        grants = conn.execute(
            "SELECT grantee, table_name, string_agg(privilege_type, ',' ORDER BY privilege_type) "
            "FROM information_schema.role_table_grants WHERE grantee IN ('svc_accounts', 'svc_catalog') "
            "GROUP BY grantee, table_name ORDER BY grantee, table_name"
        ).fetchall()
    assert rows == [
        ("svc_accounts", False, False, False, False, False, True),
        ("svc_catalog", False, False, False, False, False, True),
    ]
    assert grants == [
        ("svc_accounts", "alembic_version", "SELECT"),
        ("svc_accounts", "title_genres", "SELECT"),
        ("svc_accounts", "titles", "SELECT"),
        ("svc_accounts", "users", "DELETE,INSERT,SELECT,UPDATE"),
        ("svc_accounts", "watchlist", "DELETE,INSERT,SELECT"),
        ("svc_catalog", "alembic_version", "SELECT"),
        ("svc_catalog", "title_genres", "INSERT,SELECT"),
        ("svc_catalog", "titles", "INSERT,SELECT"),
        ("svc_catalog", "watchlist", "SELECT"),
    ]


def test_each_service_works_as_its_own_role(
    pg: PasswordPostgres, provisioned: str, s3_server: S3, tmp_path: Path
) -> None:
    # GIVEN both services connected as their roles (credentials from their own secrets)
    accounts_arn = create_secret(s3_server.endpoint, ACCOUNTS["username"], ACCOUNTS["password"])
    catalog_arn = create_secret(s3_server.endpoint, CATALOG["username"], CATALOG["password"])
    accounts = start_client(app_env(pg, provisioned, "accounts", accounts_arn, s3_server, tmp_path / "a"))
    catalog = start_client(app_env(pg, provisioned, "catalog", catalog_arn, s3_server, tmp_path / "c"))
    try:
        # WHEN a viewer registers, logs in, browses and keeps a watchlist
        credentials = {"email": "viewer@example.com", "password": "correct horse battery"}
        assert accounts.post("/api/accounts/register", json=credentials).status_code == 201
        token = accounts.post("/api/accounts/login", json=credentials).json()["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        rows = catalog.get("/api/catalog/rows")
        title_id = catalog.get("/api/catalog/titles").json()["items"][0]["id"]
        added = accounts.put(f"/api/accounts/watchlist/{title_id}", headers=headers)
        listed = accounts.get("/api/accounts/watchlist", headers=headers)
        removed = accounts.delete(f"/api/accounts/watchlist/{title_id}", headers=headers)
        # THEN every request succeeds with only the granted privileges
        assert rows.status_code == 200, rows.text
        assert added.status_code == 204, added.text
        assert [t["id"] for t in listed.json()["items"]] == [title_id]
        assert removed.status_code == 204
        assert catalog.get("/readyz").status_code == 200
        assert accounts.get("/readyz").status_code == 200
    finally:
        accounts.__exit__(None, None, None)
        catalog.__exit__(None, None, None)
    # AND the catalog's role may add titles (what the admin endpoint does)
    with pg.connect(CATALOG["username"], CATALOG["password"], provisioned) as conn:
        conn.execute(
            "INSERT INTO titles VALUES ('new', 'New', 'new', 2024, 7.5, 60, 'p.jpg', 'media/new.webm', '', now())"
        )
        conn.execute("INSERT INTO title_genres VALUES ('new', 'drama')")
        conn.rollback()


def test_the_migration_step_is_idempotent_and_sets_a_rotated_password(
    pg: PasswordPostgres, provisioned: str, tmp_path: Path
) -> None:
    import psycopg

    from apps.streaming.migrate_command import run

    # WHEN the role's secret holds a new password and the step runs again (a new task, or provision-roles)
    rotated = {**CATALOG, "password": "catalog-rotated-0123456789"}
    assert run("provision-roles", [], env=migrate_env(pg, provisioned, "catalog", rotated, tmp_path)) == 0
    assert run("migrate", [], env=migrate_env(pg, provisioned, "catalog", rotated, tmp_path)) == 0
    # THEN the new password logs in and the old one is refused
    with pg.connect(rotated["username"], rotated["password"], provisioned) as conn:
        assert conn.execute("SELECT count(*) FROM titles").fetchone()[0] > 0  # type: ignore[index]
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        pg.connect(CATALOG["username"], CATALOG["password"], provisioned).close()
    assert run("provision-roles", [], env=migrate_env(pg, provisioned, "catalog", CATALOG, tmp_path)) == 0


def test_no_clear_password_reaches_the_server_log(pg: PasswordPostgres, provisioned: str) -> None:
    # The server logs DDL (as the platform's parameter group does): ALTER ROLE carries a SCRAM verifier only.
    logs = pg.log.read_text(errors="replace")
    assert "ALTER ROLE" in logs
    assert ACCOUNTS["password"] not in logs
    assert CATALOG["password"] not in logs
    assert "SCRAM-SHA-256$" in logs


def test_a_table_without_privileges_stops_the_step_with_the_fix(pg: PasswordPostgres, tmp_path: Path) -> None:
    from apps.streaming.migrate_command import run

    database = pg.create_database()
    env = migrate_env(pg, database, "catalog", {"username": "svc_unmapped", "password": "x" * 24}, tmp_path)
    assert run("migrate", [], env=env) == 0
    with pg.master(database) as conn:
        conn.execute("CREATE TABLE forgotten (x int)")
    result = subprocess.run(
        [sys.executable, "-m", "apps.streaming", "provision-roles"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "['forgotten']" in result.stderr and "PRIVILEGES" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DATABASE_ROLE_SECRET": None}, "[DATABASE_ROLE_SECRET] is required"),
        ({"DATABASE_ROLE_SECRET": "not json"}, "[DATABASE_ROLE_SECRET] is not JSON"),
        ({"DATABASE_ROLE_SECRET": '{"username": "x"}'}, "username and password"),
        ({"APP_SERVICE": "all"}, "a role belongs to one service"),
    ],
)
def test_bad_migration_input_is_a_clear_error(
    pg: PasswordPostgres, tmp_path: Path, overrides: dict[str, str | None], message: str
) -> None:
    env = {**os.environ, **migrate_env(pg, "unused", "catalog", CATALOG, tmp_path)}
    for key, value in overrides.items():
        if value is None:
            env.pop(key)
        else:
            env[key] = value
    result = subprocess.run(
        [sys.executable, "-m", "apps.streaming", "provision-roles"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_every_table_of_the_schema_has_privileges() -> None:
    from apps.streaming.db import metadata
    from apps.streaming.roles import PRIVILEGES, UNUSED_TABLES

    mapped = {t for grants in PRIVILEGES.values() for t in grants} | UNUSED_TABLES
    assert set(metadata.tables) <= mapped, f"add {sorted(set(metadata.tables) - mapped)} to roles.PRIVILEGES"
