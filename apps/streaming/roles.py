"""Each service's own PostgreSQL role, created and kept up to date by the migration step.

The services never connect as the RDS master user. The migration step (``python -m apps.streaming
migrate``: the ``migrate`` init container of each task, the only holder of the master
credentials) applies the schema, then `provision_roles` makes the service's role exist with
exactly the privileges in `PRIVILEGES` and the password held in the service's own secret:

* the role is created when missing (``LOGIN NOINHERIT``; never superuser, CREATEDB, CREATEROLE,
  REPLICATION or BYPASSRLS, which is checked afterwards);
* its password is set from the secret, hashed here with SCRAM-SHA-256 (libpq's
  ``PQencryptPasswordConn``), so the clear password is never in a statement the server logs
  (the platform's parameter group sets ``log_statement = ddl``);
* all its table privileges are revoked and the listed ones granted again, so a privilege removed
  from `PRIVILEGES` is really removed; ``CREATE`` on the ``public`` schema is revoked from PUBLIC.

Idempotent: two tasks running it at once serialise on an advisory lock. A table in the schema
that `PRIVILEGES` does not mention is an error (add it to the map with the service that uses it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from .config import Service
from .credentials import Credentials

log = logging.getLogger("streaming.roles")

SELECT = ("SELECT",)

#: What each service's role may do, table by table; nothing else is granted. ``alembic_version``
#: is readable so that the app's start-up check "schema at head" works without DDL rights.
PRIVILEGES: Mapping[Service, Mapping[str, tuple[str, ...]]] = {
    Service.ACCOUNTS: {
        "users": ("SELECT", "INSERT", "UPDATE", "DELETE"),  # register, login (rehash), account deletion
        "watchlist": ("SELECT", "INSERT", "DELETE"),
        "titles": SELECT,  # the watchlist shows titles (with their genres) and checks that one exists
        "title_genres": SELECT,
        "alembic_version": SELECT,
    },
    Service.CATALOG: {
        "titles": ("SELECT", "INSERT"),  # browse, search; admins register titles
        "title_genres": ("SELECT", "INSERT"),
        "watchlist": SELECT,  # the "popular" row counts watchlist entries
        # every authenticated request checks the token's account: its role and token version, never
        # the password hash (a column grant; REVOKE ALL on the table also revokes it)
        "users": ("SELECT (id, email, is_admin, token_version)",),
        "alembic_version": SELECT,
    },
}

#: Tables no service reads or writes (none today); listed so that a forgotten table is an error.
UNUSED_TABLES: frozenset[str] = frozenset()

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_RESERVED = ("pg_", "rds")
_LOCK_ID = 7_240_303  # beside the migration (7240301) and seed (7240302) locks


class RoleProvisioningError(RuntimeError):
    """The roles cannot be provisioned as asked; the message says what and how to fix it."""


def check_role_name(name: str, master_user: str | None) -> None:
    if not _ROLE_NAME.match(name) or name.startswith(_RESERVED) or name == "postgres":
        raise RoleProvisioningError(
            f"role name {name!r} is not allowed: use lower-case letters, digits and _ (at most 63), "
            "not starting with pg_ or rds, and not postgres."
        )
    if master_user is not None and name == master_user:
        raise RoleProvisioningError(
            f"the service role {name!r} is the master user; each service needs a role of its own."
        )


def unmapped_tables(conn: Connection) -> list[str]:
    """Tables of the ``public`` schema that no service's privileges mention."""
    known = {t for grants in PRIVILEGES.values() for t in grants} | UNUSED_TABLES
    present = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars()
    return sorted(set(present) - known)


def _raw(conn: Connection) -> Any:
    return conn.connection.dbapi_connection


def _execute(conn: Connection, statement: Any) -> None:
    """Run a psycopg ``sql.Composed`` on the connection's own transaction (no bind-parameter parsing)."""
    with _raw(conn).cursor() as cursor:
        cursor.execute(statement)


def provision_roles(engine: Engine, roles: Mapping[Service, Credentials]) -> list[str]:
    """Create or update each service's role (see the module doc); returns the role names."""
    from psycopg import sql

    if engine.dialect.name != "postgresql":
        raise RoleProvisioningError("database roles exist only on PostgreSQL; the laptop's SQLite has none.")
    unknown = sorted(s.value for s in roles if s not in PRIVILEGES)
    if unknown:
        raise RoleProvisioningError(f"no database role is defined for service(s) {unknown}; use accounts or catalog.")
    done: list[str] = []
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
        master = conn.execute(text("SELECT current_user")).scalar_one()
        database = conn.execute(text("SELECT current_database()")).scalar_one()
        names = [c.username for c in roles.values()]
        if len(set(names)) != len(names):
            raise RoleProvisioningError(f"two services share the role name in {sorted(names)}; give each its own.")
        present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        missing = unmapped_tables(conn)
        if missing:
            raise RoleProvisioningError(
                f"table(s) {missing} have no privileges in apps/streaming/roles.py PRIVILEGES: add each to the "
                "service(s) that use it (or to UNUSED_TABLES), so that no role is granted more than it needs."
            )
        _execute(conn, sql.SQL("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
        _execute(conn, sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(sql.Identifier(database)))
        for service in sorted(roles):
            credentials = roles[service]
            name = credentials.username
            check_role_name(name, master)
            role = sql.Identifier(name)
            exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
            if exists is None:
                _execute(conn, sql.SQL("CREATE ROLE {} LOGIN NOINHERIT").format(role))
            verifier = _raw(conn).pgconn.encrypt_password(
                credentials.password.encode(), name.encode(), b"scram-sha-256"
            )
            _execute(
                conn,
                sql.SQL("ALTER ROLE {} WITH LOGIN PASSWORD {}").format(role, sql.Literal(verifier.decode())),
            )
            _execute(conn, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), role))
            _execute(conn, sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(role))
            _execute(conn, sql.SQL("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {}").format(role))
            _execute(conn, sql.SQL("REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {}").format(role))
            for table, privileges in sorted(PRIVILEGES[service].items()):
                if table not in present:  # not created yet by the migrations of this image
                    continue
                _execute(
                    conn,
                    sql.SQL("GRANT {} ON TABLE {} TO {}").format(
                        sql.SQL(", ").join(sql.SQL(p) for p in privileges), sql.Identifier("public", table), role
                    ),
                )
            flags = conn.execute(
                text(
                    "SELECT rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls "
                    "FROM pg_roles WHERE rolname = :n"
                ),
                {"n": name},
            ).one()
            if any(flags):
                raise RoleProvisioningError(
                    f"role {name!r} has SUPERUSER, CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS; a service role "
                    f"must have none: ALTER ROLE {name} NOSUPERUSER NOCREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS."
                )
            done.append(name)
    log.info("database roles provisioned", extra={"roles": done})
    return done
