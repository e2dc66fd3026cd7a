"""Shared request dependencies: the app context, the caller's identity, admin checks, rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer
from sqlalchemy import select
from sqlalchemy.engine import Engine

from .cache import Cache
from .config import Settings
from .db import users
from .errors import ApiError
from .security import Principal, TokenError, read_token
from .storage import Media


@dataclass
class AppContext:
    settings: Settings
    engine: Engine
    cache: Cache
    media: Media


async def get_ctx(request: Request) -> AppContext:
    # async: FastAPI runs a sync dependency in the thread pool, a hop (two thread switches) per
    # request for an attribute read
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]

_BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="streaming"'}


# Documents the scheme in OpenAPI (components.securitySchemes.bearerAuth, and `security` on every route
# that needs a token); the check itself is below, so errors keep the app's JSON shape.
bearer_scheme = HTTPBearer(scheme_name="bearerAuth", auto_error=False, description="An access token from login.")


@dataclass(frozen=True)
class Account:
    """The caller, as the database knows them now (not as the token remembers them)."""

    user_id: str
    email: str
    is_admin: bool


def current_account(request: Request, ctx: Ctx, _bearer: Annotated[object, Depends(bearer_scheme)]) -> Account:
    """The caller of a valid token whose account still exists with the token's version, else 401."""
    header = request.headers.get("authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "A bearer token is required.", headers=_BEARER_CHALLENGE)
    try:
        principal = read_token(token.strip(), ctx.settings.jwt_secret)
    except TokenError:
        raise ApiError(401, "The bearer token is invalid or has expired.", headers=_BEARER_CHALLENGE) from None
    with ctx.engine.connect() as conn:
        row = conn.execute(
            select(users.c.email, users.c.is_admin, users.c.token_version).where(users.c.id == principal.user_id)
        ).first()
    if row is None or row.token_version != principal.version:
        raise ApiError(401, "The bearer token has been revoked.", headers=_BEARER_CHALLENGE)
    return Account(user_id=principal.user_id, email=row.email, is_admin=bool(row.is_admin))


CurrentAccount = Annotated[Account, Depends(current_account)]


def current_principal(account: CurrentAccount) -> Principal:
    return Principal(user_id=account.user_id, email=account.email)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_admin(account: CurrentAccount) -> Principal:
    if not account.is_admin:
        raise ApiError(403, "This action needs an administrator account.")
    return Principal(user_id=account.user_id, email=account.email)


AdminPrincipal = Annotated[Principal, Depends(require_admin)]


def client_ip(request: Request, trusted_hops: int) -> str:
    """The caller's address: the socket peer, or the X-Forwarded-For entry added by the outermost
    of ``trusted_hops`` trusted proxies (entries further left can be forged by the caller)."""
    peer = request.client.host if request.client else "unknown"
    if trusted_hops <= 0:
        return peer
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",") if part.strip()]
    if len(forwarded) >= trusted_hops:
        return forwarded[-trusted_hops]
    return forwarded[0] if forwarded else peer


def enforce_rate_limit(ctx: AppContext, bucket: str, limit: int | None = None) -> None:
    settings = ctx.settings
    count = ctx.cache.hit(bucket, settings.auth_rate_window_seconds)
    if count > (settings.auth_rate_limit if limit is None else limit):
        raise ApiError(
            429, "Too many attempts; try again later.", headers={"Retry-After": str(settings.auth_rate_window_seconds)}
        )
