"""Accounts under attack: admin only by the operator command, revocable tokens, no lockout of others
(embedded and cloud backends: SQLite and in-process cache, or PostgreSQL and Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from sqlalchemy import func, select

from apps.streaming.db import users, watchlist
from tests.apps.conftest import ADMIN_EMAIL, PASSWORD, REPO_ROOT, register_and_login

NEW_TITLE = {
    "id": "revoked-check",
    "title": "Revoked Check",
    "year": 2024,
    "rating": 7.0,
    "durationSeconds": 60,
    "genres": ["drama"],
    "poster": "/posters/ocean.svg",
    "mediaKey": "seed/ocean.webm",
}


def _cli(base_env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m apps.streaming …` with the app's own configuration, as an operator runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "ADMIN_"))} | base_env
    return subprocess.run(
        [sys.executable, "-m", "apps.streaming", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


# -- admin is a role in the database ------------------------------------------------------------
def test_registering_the_former_admin_email_gives_no_admin_rights(client: Any) -> None:
    # GIVEN the address that ADMIN_EMAILS used to list, registered by whoever comes first
    headers = register_and_login(client, ADMIN_EMAIL)
    # WHEN it reads its account and tries the admin actions
    me = client.get("/api/accounts/me", headers=headers).json()
    create = client.post("/api/catalog/titles", json=NEW_TITLE, headers=headers)
    upload = client.post("/api/catalog/uploads", json={"contentType": "video/webm", "size": 10}, headers=headers)
    # THEN it is a plain viewer
    assert me["isAdmin"] is False
    assert create.status_code == 403 and upload.status_code == 403
    assert create.json()["error"]["message"] == "This action needs an administrator account."


def test_grant_admin_makes_an_account_admin_at_once_and_revoke_admin_takes_it_back(
    client: Any, base_env: dict[str, str]
) -> None:
    # GIVEN a registered viewer holding a token
    headers = register_and_login(client, "ops@example.com")
    # WHEN the operator grants the role with the CLI (against the same database)
    granted = _cli(base_env, "grant-admin", "Ops@Example.com")
    # THEN the command says so, and the existing token may now register a title
    assert granted.returncode == 0, granted.stderr
    assert "ops@example.com: admin role granted." in granted.stdout
    assert client.get("/api/accounts/me", headers=headers).json()["isAdmin"] is True
    assert client.post("/api/catalog/titles", json=NEW_TITLE, headers=headers).status_code == 201
    # WHEN it is revoked
    revoked = _cli(base_env, "revoke-admin", "ops@example.com")
    # THEN the same token is a viewer's again
    assert revoked.returncode == 0, revoked.stderr
    assert client.get("/api/accounts/me", headers=headers).json()["isAdmin"] is False
    assert client.post("/api/catalog/titles", json={**NEW_TITLE, "id": "again"}, headers=headers).status_code == 403


def test_grant_admin_for_an_unknown_email_fails_clearly(base_env: dict[str, str], client: Any) -> None:
    # WHEN the operator names an address nobody registered
    result = _cli(base_env, "grant-admin", "nobody@example.com")
    # THEN exit 1, naming the address and what to do, no traceback
    assert result.returncode == 1
    assert "no account with email 'nobody@example.com': the user must register first" in result.stderr
    assert "Traceback" not in result.stderr


def test_grant_admin_refuses_the_retired_admin_emails_variable(base_env: dict[str, str]) -> None:
    # WHEN ADMIN_EMAILS is still in the environment
    result = _cli({**base_env, "ADMIN_EMAILS": ADMIN_EMAIL}, "grant-admin", ADMIN_EMAIL)
    # THEN a configuration error (exit 2) says it no longer grants anything
    assert result.returncode == 2
    assert "[ADMIN_EMAILS] no longer grants admin rights" in result.stderr


# -- account deletion and password change revoke tokens -------------------------------------------
def test_deleting_the_account_removes_it_and_its_watchlist_and_its_token_is_refused(client: Any) -> None:
    # GIVEN an admin with a watchlist and a token
    headers = register_and_login(client, "leaver@example.com")
    from tests.apps.conftest import grant_admin

    grant_admin(client, "leaver@example.com")
    assert client.put("/api/accounts/watchlist/aurora", headers=headers).status_code == 204
    # WHEN the account is deleted with the wrong password, then the right one
    wrong = client.request("DELETE", "/api/accounts/me", json={"password": "not the password"}, headers=headers)
    deleted = client.request("DELETE", "/api/accounts/me", json={"password": PASSWORD}, headers=headers)
    # THEN the wrong password changes nothing (403), the right one deletes (204)
    assert wrong.status_code == 403 and wrong.json()["error"]["message"] == "The password is wrong."
    assert deleted.status_code == 204
    engine = client.app.state.ctx.engine
    with engine.connect() as conn:
        assert (
            conn.execute(select(func.count()).select_from(users).where(users.c.email == "leaver@example.com")).scalar()
            == 0
        )
        assert conn.execute(select(func.count()).select_from(watchlist)).scalar() == 0
    # AND the old token no longer plays media, creates titles, or reads the account
    play = client.get("/api/catalog/titles/aurora/play", headers=headers)
    create = client.post("/api/catalog/titles", json=NEW_TITLE, headers=headers)
    assert play.status_code == 401 and create.status_code == 401
    assert play.json()["error"]["message"] == "The bearer token has been revoked."
    assert client.get("/api/accounts/me", headers=headers).status_code == 401
    # AND the email can no longer log in
    login = client.post("/api/accounts/login", json={"email": "leaver@example.com", "password": PASSWORD})
    assert login.status_code == 401


def test_changing_the_password_revokes_old_tokens_and_the_new_password_logs_in(client: Any) -> None:
    # GIVEN a viewer with two tokens (two devices)
    headers = register_and_login(client, "mover@example.com")
    other = client.post("/api/accounts/login", json={"email": "mover@example.com", "password": PASSWORD}).json()
    other_headers = {"Authorization": f"Bearer {other['accessToken']}"}
    new_password = "a much better passphrase"
    # WHEN the password is changed (a wrong current password first)
    wrong = client.post(
        "/api/accounts/me/password",
        json={"currentPassword": "not the password", "newPassword": new_password},
        headers=headers,
    )
    changed = client.post(
        "/api/accounts/me/password", json={"currentPassword": PASSWORD, "newPassword": new_password}, headers=headers
    )
    # THEN the wrong one is 403, the change 204, and both old tokens are refused
    assert wrong.status_code == 403 and changed.status_code == 204
    assert client.get("/api/accounts/me", headers=headers).status_code == 401
    assert client.get("/api/catalog/titles/aurora/play", headers=other_headers).status_code == 401
    # AND the old password fails while the new one logs in with a working token
    old = client.post("/api/accounts/login", json={"email": "mover@example.com", "password": PASSWORD})
    new = client.post("/api/accounts/login", json={"email": "mover@example.com", "password": new_password})
    assert old.status_code == 401 and new.status_code == 200
    fresh = {"Authorization": f"Bearer {new.json()['accessToken']}"}
    assert client.get("/api/accounts/me", headers=fresh).json()["email"] == "mover@example.com"


def test_a_new_password_must_not_be_common_or_the_current_one(client: Any) -> None:
    headers = register_and_login(client, "weak@example.com")
    for new in ("password123", PASSWORD):
        response = client.post(
            "/api/accounts/me/password", json={"currentPassword": PASSWORD, "newPassword": new}, headers=headers
        )
        assert response.status_code == 422, new
        assert [d["field"] for d in response.json()["error"]["details"]] == ["newPassword"]
    assert client.get("/api/accounts/me", headers=headers).status_code == 200


# -- throttling never locks another client out -----------------------------------------------------
def _login(client: Any, ip: str, email: str, password: str) -> Any:
    return client.post(
        "/api/accounts/login", json={"email": email, "password": password}, headers={"X-Forwarded-For": ip}
    )


def test_another_clients_failures_never_lock_a_user_out(make_client: Any) -> None:
    # GIVEN an app behind one trusted proxy allowing 3 attempts per (client, email)
    client = make_client(AUTH_RATE_LIMIT="3", TRUSTED_PROXY_HOPS="1")
    register_and_login(client, "victim@example.com")
    # WHEN an attacker at 203.0.113.9 fails on the victim's email until refused
    attacker = [_login(client, "203.0.113.9", "victim@example.com", "guess number 1").status_code for _ in range(5)]
    # THEN the attacker is throttled, but the victim from their own address still logs in
    assert attacker == [401, 401, 401, 429, 429]
    victim = _login(client, "198.51.100.7", "victim@example.com", PASSWORD)
    assert victim.status_code == 200


def test_one_client_spraying_many_emails_is_throttled_per_client(make_client: Any) -> None:
    # GIVEN a per-client limit of 4 attempts (any email)
    client = make_client(AUTH_CLIENT_RATE_LIMIT="4", TRUSTED_PROXY_HOPS="1")
    # WHEN one client tries a different email each time
    statuses = [_login(client, "203.0.113.10", f"user{i}@example.com", "guess number 1").status_code for i in range(6)]
    # THEN the fifth is refused with Retry-After, while another client is unaffected
    assert statuses == [401, 401, 401, 401, 429, 429]
    assert _login(client, "203.0.113.11", "user0@example.com", "guess number 1").status_code == 401


def test_revision_0002_keeps_existing_accounts_as_viewers_with_their_tokens_valid(
    base_env: dict[str, str], make_client: Any
) -> None:
    # GIVEN a database at revision 0001 holding an account (SQLite, or PostgreSQL in the cloud run)
    import datetime as dt

    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from apps.streaming.config import load_settings
    from apps.streaming.db import MIGRATIONS_DIR, make_engine
    from apps.streaming.security import AUDIENCE, ISSUER, hash_password

    engine = make_engine(load_settings(base_env).database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(
            text("INSERT INTO users (id, email, password_hash, created_at) VALUES (:i, :e, :h, :c)"),
            {"i": "u-1", "e": "early@example.com", "h": hash_password(PASSWORD), "c": dt.datetime.now(dt.UTC)},
        )
    engine.dispose()
    # AND a token issued before the upgrade (the claims of 0.3.0: no version claim)
    import time

    import jwt

    from tests.apps.conftest import JWT_SECRET

    now = int(time.time())
    claims = {"sub": "u-1", "email": "early@example.com", "iat": now, "nbf": now, "exp": now + 600}
    old_token = jwt.encode({**claims, "iss": ISSUER, "aud": AUDIENCE}, JWT_SECRET, algorithm="HS256")
    # WHEN the app starts (migrating to head)
    client = make_client()
    # THEN the account is a viewer, its old token still works, and its password still logs in
    me = client.get("/api/accounts/me", headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 200 and me.json()["isAdmin"] is False
    login = client.post("/api/accounts/login", json={"email": "early@example.com", "password": PASSWORD})
    assert login.status_code == 200
