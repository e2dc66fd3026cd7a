"""Database credentials read from Secrets Manager at connect time, so rotation never needs a restart.

ECS injects ``secrets`` only when a task starts; a password rotated afterwards (RDS rotates its
managed master secret every 7 days, an operator rotates a service's role password) would make
every new pooled connection fail authentication until the tasks are replaced. Instead the app is
given the secret's ARN (``DATABASE_SECRET_ARN``) and reads ``{"username": …, "password": …}`` with
boto3 when it opens a connection: the value is cached, and re-read once when PostgreSQL refuses
the cached password (`is_auth_failure`), which is what a rotation looks like from the app.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("streaming.credentials")

#: SQLSTATEs PostgreSQL answers a refused login with: invalid_password, invalid_authorization_specification.
AUTH_FAILURE_SQLSTATES = frozenset({"28P01", "28000"})
_AUTH_FAILURE_TEXT = ("password authentication failed", "authentication failed for user")


class CredentialsError(RuntimeError):
    """The secret cannot be read or does not hold ``username`` and ``password``; the message says which."""


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str

    def __repr__(self) -> str:  # never print the password
        return f"Credentials(username={self.username!r}, password=***)"


def parse_secret(raw: str, where: str) -> Credentials:
    """``{"username": …, "password": …}`` (the RDS-managed secret's shape, and the platform's role secrets)."""
    try:
        data = json.loads(raw)
    except ValueError:
        raise CredentialsError(f'{where} is not JSON; it must hold {{"username": …, "password": …}}.') from None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) and data.get(k) for k in ("username", "password")
    ):
        raise CredentialsError(f"{where} must be a JSON object with non-empty string fields username and password.")
    return Credentials(username=data["username"], password=data["password"])


def is_auth_failure(exc: BaseException) -> bool:
    """Whether a connection error is PostgreSQL refusing the user or password (not the network)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if getattr(current, "sqlstate", None) in AUTH_FAILURE_SQLSTATES:
            return True
        if any(text in str(current) for text in _AUTH_FAILURE_TEXT):
            return True
        current = current.__cause__ or current.__context__
    return False


class SecretCredentials:
    """The current credentials of one Secrets Manager secret: cached, refreshed on demand.

    ``refresh`` is safe from many threads at once: the pool's threads that all hit a rotated
    password share one ``GetSecretValue``.
    """

    def __init__(
        self,
        secret_arn: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        client: Any = None,
    ) -> None:
        self.secret_arn = secret_arn
        self._region = region
        self._endpoint_url = endpoint_url
        self._client = client
        self._lock = threading.Lock()
        self._cached: Credentials | None = None
        self.fetches = 0
        """How many times the secret was read (for tests and logs)."""

    def _secrets_client(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("secretsmanager", region_name=self._region, endpoint_url=self._endpoint_url)
        return self._client

    def _fetch(self) -> Credentials:
        try:
            response = self._secrets_client().get_secret_value(SecretId=self.secret_arn)
        except Exception as exc:
            raise CredentialsError(
                f"cannot read the database secret [DATABASE_SECRET_ARN]={self.secret_arn} "
                f"({type(exc).__name__}: {exc}); the task role needs secretsmanager:GetSecretValue on it."
            ) from None
        self.fetches += 1
        return parse_secret(response.get("SecretString") or "", f"the secret {self.secret_arn}")

    def get(self) -> Credentials:
        """The cached credentials (read the first time)."""
        with self._lock:
            if self._cached is None:
                self._cached = self._fetch()
            return self._cached

    def refresh(self, stale: Credentials | None = None) -> Credentials:
        """Re-read the secret after PostgreSQL refused ``stale``; when another thread has already
        replaced ``stale`` with a newer value, that value is returned without another read."""
        with self._lock:
            if stale is not None and self._cached is not None and self._cached != stale:
                return self._cached
            self._cached = self._fetch()
            log.info("database secret re-read", extra={"secret": self.secret_arn, "fetches": self.fetches})
            return self._cached
