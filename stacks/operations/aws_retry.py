"""Retries for the operator commands: botocore's own retry modes plus a small loop for polls.

Two layers:

* every boto3 client is built with `client_config()`: botocore's ``adaptive`` retry mode (the
  ``standard`` mode's exponential backoff with jitter and its list of transient/throttling error
  codes, plus client-side rate limiting after throttles), ``max_attempts`` 8, short timeouts;
* `call_with_retry` wraps a *whole* operation that botocore would not retry on its own: a poll
  such as "read target health until it settles", or a call that has already exhausted botocore's
  budget with a throttle during a long shift. It retries only the same transient errors, with
  capped exponential backoff and full jitter, and an injectable ``sleep`` so tests run instantly.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)

T = TypeVar("T")

#: Error codes treated as transient: AWS's throttling codes and the server-side faults botocore's
#: standard mode retries (kept in sync with ``botocore.retries.standard``).
TRANSIENT_ERROR_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "LimitExceededException",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
        "RequestTimeout",
        "RequestTimeoutException",
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "ServiceUnavailableException",
    }
)

_TRANSIENT_EXCEPTIONS = (ConnectionClosedError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError)


def client_config(max_attempts: int = 8) -> Config:
    """The botocore config every operator client uses: adaptive retries, bounded timeouts."""
    return Config(
        retries={"mode": "adaptive", "max_attempts": max_attempts},
        connect_timeout=5,
        read_timeout=30,
        user_agent_extra="streaming-platform-switch",
    )


def is_transient(exc: BaseException) -> bool:
    """True for throttling, 5xx-style faults and connection problems; False for everything else."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return error.get("Code", "") in TRANSIENT_ERROR_CODES or int(status or 0) >= 500
    return isinstance(exc, _TRANSIENT_EXCEPTIONS)


def backoff_delay(
    attempt: int, *, base: float = 0.5, cap: float = 20.0, rng: Callable[[], float] = random.random
) -> float:
    """Full-jitter exponential backoff: uniform in ``[0, min(cap, base * 2**attempt)]``."""
    return rng() * min(cap, base * (2**attempt))


def call_with_retry(
    fn: Callable[[], T],
    *,
    attempts: int = 6,
    base: float = 0.5,
    cap: float = 20.0,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
) -> T:
    """Call ``fn``; on a transient error wait (backoff with jitter) and call it again, up to ``attempts`` times.

    Non-transient errors propagate at once; after the last attempt the transient error propagates.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be at least 1, got {attempts}")
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as exc:
            if not is_transient(exc) or attempt == attempts - 1:
                raise
            delay = backoff_delay(attempt, base=base, cap=cap)
            if on_retry is not None:
                on_retry(attempt + 1, exc, delay)
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
