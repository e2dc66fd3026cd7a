"""Accounts API: registration, login, me, watchlists and rate limits (embedded and cloud backends)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from sqlalchemy import create_engine, select

from apps.streaming.db import users
from tests.apps.conftest import ADMIN_EMAIL, JWT_SECRET, PASSWORD, grant_admin, register_and_login


def test_registering_creates_an_account_and_stores_only_an_argon2_hash(client: Any, base_env: dict[str, str]) -> None:
    # WHEN a new viewer registers (email in mixed case)
    response = client.post("/api/accounts/register", json={"email": "New.Viewer@Example.com", "password": PASSWORD})
    # THEN 201 with the normalised email, and the database holds an argon2id hash, not the password
    assert response.status_code == 201
    assert response.json()["email"] == "new.viewer@example.com"
    url = base_env.get("DATABASE_URL") or f"sqlite:///{base_env['DATA_DIR']}/streaming.sqlite3"
    engine = create_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(
            select(users.c.password_hash).where(users.c.email == "new.viewer@example.com")
        ).scalar_one()
    engine.dispose()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_registering_the_same_email_twice_is_a_409_conflict(client: Any) -> None:
    # GIVEN an account
    client.post("/api/accounts/register", json={"email": "dup@example.com", "password": PASSWORD})
    # WHEN the same email (other case) registers again
    again = client.post("/api/accounts/register", json={"email": "DUP@example.com", "password": PASSWORD})
    # THEN 409
    assert again.status_code == 409
    assert again.json() == {"error": {"code": "conflict", "message": "An account with this email already exists."}}


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"email": "not-an-email", "password": PASSWORD}, "email"),
        ({"email": "short@example.com", "password": "1234567"}, "password"),
        ({"email": "long@example.com", "password": "x" * 129}, "password"),
        ({"email": "missing@example.com"}, "password"),
    ],
)
def test_registering_with_invalid_credentials_is_a_422_naming_the_field(
    client: Any, payload: dict[str, str], field: str
) -> None:
    # WHEN registering with a bad field
    response = client.post("/api/accounts/register", json=payload)
    # THEN 422 names it
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == [field]


def test_login_returns_a_bearer_token_that_expires(client: Any) -> None:
    # GIVEN an account
    client.post("/api/accounts/register", json={"email": "tok@example.com", "password": PASSWORD})
    # WHEN logging in
    response = client.post("/api/accounts/login", json={"email": "tok@example.com", "password": PASSWORD})
    # THEN an HS256 token with subject, audience and a one-hour expiry comes back
    assert response.status_code == 200
    body = response.json()
    assert body["tokenType"] == "Bearer"
    claims = jwt.decode(body["accessToken"], JWT_SECRET, algorithms=["HS256"], audience="streaming-api")
    assert claims["email"] == "tok@example.com"
    assert 3590 <= claims["exp"] - time.time() <= 3600


def test_login_with_a_wrong_password_or_unknown_email_is_401(client: Any) -> None:
    # GIVEN an account
    client.post("/api/accounts/register", json={"email": "who@example.com", "password": PASSWORD})
    # WHEN the password is wrong, or the email unknown
    wrong = client.post("/api/accounts/login", json={"email": "who@example.com", "password": "wrong password"})
    unknown = client.post("/api/accounts/login", json={"email": "nobody@example.com", "password": PASSWORD})
    # THEN both are the same 401
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def test_me_describes_the_signed_in_account_and_whether_it_is_an_admin(client: Any) -> None:
    # GIVEN a viewer and an admin (granted the role by the operator command)
    viewer = register_and_login(client, "me@example.com")
    admin = register_and_login(client, ADMIN_EMAIL)
    grant_admin(client, ADMIN_EMAIL)
    # WHEN each reads /me
    me_viewer = client.get("/api/accounts/me", headers=viewer).json()
    me_admin = client.get("/api/accounts/me", headers=admin).json()
    # THEN the emails and admin flags are right
    assert (me_viewer["email"], me_viewer["isAdmin"]) == ("me@example.com", False)
    assert (me_admin["email"], me_admin["isAdmin"]) == (ADMIN_EMAIL, True)
    assert me_viewer["createdAt"].endswith("Z")


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic dXNlcjpwYXNz",
        "Bearer not.a.jwt",
        "Bearer "
        + jwt.encode(
            {"sub": "x", "email": "x@example.com", "iat": 1, "exp": 2, "iss": "streaming-app", "aud": "streaming-api"},
            JWT_SECRET,
            algorithm="HS256",
        ),
        "Bearer "
        + jwt.encode(
            {
                "sub": "x",
                "email": "x@example.com",
                "iat": int(time.time()),
                "exp": int(time.time()) + 600,
                "iss": "streaming-app",
                "aud": "streaming-api",
            },
            "another-secret-" + "y" * 40,
            algorithm="HS256",
        ),
    ],
    ids=["missing", "basic", "malformed", "expired", "forged"],
)
def test_me_rejects_missing_expired_and_forged_tokens_with_401(client: Any, authorization: str | None) -> None:
    # WHEN calling /me with a bad Authorization header
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/api/accounts/me", headers=headers)
    # THEN 401 with a Bearer challenge
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthorized"


def test_the_watchlist_adds_lists_and_removes_titles_idempotently(client: Any, user_headers: dict[str, str]) -> None:
    # GIVEN an empty watchlist
    assert client.get("/api/accounts/watchlist", headers=user_headers).json() == {"items": []}
    # WHEN two titles are added (one twice) and then one removed (twice)
    for title_id in ("aurora", "city-lights", "aurora"):
        assert client.put(f"/api/accounts/watchlist/{title_id}", headers=user_headers).status_code == 204
    listed = client.get("/api/accounts/watchlist", headers=user_headers).json()["items"]
    for _ in range(2):
        assert client.delete("/api/accounts/watchlist/aurora", headers=user_headers).status_code == 204
    # THEN the list held both titles, then only the remaining one
    assert sorted(t["id"] for t in listed) == ["aurora", "city-lights"]
    remaining = client.get("/api/accounts/watchlist", headers=user_headers).json()["items"]
    assert [t["id"] for t in remaining] == ["city-lights"]
    assert remaining[0]["title"] == "City Lights"


def test_watchlists_are_private_to_each_account(client: Any) -> None:
    # GIVEN two viewers, one of whom adds a title
    alice = register_and_login(client, "alice@example.com")
    bob = register_and_login(client, "bob@example.com")
    client.put("/api/accounts/watchlist/aurora", headers=alice)
    # WHEN bob reads his watchlist
    # THEN it is empty
    assert client.get("/api/accounts/watchlist", headers=bob).json() == {"items": []}


def test_adding_an_unknown_title_to_the_watchlist_is_404(client: Any, user_headers: dict[str, str]) -> None:
    # WHEN adding a title that does not exist
    response = client.put("/api/accounts/watchlist/no-such-title", headers=user_headers)
    # THEN 404
    assert response.status_code == 404


def test_the_watchlist_needs_a_bearer_token(client: Any) -> None:
    # WHEN calling the watchlist anonymously
    # THEN each verb is 401
    assert client.get("/api/accounts/watchlist").status_code == 401
    assert client.put("/api/accounts/watchlist/aurora").status_code == 401
    assert client.delete("/api/accounts/watchlist/aurora").status_code == 401


def test_login_attempts_beyond_the_limit_get_429_with_retry_after(make_client: Any) -> None:
    # GIVEN an app allowing three authentication attempts a minute
    client = make_client(AUTH_RATE_LIMIT="3")
    # WHEN a client fails to log in four times
    statuses = [
        client.post("/api/accounts/login", json={"email": "x@example.com", "password": "wrong password"}).status_code
        for _ in range(4)
    ]
    # THEN the fourth is refused with 429 and Retry-After
    assert statuses == [401, 401, 401, 429]
    refused = client.post("/api/accounts/login", json={"email": "x@example.com", "password": "wrong password"})
    assert refused.headers["retry-after"] == "60"
    assert refused.json()["error"]["code"] == "too_many_requests"


@pytest.mark.parametrize("backend", ["cloud"], indirect=True)
def test_the_rate_limit_is_shared_between_instances_through_redis(make_client: Any) -> None:
    # GIVEN two app instances using the same Redis, allowing two attempts
    first, second = make_client(AUTH_RATE_LIMIT="2"), make_client(AUTH_RATE_LIMIT="2")
    body = {"email": "y@example.com", "password": "wrong password"}
    # WHEN attempts alternate between the instances
    statuses = [c.post("/api/accounts/login", json=body).status_code for c in (first, second, first)]
    # THEN the third attempt is refused, though each instance saw at most two
    assert statuses == [401, 401, 429]
