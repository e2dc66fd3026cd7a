"""Accounts API: register, log in, me (delete, change password), and the per-user watchlist.

Admin is a role stored with the account (``users.is_admin``), set only by the operator command
``python -m apps.streaming grant-admin EMAIL`` (:func:`set_admin`), never by registration.
Every access token carries the account's ``token_version``; deleting the account or changing
its password revokes every token issued before.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .catalog import _TITLE_COLUMNS, TitleId, TitleOut, _iso, _to_out
from .db import titles, users, watchlist
from .deps import AppContext, Ctx, CurrentAccount, CurrentPrincipal, client_ip, enforce_rate_limit
from .errors import ApiError, responses
from .security import (
    HashBusyError,
    Principal,
    hash_password,
    issue_token,
    needs_rehash,
    password_problem,
    verify_password,
)

router = APIRouter(prefix="/api/accounts", tags=["accounts"])

_EMAIL_RE = re.compile(
    r"^[^@\s\x00-\x1f]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


Password = Annotated[str, Field(min_length=8, max_length=128)]


def _not_common(value: str) -> str:
    problem = password_problem(value)
    if problem:
        raise ValueError(problem)
    return value


#: A password being set (registration, change): also not a common or breached one (NIST SP 800-63B).
NewPassword = Annotated[str, Field(min_length=8, max_length=128), AfterValidator(_not_common)]


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Password

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        if not _EMAIL_RE.match(value):
            raise ValueError("must be an email address")
        return value


class NewCredentials(Credentials):
    """Registration: the password must also not be a common or breached one (NIST SP 800-63B)."""

    password: NewPassword


class PasswordIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: Password = Field(description="The account's current password.")


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currentPassword: Password  # noqa: N815
    newPassword: NewPassword  # noqa: N815


class AccountOut(BaseModel):
    id: str
    email: str


class MeOut(AccountOut):
    isAdmin: bool  # noqa: N815
    createdAt: str  # noqa: N815


class TokenOut(BaseModel):
    accessToken: str  # noqa: N815
    tokenType: str  # noqa: N815
    expiresAt: str  # noqa: N815


class WatchlistOut(BaseModel):
    items: list[TitleOut]


def _client_limit(request: Request, ctx: Ctx, action: str, limit: int | None = None) -> str:
    client = client_ip(request, ctx.settings.trusted_proxy_hops)
    enforce_rate_limit(ctx, f"{action}:ip:{client}", limit)
    return client


def _hashing(operation: Any, *args: Any) -> Any:
    """Run an argon2 operation under the concurrency bound; a full bound is a quick 503, not a queue."""
    try:
        return operation(*args)
    except HashBusyError:
        raise ApiError(
            503, "The service is busy; retry in a moment.", code="busy", headers={"Retry-After": "1"}
        ) from None


@router.post(
    "/register",
    status_code=201,
    response_model=AccountOut,
    summary="Create an account",
    responses=responses(400, 409, 413, 422, 429, 503),
)
def register(request: Request, ctx: Ctx, payload: NewCredentials) -> dict[str, str]:
    _client_limit(request, ctx, "register")
    if password_problem(payload.password, payload.email):
        raise ApiError(
            422,
            "Request is not valid.",
            details=[{"field": "password", "message": "must not be the email address"}],
        )
    user_id = str(uuid.uuid4())
    password_hash = _hashing(hash_password, payload.password)
    try:
        with ctx.engine.begin() as conn:
            conn.execute(
                insert(users).values(
                    id=user_id,
                    email=payload.email,
                    password_hash=password_hash,
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
    except IntegrityError:
        raise ApiError(409, "An account with this email already exists.") from None
    return {"id": user_id, "email": payload.email}


@router.post(
    "/login",
    response_model=TokenOut,
    summary="Exchange email and password for an access token",
    responses=responses(400, 401, 413, 422, 429, 503),
)
def login(request: Request, ctx: Ctx, payload: Credentials) -> dict[str, str]:
    # Per client (any email), and per (client, email): failures from elsewhere never lock a user out.
    client = _client_limit(request, ctx, "login", ctx.settings.auth_client_rate_limit)
    enforce_rate_limit(ctx, f"login:ip-email:{client}:{payload.email}")
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(users.c.id, users.c.password_hash, users.c.token_version).where(users.c.email == payload.email)
        ).first()
    if not _hashing(verify_password, row.password_hash if row else None, payload.password) or row is None:
        raise ApiError(401, "Email or password is wrong.")
    if needs_rehash(row.password_hash):
        new_hash = _hashing(hash_password, payload.password)
        with ctx.engine.begin() as conn:
            conn.execute(update(users).where(users.c.id == row.id).values(password_hash=new_hash))
    token, expires = issue_token(
        Principal(row.id, payload.email, row.token_version), ctx.settings.jwt_secret, ctx.settings.jwt_ttl_seconds
    )
    return {"accessToken": token, "tokenType": "Bearer", "expiresAt": _iso(expires)}


@router.get("/me", response_model=MeOut, summary="The signed-in account", responses=responses(401, 503))
def me(ctx: Ctx, account: CurrentAccount) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(users.c.id, users.c.email, users.c.created_at).where(users.c.id == account.user_id)
        ).first()
    if row is None:
        raise ApiError(401, "The account no longer exists.")
    created: dt.datetime = row.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return {
        "id": row.id,
        "email": row.email,
        "isAdmin": account.is_admin,
        "createdAt": _iso(int(created.timestamp())),
    }


def _check_password(request: Request, ctx: AppContext, user_id: str, password: str) -> None:
    """The caller re-proves the password (a stolen token alone cannot delete or take over the account)."""
    _client_limit(request, ctx, "reauth", ctx.settings.auth_client_rate_limit)
    enforce_rate_limit(ctx, f"reauth:user:{user_id}")
    with ctx.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar_one_or_none()
    if not _hashing(verify_password, stored, password):
        raise ApiError(403, "The password is wrong.")


@router.delete(
    "/me",
    status_code=204,
    summary="Delete the signed-in account and its watchlist (revokes every token)",
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
def delete_me(request: Request, ctx: Ctx, account: CurrentAccount, payload: PasswordIn) -> Response:
    _check_password(request, ctx, account.user_id, payload.password)
    with ctx.engine.begin() as conn:
        conn.execute(delete(watchlist).where(watchlist.c.user_id == account.user_id))
        conn.execute(delete(users).where(users.c.id == account.user_id))
    return Response(status_code=204)


@router.post(
    "/me/password",
    status_code=204,
    summary="Change the password (revokes every token; log in again)",
    responses=responses(400, 401, 403, 413, 422, 429, 503),
)
def change_password(request: Request, ctx: Ctx, account: CurrentAccount, payload: PasswordChangeIn) -> Response:
    if payload.newPassword == payload.currentPassword or password_problem(payload.newPassword, account.email):
        raise ApiError(
            422,
            "Request is not valid.",
            details=[{"field": "newPassword", "message": "must differ from the current password and the email"}],
        )
    _check_password(request, ctx, account.user_id, payload.currentPassword)
    new_hash = _hashing(hash_password, payload.newPassword)
    with ctx.engine.begin() as conn:
        conn.execute(
            update(users)
            .where(users.c.id == account.user_id)
            .values(password_hash=new_hash, token_version=users.c.token_version + 1)
        )
    return Response(status_code=204)


def set_admin(engine: Engine, email: str, admin: bool) -> bool:
    """Grant (or revoke) the admin role of the account with ``email``; False when there is no such account.

    The role is read from the database on every request, so the change applies to existing tokens at once."""
    with engine.begin() as conn:
        result = conn.execute(update(users).where(users.c.email == email.strip().lower()).values(is_admin=admin))
    return bool(result.rowcount)


@router.get(
    "/watchlist",
    response_model=WatchlistOut,
    summary="The signed-in account's watchlist",
    responses=responses(401, 503),
)
def get_watchlist(ctx: Ctx, principal: CurrentPrincipal) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(*_TITLE_COLUMNS)
            .join(watchlist, watchlist.c.title_id == titles.c.id)
            .where(watchlist.c.user_id == principal.user_id)
            .order_by(watchlist.c.added_at.desc(), titles.c.id)
        )
        return {"items": _to_out(rows, conn)}


@router.put(
    "/watchlist/{title_id}",
    status_code=204,
    summary="Add a title to the watchlist (idempotent)",
    responses=responses(401, 404, 422, 503),
)
def add_to_watchlist(ctx: Ctx, principal: CurrentPrincipal, title_id: TitleId) -> Response:
    with ctx.engine.begin() as conn:
        if conn.execute(select(titles.c.id).where(titles.c.id == title_id)).first() is None:
            raise ApiError(404, f"Title {title_id!r} not found.")
        present = conn.execute(
            select(watchlist.c.title_id).where(
                (watchlist.c.user_id == principal.user_id) & (watchlist.c.title_id == title_id)
            )
        ).first()
        if present is None:
            try:
                with conn.begin_nested():
                    conn.execute(
                        insert(watchlist).values(
                            user_id=principal.user_id, title_id=title_id, added_at=dt.datetime.now(dt.UTC)
                        )
                    )
            except IntegrityError:
                # A concurrent add won the race (fine), or the account is gone.
                if conn.execute(select(users.c.id).where(users.c.id == principal.user_id)).first() is None:
                    raise ApiError(401, "The account no longer exists.") from None
    return Response(status_code=204)


@router.delete(
    "/watchlist/{title_id}",
    status_code=204,
    summary="Remove a title from the watchlist (idempotent)",
    responses=responses(401, 422, 503),
)
def remove_from_watchlist(ctx: Ctx, principal: CurrentPrincipal, title_id: TitleId) -> Response:
    with ctx.engine.begin() as conn:
        conn.execute(
            delete(watchlist).where((watchlist.c.user_id == principal.user_id) & (watchlist.c.title_id == title_id))
        )
    return Response(status_code=204)
