"""Passwords (argon2id via argon2-cffi), a bound on concurrent hashing, and access tokens (HS256 JWTs).

Argon2id parameters are OWASP's minimum for interactive logins (Password Storage Cheat Sheet,
https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html#argon2id:
"m=19456 (19 MiB), t=2, p=1"). Each hash needs ``m`` of memory while it runs, so the number of
hashes running at once is bounded (:class:`HashLimiter`); a caller that cannot get a slot within a
short wait is refused (:class:`HashBusyError`, answered 503 with Retry-After) instead of queueing
behind the others until the task runs out of memory.
"""

from __future__ import annotations

import ctypes
import functools
import gzip
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

ISSUER = "streaming-app"
AUDIENCE = "streaming-api"

ARGON2_MEMORY_KIB = 19 * 1024
"""OWASP: m=19456 KiB."""
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
HASH_MEMORY_MIB = ARGON2_MEMORY_KIB // 1024
BASELINE_MEMORY_MIB = 160
"""What the process uses besides hashing (interpreter, libraries, pools), measured at about 110 MiB."""

_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST,
    memory_cost=ARGON2_MEMORY_KIB,
    parallelism=ARGON2_PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)
# Verified when the email is unknown, so a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class HashBusyError(Exception):
    """Every hashing slot stayed busy for the whole wait: the caller should retry shortly."""


class HashLimiter:
    """At most ``slots`` argon2 computations at once; others wait up to ``wait_seconds``, then fail fast."""

    def __init__(self, slots: int, wait_seconds: float) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self.wait_seconds = wait_seconds
        self._semaphore = threading.BoundedSemaphore(slots)

    def __enter__(self) -> HashLimiter:
        if not self._semaphore.acquire(timeout=self.wait_seconds):
            raise HashBusyError()
        return self

    def __exit__(self, *_: object) -> None:
        self._semaphore.release()


def hash_slots_for(memory_mib: int | None, cpus: int | None) -> int:
    """Slots that fit the memory left after the baseline (half of it, for headroom), at most 2 per CPU.

    Without a known memory limit, the CPU bound alone applies (hashing is CPU-bound anyway).
    """
    by_cpu = max(1, 2 * (cpus or 1))
    if memory_mib is None:
        return min(by_cpu, 8)
    by_memory = max(1, (memory_mib - BASELINE_MEMORY_MIB) // 2 // HASH_MEMORY_MIB)
    return max(1, min(by_cpu, by_memory))


def container_memory_mib(cgroup_root: Path = Path("/sys/fs/cgroup")) -> int | None:
    """The container's memory limit (cgroup v2 ``memory.max``, v1 ``memory.limit_in_bytes``), or None.

    On ECS (Fargate or EC2) this is the task's (or container's) memory."""
    for name in ("memory.max", "memory/memory.limit_in_bytes"):
        try:
            raw = (cgroup_root / name).read_text().strip()
        except OSError:
            continue
        if raw.isdigit() and int(raw) < 1 << 50:  # v1 reports "no limit" as a huge number
            return int(raw) // (1024 * 1024)
    return None


_limiter = HashLimiter(hash_slots_for(None, 1), 0.5)

_M_MMAP_THRESHOLD = -3  # glibc <malloc.h>
_MMAP_THRESHOLD_BYTES = 8 * 1024 * 1024


def _return_hash_memory_to_the_os() -> bool:
    """Make glibc serve argon2's 19 MiB blocks with mmap, so that each is returned to the OS when freed.

    By default glibc raises its mmap threshold after the first such block is freed (up to 32 MiB),
    and from then on every thread's malloc arena keeps its freed 19 MiB: RSS then grows with the
    number of threads that ever hashed (the 40-thread pool), not with the hashes running now.
    A fixed threshold turns that adjustment off. No-op (False) outside glibc."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_BYTES))
    except (OSError, AttributeError):
        return False


def configure_hashing(slots: int, wait_seconds: float) -> HashLimiter:
    """Replace the process-wide limiter (called once at start-up with the settings' values)."""
    global _limiter
    _return_hash_memory_to_the_os()
    _limiter = HashLimiter(slots, wait_seconds)
    return _limiter


def hash_password(password: str) -> str:
    with _limiter:
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    with _limiter:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False


def needs_rehash(stored_hash: str) -> bool:
    """True for hashes made with other parameters (e.g. argon2-cffi's old 64 MiB default)."""
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    version: int = 0
    """The account's token version when the token was issued; bumped to revoke every token."""


class TokenError(Exception):
    """The bearer token is missing, malformed, expired or forged."""


def issue_token(principal: Principal, secret: str, ttl_seconds: int, now: float | None = None) -> tuple[str, int]:
    issued = int(now if now is not None else time.time())
    expires = issued + ttl_seconds
    claims = {
        "sub": principal.user_id,
        "email": principal.email,
        "ver": principal.version,
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
    sub, email, version = claims.get("sub"), claims.get("email"), claims.get("ver", 0)
    if not isinstance(sub, str) or not isinstance(email, str):
        raise TokenError("token lacks subject or email")
    if not isinstance(version, int) or isinstance(version, bool):
        raise TokenError("token version is not an integer")
    return Principal(user_id=sub, email=email, version=version)


COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt.gz"


@functools.cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused (NIST SP 800-63B §5.1.1.2: common or breached values), or None."""
    folded = password.strip().lower()
    if folded in _common_passwords():
        return "is one of the most common passwords (found in breach lists); choose another"
    if email and folded in {email.lower(), email.lower().partition("@")[0]}:
        return "must not be the email address"
    if len(set(folded)) <= 2:
        return "repeats one or two characters; choose another"
    return None
