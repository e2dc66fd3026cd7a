"""Health, readiness, error format, limits, headers, CORS, OpenAPI and resilience."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

from apps.streaming import catalog
from tests.apps.conftest import Postgres, free_port


def test_healthz_answers_200_while_the_process_is_alive(client: Any) -> None:
    # WHEN the load balancer probes /healthz
    response = client.get("/healthz")
    # THEN 200 ok
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_and_cache_reachable(client: Any) -> None:
    # WHEN readiness is checked with everything up
    response = client.get("/readyz")
    # THEN 200 with both checks ok
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_with_the_cache_down_readyz_is_503_and_catalog_reads_still_work(make_client: Any) -> None:
    # GIVEN an app whose Redis is unreachable
    client = make_client(REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    # WHEN readiness and the catalog are read
    ready = client.get("/readyz")
    rows = client.get("/api/catalog/rows")
    title = client.get("/api/catalog/titles/aurora")
    # THEN readiness is 503 naming the cache, while the catalog is served from the database
    assert ready.status_code == 503
    assert ready.json()["checks"] == {"database": "ok", "cache": "unavailable"}
    assert "cache unreachable" in ready.json()["error"]["message"]
    assert rows.status_code == 200 and rows.headers["x-cache"] == "miss"
    assert len(rows.json()["rows"]) >= 3
    assert title.status_code == 200


@pytest.mark.parametrize("backend", ["cloud"], indirect=True)
def test_with_the_database_gone_readyz_is_503_and_reads_are_503_json(
    make_client: Any, postgres_server: Postgres, base_env: dict[str, str]
) -> None:
    # GIVEN a running app whose database then disappears
    client = make_client()
    assert client.get("/readyz").status_code == 200
    database = base_env["DATABASE_URL"].rsplit("/", 1)[1]
    with psycopg.connect(
        f"host=127.0.0.1 port={postgres_server.port} user=streaming dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
    # WHEN readiness and an uncached read are requested
    ready = client.get("/readyz")
    search = client.get("/api/catalog/titles", params={"q": "a"})
    # THEN readiness is 503 naming the database, and the read is a 503 JSON error
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unavailable"
    assert search.status_code == 503
    assert search.json()["error"]["code"] == "unavailable"
    # AND once the database is back, so is the app
    with psycopg.connect(
        f"host=127.0.0.1 port={postgres_server.port} user=streaming dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/catalog/titles", params={"q": "a"}).status_code == 200


def test_unknown_paths_and_methods_get_json_404_and_405(client: Any) -> None:
    # WHEN requesting a missing API path and a wrong method
    missing = client.get("/api/catalog/nothing-here")
    wrong_method = client.delete("/api/catalog/rows")
    # THEN JSON errors with the right codes
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": "Not found."}}
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"]["code"] == "method_not_allowed"


def test_a_malformed_json_body_is_a_400(client: Any) -> None:
    # WHEN the body is not JSON
    response = client.post("/api/accounts/login", content=b'{"email": ', headers={"Content-Type": "application/json"})
    # THEN 400 bad_request
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_bodies_over_the_limit_are_refused_with_413(client: Any) -> None:
    # GIVEN the default 64 KiB body limit
    big = b'{"email": "' + b"a" * 70_000 + b'"}'
    # WHEN a large body is sent with a Content-Length, and again chunked (no length)
    declared = client.post("/api/accounts/register", content=big, headers={"Content-Type": "application/json"})
    chunked = client.post(
        "/api/accounts/register",
        content=iter([big[:40_000], big[40_000:]]),
        headers={"Content-Type": "application/json"},
    )
    # THEN both are 413
    assert declared.status_code == 413
    assert chunked.status_code == 413
    assert chunked.json()["error"]["code"] == "payload_too_large"


def test_an_unexpected_error_is_a_500_without_a_stack_trace(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a bug deep in the catalog
    def broken(*_: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(catalog, "search", broken)
    # WHEN the buggy path is hit
    response = client.get("/api/catalog/titles")
    # THEN the client sees a plain 500 and nothing of the error
    assert response.status_code == 500
    assert response.json() == {"error": {"code": "internal", "message": "Internal server error."}}
    assert "secret" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"]


def test_every_response_carries_security_headers_and_a_request_id(client: Any) -> None:
    # WHEN calling the API and the page
    api = client.get("/api/catalog/rows", headers={"X-Request-ID": "trace-123"})
    page = client.get("/")
    # THEN both carry the security headers; the API echoes the caller's request id and is not cacheable
    for response in (api, page):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert "max-age=" in response.headers["strict-transport-security"]
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert api.headers["x-request-id"] == "trace-123"
    assert api.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert len(page.headers["x-request-id"]) == 32


def test_a_request_id_that_is_not_sane_is_replaced(client: Any) -> None:
    # WHEN the caller sends a request id with a header-injection attempt
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    # THEN the app uses its own
    assert response.headers["x-request-id"] != "bad id\twith spaces"
    assert len(response.headers["x-request-id"]) == 32


def test_cors_allows_only_the_configured_origins(make_client: Any) -> None:
    # GIVEN one allowed origin
    client = make_client(ALLOWED_ORIGINS="https://watch.example.com")
    # WHEN preflights come from it and from elsewhere
    allowed = client.options(
        "/api/accounts/login", headers={"Origin": "https://watch.example.com", "Access-Control-Request-Method": "POST"}
    )
    denied = client.options(
        "/api/accounts/login", headers={"Origin": "https://evil.example.net", "Access-Control-Request-Method": "POST"}
    )
    simple = client.get("/api/catalog/rows", headers={"Origin": "https://evil.example.net"})
    # THEN only the allowed origin is granted
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://watch.example.com"
    assert denied.status_code == 400
    assert "access-control-allow-origin" not in denied.headers
    assert "access-control-allow-origin" not in simple.headers


def test_without_configured_origins_no_cors_headers_are_sent(client: Any) -> None:
    # WHEN a cross-origin request arrives and no origins are configured
    response = client.get("/api/catalog/rows", headers={"Origin": "https://watch.example.com"})
    # THEN no CORS grant
    assert "access-control-allow-origin" not in response.headers


def test_an_openapi_document_describes_the_api_at_the_root_and_under_each_service_prefix(client: Any) -> None:
    # WHEN fetching the OpenAPI documents
    root = client.get("/openapi.json")
    under_catalog = client.get("/api/catalog/openapi.json")
    under_accounts = client.get("/api/accounts/openapi.json")
    # THEN they list the API's paths
    assert root.status_code == under_catalog.status_code == under_accounts.status_code == 200
    paths = root.json()["paths"]
    for path in (
        "/api/catalog/rows",
        "/api/catalog/titles",
        "/api/catalog/titles/{title_id}/play",
        "/api/catalog/uploads",
        "/api/accounts/register",
        "/api/accounts/login",
        "/api/accounts/me",
        "/api/accounts/watchlist/{title_id}",
        "/healthz",
        "/readyz",
    ):
        assert path in paths
    assert under_catalog.json() == root.json()
