"""A PostgreSQL that checks passwords (SCRAM-SHA-256 on 127.0.0.1), and Secrets Manager on moto's server.

The suite's shared PostgreSQL (``conftest.postgres_server``) trusts every local login, which cannot
show a refused password; the database-role tests start this one instead. Its superuser plays the
RDS master user, with its credentials in a Secrets Manager secret shaped as RDS writes it.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.apps.conftest import running_postgres

MASTER_USER = "master"


@dataclass
class PasswordPostgres:
    port: int
    master_password: str
    log: Path
    """The server's log file."""

    def connect(self, user: str, password: str, database: str = "postgres", **kwargs: Any) -> Any:
        import psycopg

        return psycopg.connect(
            host="127.0.0.1", port=self.port, user=user, password=password, dbname=database, **kwargs
        )

    def master(self, database: str = "postgres") -> Any:
        return self.connect(MASTER_USER, self.master_password, database, autocommit=True)

    def create_database(self) -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with self.master() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name


def start_password_postgres() -> Iterator[PasswordPostgres]:
    password = secrets.token_hex(16)
    with running_postgres(
        MASTER_USER,
        initdb_args=("--pwfile={root}/pw", "--auth-local=trust", "--auth-host=scram-sha-256"),
        settings="-c log_statement=ddl",
        files={"pw": password},
    ) as (port, root):
        yield PasswordPostgres(port=port, master_password=password, log=root / "log")


def secretsmanager(endpoint: str) -> Any:
    import boto3

    return boto3.client("secretsmanager", endpoint_url=endpoint, region_name="us-east-1")


def create_secret(endpoint: str, username: str, password: str) -> str:
    name = f"streaming/test/{username}-{uuid.uuid4().hex[:8]}"
    arn: str = secretsmanager(endpoint).create_secret(
        Name=name, SecretString=json.dumps({"username": username, "password": password})
    )["ARN"]
    return arn


def put_secret(endpoint: str, arn: str, username: str, password: str) -> None:
    secretsmanager(endpoint).put_secret_value(
        SecretId=arn, SecretString=json.dumps({"username": username, "password": password})
    )


def db_env(pg: PasswordPostgres, database: str) -> dict[str, str]:
    """The endpoint part of a task's environment (as the platform sets it, without TLS on loopback)."""
    return {
        "DATABASE_HOST": "127.0.0.1",
        "DATABASE_PORT": str(pg.port),
        "DATABASE_NAME": database,
        "DATABASE_SSLMODE": "disable",
    }
