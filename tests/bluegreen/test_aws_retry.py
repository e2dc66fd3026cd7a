"""Retry helpers: which errors are transient, the backoff bounds, and the retry loop."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from hypothesis import given
from hypothesis import strategies as st

from stacks.operations.aws_retry import backoff_delay, call_with_retry, client_config, is_transient


def client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Op")


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (client_error("Throttling"), True),
        (client_error("ThrottlingException"), True),
        (client_error("Whatever", 503), True),
        (EndpointConnectionError(endpoint_url="http://x"), True),
        (client_error("AccessDenied", 403), False),
        (client_error("ValidationError"), False),
        (ValueError("x"), False),
    ],
)
def test_only_throttling_faults_and_connection_errors_are_transient(exc: BaseException, transient: bool) -> None:
    assert is_transient(exc) is transient


@given(attempt=st.integers(min_value=0, max_value=30), r=st.floats(min_value=0, max_value=1))
def test_backoff_stays_within_zero_and_the_cap(attempt: int, r: float) -> None:
    delay = backoff_delay(attempt, base=0.5, cap=20.0, rng=lambda: r)
    assert 0 <= delay <= min(20.0, 0.5 * 2**attempt)


def test_transient_errors_are_retried_until_success() -> None:
    calls: list[int] = []
    slept: list[float] = []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 3:
            raise client_error("Throttling")
        return "ok"

    assert call_with_retry(flaky, sleep=slept.append) == "ok"
    assert len(calls) == 3 and len(slept) == 2


def test_a_permanent_error_is_raised_at_once() -> None:
    calls: list[int] = []

    def denied() -> None:
        calls.append(1)
        raise client_error("AccessDenied", 403)

    with pytest.raises(ClientError, match="AccessDenied"):
        call_with_retry(denied, sleep=lambda s: None)
    assert len(calls) == 1


def test_the_last_transient_error_propagates_after_the_budget() -> None:
    def always() -> None:
        raise client_error("Throttling")

    with pytest.raises(ClientError, match="Throttling"):
        call_with_retry(always, attempts=3, sleep=lambda s: None)


def test_clients_use_botocores_adaptive_retry_mode() -> None:
    assert client_config().retries == {"mode": "adaptive", "max_attempts": 8}
