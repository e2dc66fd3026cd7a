"""Request hygiene: a 16 KiB cap on headers, and no common or breached passwords at registration."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from apps.streaming.security import password_problem
from tests.apps.conftest import Server


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_headers_past_16_kib_in_total_get_431_and_just_under_passes(client: Any) -> None:
    # WHEN one request carries 17 KiB of headers in two, another 15 KiB
    big = client.get("/api/catalog/rows", headers={"X-A": "a" * 9000, "X-B": "b" * 8400})
    fine = client.get("/api/catalog/rows", headers={"X-A": "a" * 15000})
    # THEN the first is 431 with the JSON error and the usual security headers, the second is served
    assert big.status_code == 431
    assert big.json()["error"]["code"] == "request_header_fields_too_large"
    assert "the limit is 16384" in big.json()["error"]["message"]
    assert big.headers["x-content-type-options"] == "nosniff" and big.headers["x-request-id"]
    assert fine.status_code == 200


@pytest.mark.slow
def test_the_real_server_answers_oversized_headers_with_the_json_431(server: Server) -> None:
    # GIVEN the app as a process (uvicorn's own parser would give a bare 400 at 16 KiB)
    request = (
        f"GET /api/catalog/rows HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nX-Big: {'z' * 20000}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    # THEN the answer is the app's 431 JSON
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 431"), head
    assert b'"request_header_fields_too_large"' in body


@pytest.mark.parametrize("password", ["password", "password123", "iloveyou", "qwertyuiop", "Football1", "aaaaaaaa"])
def test_registration_refuses_common_and_breached_passwords(client: Any, password: str) -> None:
    # WHEN someone registers with a password from the bundled breach list (or a trivial repeat)
    response = client.post("/api/accounts/register", json={"email": "common@example.com", "password": password})
    # THEN 422 names the password field and says why
    assert response.status_code == 422, password
    details = response.json()["error"]["details"]
    assert [d["field"] for d in details] == ["password"]
    assert "common" in details[0]["message"] or "repeats" in details[0]["message"]


def test_the_email_is_refused_as_its_own_password(client: Any) -> None:
    response = client.post(
        "/api/accounts/register", json={"email": "samesame@example.com", "password": "samesame@example.com"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [{"field": "password", "message": "must not be the email address"}]


def test_uncommon_passphrases_are_accepted() -> None:
    assert password_problem("correct horse battery") is None
    assert password_problem("Tr0ub4dor&3 staple") is None
