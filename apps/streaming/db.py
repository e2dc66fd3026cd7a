"""Database: SQLAlchemy Core tables, the engine, Alembic migrations and start-up retries.

PostgreSQL (psycopg 3) in the cloud, SQLite on a laptop; every query goes through
SQLAlchemy expressions, so values are always bound parameters. In the cloud the engine takes
its user and password from Secrets Manager each time it opens a connection
(`attach_credentials`), so a rotated password is picked up without a restart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    false,
    text,
)
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError

from .credentials import SecretCredentials, is_auth_failure

if TYPE_CHECKING:
    from .config import Settings

log = logging.getLogger("streaming.db")

metadata = MetaData()

titles = Table(
    "titles",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("title_lower", String(200), nullable=False, index=True),
    Column("year", Integer, nullable=False),
    Column("rating", Float, nullable=False),
    Column("duration_seconds", Integer, nullable=False),
    Column("poster", String(500), nullable=False),
    Column("media_key", String(300), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
# the order of the title list, search and the top-rated row (migration 0002)
Index("ix_titles_rating_id", titles.c.rating.desc(), titles.c.id)

title_genres = Table(
    "title_genres",
    metadata,
    Column("title_id", String(64), ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
    Column("genre", String(40), primary_key=True),
    Index("ix_title_genres_genre", "genre"),
)

users = Table(
    "users",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # Revision 0002: the admin role (granted only by `python -m apps.streaming grant-admin`), and the
    # token version every access token carries (bumped to revoke them all).
    Column("is_admin", Boolean, nullable=False, server_default=false()),
    Column("token_version", Integer, nullable=False, server_default="0"),
)

watchlist = Table(
    "watchlist",
    metadata,
    Column("user_id", String(36), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("title_id", String(64), ForeignKey("titles.id", ondelete="CASCADE"), primary_key=True),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Index("ix_watchlist_title_id", "title_id"),
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_ID = 7_240_301  # any constant shared by every replica

T = TypeVar("T")


def engine_for(settings: Settings) -> Engine:
    """The app's engine: credentials from ``DATABASE_SECRET_ARN`` at connect time when it is set."""
    engine = make_engine(settings.database_url)
    if settings.database_secret_arn:
        attach_credentials(
            engine,
            SecretCredentials(
                settings.database_secret_arn, region=settings.aws_region, endpoint_url=settings.aws_endpoint_url
            ),
        )
    return engine


def attach_credentials(engine: Engine, source: SecretCredentials) -> None:
    """Open every connection with ``source``'s current credentials; when PostgreSQL refuses them
    (a rotation happened), re-read the secret once and try again with what it now holds."""

    @event.listens_for(engine, "do_connect")
    def _connect_with_secret(dialect: Any, _record: Any, cargs: Any, cparams: dict[str, Any]) -> Any:
        # SQLAlchemy hands each connection attempt its own copy of cparams.
        current = source.get()
        cparams.update(user=current.username, password=current.password)
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if not is_auth_failure(exc):
                raise
        fresh = source.refresh(stale=current)
        log.warning(
            "database refused the cached credentials; connecting with the secret's current value",
            extra={"secret": source.secret_arn, "user": fresh.username},
        )
        cparams.update(user=fresh.username, password=fresh.password)
        return dialect.connect(*cargs, **cparams)


def make_engine(url: URL) -> Engine:
    """An engine with pre-ping (stale connections are replaced) and SQLite tuned for concurrency."""
    if url.get_backend_name() == "sqlite":
        if url.database:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15}, pool_pre_ping=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=10,
        pool_recycle=1800,
        connect_args={"connect_timeout": 5},
    )


def retry(
    operation: Callable[[], T],
    *,
    what: str,
    attempts: int = 8,
    first_delay: float = 0.25,
    max_delay: float = 5.0,
    retry_on: tuple[type[BaseException], ...] = (OperationalError, ConnectionError, OSError),
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``operation``, retrying transient failures with exponential backoff."""
    delay = first_delay
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except retry_on as exc:
            if attempt == attempts:
                raise
            log.warning(
                "%s failed, retrying",
                what,
                extra={"attempt": attempt, "delay_s": round(delay, 2), "error": type(exc).__name__},
            )
            sleep(delay)
            delay = min(delay * 2, max_delay)
    raise AssertionError("unreachable")


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))


def migrate(engine: Engine) -> None:
    """Apply Alembic migrations to head; replicas starting together serialise on an advisory lock."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
