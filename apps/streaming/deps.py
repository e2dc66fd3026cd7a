"""Shared request dependencies: the app context, the caller's identity, admin checks, rate limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine

from .cache import Cache
from .config import Settings
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


def current_principal(request: Request, ctx: Ctx) -> Principal:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "A bearer token is required.", headers=_BEARER_CHALLENGE)
    try:
        return read_token(token.strip(), ctx.settings.jwt_secret)
    except TokenError:
        raise ApiError(401, "The bearer token is invalid or has expired.", headers=_BEARER_CHALLENGE) from None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def is_admin(principal: Principal, settings: Settings) -> bool:
    return principal.email.lower() in settings.admin_emails


def require_admin(principal: CurrentPrincipal, ctx: Ctx) -> Principal:
    if not is_admin(principal, ctx.settings):
        raise ApiError(403, "This action needs an administrator account.")
    return principal


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


def enforce_rate_limit(ctx: AppContext, bucket: str) -> None:
    settings = ctx.settings
    count = ctx.cache.hit(bucket, settings.auth_rate_window_seconds)
    if count > settings.auth_rate_limit:
        raise ApiError(
            429, "Too many attempts; try again later.", headers={"Retry-After": str(settings.auth_rate_window_seconds)}
        )
