"""Configuration, read only from environment variables, with laptop defaults.

Every setting has an embedded default so that ``python -m apps.streaming`` runs on a
fresh machine: a SQLite file and a media directory in the data dir, an in-process
cache, and a JWT secret generated once and kept in the data dir.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url


class ConfigError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""


class Service(StrEnum):
    """Which API a process serves; one image runs any of them."""

    CATALOG = "catalog"
    ACCOUNTS = "accounts"
    ALL = "all"


DEFAULT_DATA_DIR = "/tmp/streaming-data"  # noqa: S108 - the image has a read-only root; only /tmp is writable
PACKAGE_DIR = Path(__file__).resolve().parent
SEED_DIR = PACKAGE_DIR / "seed"
WEB_DIR = PACKAGE_DIR / "web"


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Resolved settings: no ``None`` left where a default exists."""

    service: Service = Service.ALL
    """APP_SERVICE: catalog | accounts | all. Default: all."""
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    """--data-dir or DATA_DIR: where SQLite, local media and the generated JWT secret live. Default: /tmp/streaming-data."""
    database_url: URL = field(default_factory=lambda: make_url("sqlite://"))
    """DATABASE_URL or DATABASE_HOST/PORT/NAME/USER/PASSWORD/SSLMODE. Default: SQLite file in the data dir."""
    database_secret_arn: str | None = None
    """DATABASE_SECRET_ARN: Secrets Manager secret ({"username", "password"}) read at connect time and re-read when the database refuses it, instead of a user and password in the URL (survives rotation). Default: none."""
    redis_url: str | None = None
    """REDIS_URL or REDIS_HOST/PORT/AUTH_TOKEN/TLS. Default: none (in-process cache)."""
    media_bucket: str | None = None
    """MEDIA_BUCKET: S3 bucket holding media under the ``media/`` prefix. Default: none (local media dir)."""
    aws_region: str | None = None
    """AWS_REGION (or AWS_DEFAULT_REGION). Default: boto3's own resolution."""
    aws_endpoint_url: str | None = None
    """AWS_ENDPOINT_URL: S3 endpoint override (moto in tests). Default: none."""
    cdn_domain: str | None = None
    """CDN_DOMAIN: CloudFront domain serving ``/media/*``. Default: none."""
    cdn_key_pair_id: str | None = None
    """CDN_KEY_PAIR_ID: CloudFront public key id for signed URLs. Default: none."""
    cdn_private_key: str | None = None
    """CDN_PRIVATE_KEY: PEM private key for signed URLs. Default: none."""
    jwt_secret: str = ""
    """JWT_SECRET: HMAC key for access tokens (at least 32 characters). Default: generated once into the data dir."""
    jwt_ttl_seconds: int = 3600
    """JWT_TTL_SECONDS: access-token lifetime. Default: 3600."""
    play_url_ttl_seconds: int = 300
    """PLAY_URL_TTL_SECONDS: lifetime of playback and upload URLs. Default: 300."""
    allowed_origins: tuple[str, ...] = ()
    """ALLOWED_ORIGINS: comma list of origins allowed by CORS. Default: none (same origin only)."""
    cache_ttl_seconds: int = 60
    """CACHE_TTL_SECONDS: lifetime of cached catalog reads; 0 turns read caching off. Default: 60."""
    auth_rate_limit: int = 10
    """AUTH_RATE_LIMIT: login attempts allowed per (client, email) per window. Default: 10."""
    auth_client_rate_limit: int = 50
    """AUTH_CLIENT_RATE_LIMIT: register/login/password attempts allowed per client per window. Default: 50."""
    password_hash_concurrency: int = 2
    """PASSWORD_HASH_CONCURRENCY: argon2 hashes computed at once (19 MiB each). Default: sized from the
    container's memory limit (half of what is left after 160 MiB, at most 2 per CPU)."""
    password_hash_wait_ms: int = 500
    """PASSWORD_HASH_WAIT_MS: how long a login waits for a hashing slot before a 503. Default: 500."""
    auth_rate_window_seconds: int = 60
    """AUTH_RATE_WINDOW_SECONDS: rate-limit window. Default: 60."""
    trusted_proxy_hops: int = 0
    """TRUSTED_PROXY_HOPS: proxies (ALB, CloudFront) whose X-Forwarded-For entries are trusted. Default: 0."""
    max_body_bytes: int = 64 * 1024
    """MAX_BODY_BYTES: largest JSON request body. Default: 65536."""
    max_upload_bytes: int = 200 * 1024 * 1024
    """MAX_UPLOAD_BYTES: largest media upload. Default: 209715200 (200 MiB)."""
    seed: bool = True
    """SEED_CATALOG: load the seed catalog into an empty database on start. Default: true."""
    log_level: str = "INFO"
    """LOG_LEVEL. Default: INFO."""

    @property
    def media_dir(self) -> Path:
        """Local media directory (laptop mode)."""
        return self.data_dir / "media"

    @property
    def serves_catalog(self) -> bool:
        return self.service in (Service.CATALOG, Service.ALL)

    @property
    def serves_accounts(self) -> bool:
        return self.service in (Service.ACCOUNTS, Service.ALL)

    @property
    def serves_page(self) -> bool:
        return self.service is Service.ALL


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"[{name}]={raw!r} is not a boolean; use true or false.")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"[{name}]={raw!r} is not an integer.") from None
    if value < minimum:
        raise ConfigError(f"[{name}]={value} must be at least {minimum}.")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def _opt(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def database_url_from_env(env: Mapping[str, str], data_dir: Path) -> URL:
    """DATABASE_URL, else DATABASE_HOST and friends (PostgreSQL), else SQLite in the data dir."""
    raw = _opt(env, "DATABASE_URL")
    if raw:
        try:
            url = make_url(raw)
        except Exception:
            raise ConfigError("[DATABASE_URL] is not a valid database URL.") from None
        if url.drivername in ("postgres", "postgresql"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    host = _opt(env, "DATABASE_HOST")
    if host:
        return URL.create(
            "postgresql+psycopg",
            username=_opt(env, "DATABASE_USER"),
            password=env.get("DATABASE_PASSWORD") or None,
            host=host,
            port=_int(env, "DATABASE_PORT", 5432, minimum=1),
            database=_opt(env, "DATABASE_NAME") or "streaming",
            query={"sslmode": _opt(env, "DATABASE_SSLMODE") or "require"},
        )
    return URL.create("sqlite+pysqlite", database=str(data_dir / "streaming.sqlite3"))


_SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$")


def database_secret_arn_from_env(env: Mapping[str, str], url: URL) -> str | None:
    """DATABASE_SECRET_ARN, checked: a Secrets Manager ARN, and no user or password given besides it."""
    arn = _opt(env, "DATABASE_SECRET_ARN")
    if arn is None:
        return None
    if not _SECRET_ARN.match(arn):
        raise ConfigError(
            f"[DATABASE_SECRET_ARN]={arn!r} is not a Secrets Manager secret ARN "
            "(arn:aws:secretsmanager:<region>:<account>:secret:<name>); pass the secret's full ARN."
        )
    if url.get_backend_name() != "postgresql":
        raise ConfigError(
            "[DATABASE_SECRET_ARN] needs a PostgreSQL database; set DATABASE_HOST (or a postgresql DATABASE_URL)."
        )
    if url.username or url.password:
        raise ConfigError(
            "[DATABASE_SECRET_ARN] is set together with a database user or password (DATABASE_USER, "
            "DATABASE_PASSWORD or credentials in DATABASE_URL); the secret supplies both: remove the others."
        )
    return arn


def redis_url_from_env(env: Mapping[str, str]) -> str | None:
    """REDIS_URL, else REDIS_HOST and friends (``rediss://`` when REDIS_TLS is true), else none."""
    raw = _opt(env, "REDIS_URL")
    if raw:
        if not raw.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("[REDIS_URL] must start with redis://, rediss:// or unix://.")
        return raw
    host = _opt(env, "REDIS_HOST")
    if not host:
        return None
    scheme = "rediss" if _bool(env, "REDIS_TLS", False) else "redis"
    port = _int(env, "REDIS_PORT", 6379, minimum=1)
    token = env.get("REDIS_AUTH_TOKEN") or ""
    auth = f":{quote(token, safe='')}@" if token else ""
    return f"{scheme}://{auth}{host}:{port}/0"


def _jwt_secret(env: Mapping[str, str], data_dir: Path) -> str:
    secret = env.get("JWT_SECRET", "")
    if secret:
        if len(secret) < 32:
            raise ConfigError("[JWT_SECRET] must be at least 32 characters; generate one with `openssl rand -hex 32`.")
        return secret
    path = data_dir / "jwt-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value


def _refuse_admin_emails(env: Mapping[str, str]) -> None:
    if _opt(env, "ADMIN_EMAILS"):
        raise ConfigError(
            "[ADMIN_EMAILS] no longer grants admin rights (whoever registered the address first became admin). "
            "Remove it, and grant the role to an existing account with "
            "`python -m apps.streaming grant-admin EMAIL`."
        )


def _default_hash_slots() -> int:
    from .security import container_memory_mib, hash_slots_for

    return hash_slots_for(container_memory_mib(), os.cpu_count())


def load_settings(env: Mapping[str, str] | None = None, *, data_dir: str | Path | None = None) -> Settings:
    """Build settings from ``env`` (default: ``os.environ``); ``data_dir`` overrides DATA_DIR."""
    env = os.environ if env is None else env
    service_raw = (env.get("APP_SERVICE") or "all").strip().lower()
    try:
        service = Service(service_raw)
    except ValueError:
        allowed = ", ".join(s.value for s in Service)
        raise ConfigError(f"[APP_SERVICE]={service_raw!r} is not valid; choose one of {allowed}.") from None
    directory = Path(data_dir or env.get("DATA_DIR") or DEFAULT_DATA_DIR)
    _refuse_admin_emails(env)
    key_pair = _opt(env, "CDN_KEY_PAIR_ID")
    private_key = env.get("CDN_PRIVATE_KEY") or None
    cdn_domain = _opt(env, "CDN_DOMAIN")
    if bool(key_pair) != bool(private_key):
        raise ConfigError("[CDN_KEY_PAIR_ID] and [CDN_PRIVATE_KEY] must be set together.")
    if key_pair and not cdn_domain:
        raise ConfigError("[CDN_DOMAIN] is required when a CDN signing key is set.")
    if private_key and "\\n" in private_key and "\n" not in private_key:
        private_key = private_key.replace("\\n", "\n")
    database_url = database_url_from_env(env, directory)
    return Settings(
        service=service,
        data_dir=directory,
        database_url=database_url,
        database_secret_arn=database_secret_arn_from_env(env, database_url),
        redis_url=redis_url_from_env(env),
        media_bucket=_opt(env, "MEDIA_BUCKET"),
        aws_region=_opt(env, "AWS_REGION") or _opt(env, "AWS_DEFAULT_REGION"),
        aws_endpoint_url=_opt(env, "AWS_ENDPOINT_URL"),
        cdn_domain=cdn_domain.removeprefix("https://").rstrip("/") if cdn_domain else None,
        cdn_key_pair_id=key_pair,
        cdn_private_key=private_key,
        jwt_secret=_jwt_secret(env, directory),
        jwt_ttl_seconds=_int(env, "JWT_TTL_SECONDS", 3600, minimum=60),
        play_url_ttl_seconds=_int(env, "PLAY_URL_TTL_SECONDS", 300, minimum=30),
        allowed_origins=_list(env, "ALLOWED_ORIGINS"),
        cache_ttl_seconds=_int(env, "CACHE_TTL_SECONDS", 60, minimum=0),
        auth_rate_limit=_int(env, "AUTH_RATE_LIMIT", 10, minimum=1),
        auth_client_rate_limit=_int(env, "AUTH_CLIENT_RATE_LIMIT", 50, minimum=1),
        password_hash_concurrency=_int(env, "PASSWORD_HASH_CONCURRENCY", _default_hash_slots(), minimum=1),
        password_hash_wait_ms=_int(env, "PASSWORD_HASH_WAIT_MS", 500, minimum=0),
        auth_rate_window_seconds=_int(env, "AUTH_RATE_WINDOW_SECONDS", 60, minimum=1),
        trusted_proxy_hops=_int(env, "TRUSTED_PROXY_HOPS", 0),
        max_body_bytes=_int(env, "MAX_BODY_BYTES", 64 * 1024, minimum=1024),
        max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", 200 * 1024 * 1024, minimum=1024),
        seed=_bool(env, "SEED_CATALOG", True),
        log_level=(env.get("LOG_LEVEL") or "INFO").upper(),
    )
