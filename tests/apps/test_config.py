"""Configuration from environment variables, with laptop defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from apps.streaming.config import ConfigError, Service, load_settings

SECRET = "s" * 40


def test_defaults_are_sqlite_in_the_data_dir_an_in_process_cache_and_local_media(tmp_path: Path) -> None:
    # WHEN no variables are set
    settings = load_settings({}, data_dir=tmp_path)
    # THEN the laptop defaults apply
    assert settings.service is Service.ALL
    assert settings.database_url.get_backend_name() == "sqlite"
    assert settings.database_url.database == str(tmp_path / "streaming.sqlite3")
    assert settings.redis_url is None and settings.media_bucket is None
    assert settings.media_dir == tmp_path / "media"


def test_a_generated_jwt_secret_is_kept_in_the_data_dir_across_restarts(tmp_path: Path) -> None:
    # WHEN settings are loaded twice without JWT_SECRET
    first = load_settings({}, data_dir=tmp_path)
    second = load_settings({}, data_dir=tmp_path)
    # THEN the same strong secret is reused, in a file only the owner can read
    assert first.jwt_secret == second.jwt_secret and len(first.jwt_secret) == 64
    assert (tmp_path / "jwt-secret").stat().st_mode & 0o077 == 0


def test_database_parts_make_a_postgres_url_requiring_tls(tmp_path: Path) -> None:
    # GIVEN the parts ECS injects (user and password from the RDS-managed secret)
    env = {
        "DATABASE_HOST": "db.internal",
        "DATABASE_PORT": "5433",
        "DATABASE_NAME": "app",
        "DATABASE_USER": "app_user",
        "DATABASE_PASSWORD": "p@ss:w/rd",
        "JWT_SECRET": SECRET,
    }
    # WHEN settings load
    url = load_settings(env, data_dir=tmp_path).database_url
    # THEN the URL is psycopg, with sslmode=require and the password intact
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "db.internal",
        5433,
        "app",
        "app_user",
        "p@ss:w/rd",
    )
    assert url.query["sslmode"] == "require"


def test_database_sslmode_can_be_overridden_and_a_postgres_url_is_accepted(tmp_path: Path) -> None:
    # WHEN sslmode is set explicitly, or a plain postgres:// URL given
    parts = load_settings(
        {"DATABASE_HOST": "h", "DATABASE_SSLMODE": "verify-full", "JWT_SECRET": SECRET}, data_dir=tmp_path
    )
    whole = load_settings({"DATABASE_URL": "postgres://u:p@h/db", "JWT_SECRET": SECRET}, data_dir=tmp_path)
    # THEN both are honoured, the URL with the psycopg driver
    assert parts.database_url.query["sslmode"] == "verify-full"
    assert whole.database_url.drivername == "postgresql+psycopg"


def test_redis_parts_make_a_tls_url_with_an_escaped_auth_token(tmp_path: Path) -> None:
    # GIVEN ElastiCache settings with in-transit encryption
    env = {"REDIS_HOST": "cache.internal", "REDIS_AUTH_TOKEN": "tok/en+1", "REDIS_TLS": "true", "JWT_SECRET": SECRET}
    # WHEN settings load
    url = load_settings(env, data_dir=tmp_path).redis_url
    # THEN rediss:// with the default port and the token escaped
    assert url == "rediss://:tok%2Fen%2B1@cache.internal:6379/0"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"APP_SERVICE": "billing"}, r"\[APP_SERVICE\]='billing' is not valid; choose one of catalog, accounts, all"),
        ({"JWT_SECRET": "short"}, r"\[JWT_SECRET\] must be at least 32 characters"),
        ({"CDN_KEY_PAIR_ID": "K1"}, r"\[CDN_KEY_PAIR_ID\] and \[CDN_PRIVATE_KEY\] must be set together"),
        ({"CDN_KEY_PAIR_ID": "K1", "CDN_PRIVATE_KEY": "pem"}, r"\[CDN_DOMAIN\] is required"),
        ({"REDIS_TLS": "maybe", "REDIS_HOST": "h"}, r"\[REDIS_TLS\]='maybe' is not a boolean"),
        ({"REDIS_URL": "http://x"}, r"\[REDIS_URL\] must start with redis://"),
        ({"PLAY_URL_TTL_SECONDS": "5"}, r"\[PLAY_URL_TTL_SECONDS\]=5 must be at least 30"),
    ],
)
def test_invalid_settings_raise_an_error_naming_the_variable(tmp_path: Path, env: dict[str, str], message: str) -> None:
    # WHEN settings load with a bad value
    # THEN a ConfigError names the variable and the fix
    with pytest.raises(ConfigError, match=message):
        load_settings(env, data_dir=tmp_path)


def test_admin_emails_is_refused_with_the_command_that_replaces_it(tmp_path: Path) -> None:
    # WHEN the retired ADMIN_EMAILS is still set
    # THEN settings refuse to load, naming the variable, why, and the operator command to use instead
    with pytest.raises(ConfigError, match=r"\[ADMIN_EMAILS\] no longer grants admin rights.*grant-admin EMAIL"):
        load_settings({"ADMIN_EMAILS": "boss@example.com"}, data_dir=tmp_path)


def test_origins_are_comma_lists(tmp_path: Path) -> None:
    # WHEN lists are given with spaces
    settings = load_settings({"ALLOWED_ORIGINS": "https://a.example, https://b.example"}, data_dir=tmp_path)
    # THEN they are split and trimmed
    assert settings.allowed_origins == ("https://a.example", "https://b.example")
