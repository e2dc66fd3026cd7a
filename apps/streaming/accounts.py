"""Accounts API: register, log in, me, and the per-user watchlist."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .catalog import _TITLE_COLUMNS, TitleId, TitleOut, _iso, _to_out
from .db import titles, users, watchlist
from .deps import Ctx, CurrentPrincipal, client_ip, enforce_rate_limit, is_admin
from .errors import ApiError
from .security import Principal, hash_password, issue_token, needs_rehash, verify_password

router = APIRouter(prefix="/api/accounts", tags=["accounts"])

_EMAIL_RE = re.compile(
    r"^[^@\s\x00-\x1f]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)


class Credentials(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, Field(min_length=3, max_length=254)]
    password: Annotated[str, Field(min_length=8, max_length=128)]

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        value = value.strip().lower()
        if not _EMAIL_RE.match(value):
            raise ValueError("must be an email address")
        return value


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


def _limit(request: Request, ctx: Ctx, action: str, email: str | None = None) -> None:
    enforce_rate_limit(ctx, f"{action}:ip:{client_ip(request, ctx.settings.trusted_proxy_hops)}")
    if email:
        enforce_rate_limit(ctx, f"{action}:email:{email}")


@router.post("/register", status_code=201, response_model=AccountOut, summary="Create an account")
def register(request: Request, ctx: Ctx, payload: Credentials) -> dict[str, str]:
    _limit(request, ctx, "register")
    user_id = str(uuid.uuid4())
    try:
        with ctx.engine.begin() as conn:
            conn.execute(
                insert(users).values(
                    id=user_id,
                    email=payload.email,
                    password_hash=hash_password(payload.password),
                    created_at=dt.datetime.now(dt.UTC),
                )
            )
    except IntegrityError:
        raise ApiError(409, "An account with this email already exists.") from None
    return {"id": user_id, "email": payload.email}


@router.post("/login", response_model=TokenOut, summary="Exchange email and password for an access token")
def login(request: Request, ctx: Ctx, payload: Credentials) -> dict[str, str]:
    _limit(request, ctx, "login", payload.email)
    with ctx.engine.connect() as conn:
        row = conn.execute(select(users.c.id, users.c.password_hash).where(users.c.email == payload.email)).first()
    if not verify_password(row.password_hash if row else None, payload.password) or row is None:
        raise ApiError(401, "Email or password is wrong.")
    if needs_rehash(row.password_hash):
        with ctx.engine.begin() as conn:
            conn.execute(
                update(users).where(users.c.id == row.id).values(password_hash=hash_password(payload.password))
            )
    token, expires = issue_token(
        Principal(row.id, payload.email), ctx.settings.jwt_secret, ctx.settings.jwt_ttl_seconds
    )
    return {"accessToken": token, "tokenType": "Bearer", "expiresAt": _iso(expires)}


@router.get("/me", response_model=MeOut, summary="The signed-in account")
def me(ctx: Ctx, principal: CurrentPrincipal) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(users.c.id, users.c.email, users.c.created_at).where(users.c.id == principal.user_id)
        ).first()
    if row is None:
        raise ApiError(401, "The account no longer exists.")
    created: dt.datetime = row.created_at
    if created.tzinfo is None:
        created = created.replace(tzinfo=dt.UTC)
    return {
        "id": row.id,
        "email": row.email,
        "isAdmin": is_admin(principal, ctx.settings),
        "createdAt": _iso(int(created.timestamp())),
    }


@router.get("/watchlist", response_model=WatchlistOut, summary="The signed-in account's watchlist")
def get_watchlist(ctx: Ctx, principal: CurrentPrincipal) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(*_TITLE_COLUMNS)
            .join(watchlist, watchlist.c.title_id == titles.c.id)
            .where(watchlist.c.user_id == principal.user_id)
            .order_by(watchlist.c.added_at.desc(), titles.c.id)
        )
        return {"items": _to_out(rows, conn)}


@router.put("/watchlist/{title_id}", status_code=204, summary="Add a title to the watchlist (idempotent)")
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


@router.delete("/watchlist/{title_id}", status_code=204, summary="Remove a title from the watchlist (idempotent)")
def remove_from_watchlist(ctx: Ctx, principal: CurrentPrincipal, title_id: TitleId) -> Response:
    with ctx.engine.begin() as conn:
        conn.execute(
            delete(watchlist).where((watchlist.c.user_id == principal.user_id) & (watchlist.c.title_id == title_id))
        )
    return Response(status_code=204)
