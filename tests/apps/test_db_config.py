"""DATABASE_SECRET_ARN: the app's database credentials come from a secret, checked before anything starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from apps.streaming.config import ConfigError, load_settings
from tests.apps.conftest import JWT_SECRET, REPO_ROOT

ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:streaming-platform/prod/db-catalog-AbCdEf"


def test_the_secret_replaces_user_and_password(tmp_path: Path) -> None:
    s = load_settings(
        {"JWT_SECRET": JWT_SECRET, "DATABASE_HOST": "db.internal", "DATABASE_SECRET_ARN": ARN}, data_dir=tmp_path
    )
    assert s.database_secret_arn == ARN
    assert s.database_url.username is None and s.database_url.password is None
    assert (s.database_url.host, s.database_url.query["sslmode"]) == ("db.internal", "require")


def test_without_the_secret_nothing_changes(tmp_path: Path) -> None:
    s = load_settings({"JWT_SECRET": JWT_SECRET, "DATABASE_HOST": "db", "DATABASE_USER": "u"}, data_dir=tmp_path)
    assert s.database_secret_arn is None and s.database_url.username == "u"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_HOST": "db", "DATABASE_SECRET_ARN": "streaming/db"}, "is not a Secrets Manager secret ARN"),
        ({"DATABASE_HOST": "db", "DATABASE_SECRET_ARN": ARN.replace("secret:", "parameter/")}, "is not a Secrets"),
        ({"DATABASE_HOST": "db", "DATABASE_USER": "app", "DATABASE_SECRET_ARN": ARN}, "remove the others"),
        ({"DATABASE_URL": "postgresql://u:p@db/app", "DATABASE_SECRET_ARN": ARN}, "remove the others"),
        ({"DATABASE_SECRET_ARN": ARN}, "needs a PostgreSQL database"),
    ],
    ids=["name-not-arn", "ssm-arn", "with-user", "url-credentials", "sqlite"],
)
def test_a_bad_secret_setting_is_a_clear_error(tmp_path: Path, env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=r"^\[DATABASE_SECRET_ARN\]") as caught:
        load_settings({"JWT_SECRET": JWT_SECRET, **env}, data_dir=tmp_path)
    assert message in str(caught.value)


def test_the_server_refuses_a_bad_secret_arn_without_a_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "JWT_SECRET": JWT_SECRET, "DATABASE_HOST": "db", "DATABASE_SECRET_ARN": "db-secret"}
    result = subprocess.run(
        [sys.executable, "-m", "apps.streaming", "--data-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("configuration error: [DATABASE_SECRET_ARN]='db-secret' is not a Secrets Manager")
    assert "Traceback" not in result.stderr
