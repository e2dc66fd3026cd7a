"""Passwords (argon2id via argon2-cffi) and access tokens (HS256 JWTs via PyJWT)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ISSUER = "streaming-app"
AUDIENCE = "streaming-api"

_hasher = PasswordHasher()
# Verified when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str


class TokenError(Exception):
    """The bearer token is missing, malformed, expired or forged."""


def issue_token(principal: Principal, secret: str, ttl_seconds: int, now: float | None = None) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    expires = issued + ttl_seconds
    claims = {
        "sub": principal.user_id,
        "email": principal.email,
        "iat": issued,
        "nbf": issued,
        "exp": expires,
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    return jwt.encode(claims, secret, algorithm="HS256"), expires


def read_token(token: str, secret: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            leeway=5,
        )
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from None
    sub, email = claims.get("sub"), claims.get("email")
    if not isinstance(sub, str) or not isinstance(email, str):
        raise TokenError("token lacks subject or email")
    return Principal(user_id=sub, email=email)
