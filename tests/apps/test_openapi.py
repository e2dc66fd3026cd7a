"""The OpenAPI document is the truth: bearer auth, the ``{"error": …}`` model, and every status that the
app really sends is documented for its route (checked against the app's real responses)."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from apps.streaming.storage import UrlSigner
from tests.apps.conftest import JWT_SECRET, PASSWORD, register_and_login

pytestmark = pytest.mark.parametrize("backend", ["embedded"], indirect=True)

TITLE = {
    "id": "documented",
    "title": "Documented",
    "year": 2024,
    "rating": 7.0,
    "durationSeconds": 60,
    "genres": ["drama"],
    "poster": "/posters/ocean.svg",
    "mediaKey": "seed/ocean.webm",
}


def _operation(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    for exact in (True, False):
        for template, item in doc["paths"].items():
            pattern = re.sub(r"\{[^}]+\}", "[^/]+" if exact else ".+", template)
            if re.fullmatch(pattern, path) and method.lower() in item:
                operation: dict[str, Any] = item[method.lower()]
                return operation
    raise AssertionError(f"{method} {path} is not in the OpenAPI document")


def _check(doc: dict[str, Any], response: Any) -> None:
    """The response's status is documented for its operation, and its JSON body matches the schema."""
    request = response.request
    operation = _operation(doc, request.method, request.url.path)
    status = str(response.status_code)
    assert status in operation["responses"], (
        f"{request.method} {request.url.path} sent {status}, documented: {sorted(operation['responses'])}"
    )
    schema = operation["responses"][status].get("content", {}).get("application/json", {}).get("schema")
    if response.headers.get("content-type", "").startswith("application/json"):
        assert schema is not None, f"{request.method} {request.url.path} {status} has an undocumented JSON body"
        validator = jsonschema.Draft202012Validator({**schema, "components": doc["components"]})
        validator.validate(response.json())


def test_the_document_declares_bearer_auth_and_the_error_model_and_no_422_shape_it_never_sends(client: Any) -> None:
    doc = client.get("/openapi.json").json()
    text = json.dumps(doc)
    # THEN bearer auth is a security scheme, required exactly by the routes that need a token
    assert doc["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token from login.",
    }
    secured = {
        (method.upper(), path)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if operation.get("security") == [{"bearerAuth": []}]
    }
    assert secured == {
        ("POST", "/api/catalog/titles"),
        ("GET", "/api/catalog/titles/{title_id}/play"),
        ("POST", "/api/catalog/uploads"),
        ("GET", "/api/accounts/me"),
        ("DELETE", "/api/accounts/me"),
        ("POST", "/api/accounts/me/password"),
        ("GET", "/api/accounts/watchlist"),
        ("PUT", "/api/accounts/watchlist/{title_id}"),
        ("DELETE", "/api/accounts/watchlist/{title_id}"),
    }
    # AND errors are the app's model; FastAPI's HTTPValidationError (never sent) is gone
    assert "HTTPValidationError" not in text and "ValidationError" not in doc["components"]["schemas"]
    assert doc["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    assert "422" not in _operation(doc, "GET", "/media/seed/ocean.webm")["responses"]
    assert "422" not in _operation(doc, "GET", "/api/catalog/rows")["responses"]
    # (a JSON route answers a non-JSON body with 422, not 415: only the upload slot sends 415)
    assert "415" not in _operation(doc, "POST", "/api/accounts/register")["responses"]
    assert "415" in _operation(doc, "POST", "/api/catalog/uploads")["responses"]
    # AND the per-service copy is the same document
    assert client.get("/api/accounts/openapi.json").json() == doc


def test_every_response_of_a_tour_of_the_api_is_documented_with_its_body(
    client: Any, make_client: Any, admin_headers: dict[str, str]
) -> None:
    doc = client.get("/openapi.json").json()
    viewer = register_and_login(client, "tour@example.com")
    signed = UrlSigner(JWT_SECRET).url("GET", "/media/seed/ocean.webm", 300).url
    responses = [
        client.get("/healthz"),
        client.get("/readyz"),
        client.get("/api/catalog/rows"),
        client.get("/api/catalog/titles", params={"q": "a", "limit": 2}),
        client.get("/api/catalog/titles", params={"limit": 0}),
        client.get("/api/catalog/titles/aurora"),
        client.get("/api/catalog/titles/nope"),
        client.get("/api/catalog/titles/NOT%20AN%20ID"),
        client.get("/api/catalog/titles/aurora/play"),
        client.get("/api/catalog/titles/aurora/play", headers=viewer),
        client.get("/api/catalog/titles/nope/play", headers=viewer),
        client.post("/api/catalog/titles", json=TITLE, headers=viewer),
        client.post("/api/catalog/titles", json={**TITLE, "year": "soon"}, headers=admin_headers),
        client.post(
            "/api/catalog/titles", content=b"{not json", headers={**admin_headers, "Content-Type": "application/json"}
        ),
        client.post("/api/catalog/titles", json={**TITLE, "description": "x" * 70_000}, headers=admin_headers),
        client.post("/api/catalog/titles", json=TITLE, headers=admin_headers),
        client.post("/api/catalog/titles", json=TITLE, headers=admin_headers),
        client.post("/api/catalog/uploads", json={"contentType": "image/png", "size": 1}, headers=admin_headers),
        client.post("/api/catalog/uploads", json={"contentType": "video/webm", "size": 9}, headers=admin_headers),
        client.post("/api/catalog/uploads", json={"contentType": "video/webm", "size": 9}, headers=viewer),
        client.post("/api/accounts/register", json={"email": "tour2@example.com", "password": PASSWORD}),
        client.post("/api/accounts/register", json={"email": "tour2@example.com", "password": PASSWORD}),
        client.post("/api/accounts/register", json={"email": "tour3@example.com", "password": "password1"}),
        client.post("/api/accounts/register", content=b"email=x", headers={"Content-Type": "text/plain"}),
        client.post("/api/accounts/login", json={"email": "tour@example.com", "password": "wrong password"}),
        client.post("/api/accounts/login", json={"email": "tour@example.com", "password": PASSWORD}),
        client.get("/api/accounts/me", headers=viewer),
        client.get("/api/accounts/me", headers={"Authorization": "Bearer forged"}),
        client.put("/api/accounts/watchlist/aurora", headers=viewer),
        client.put("/api/accounts/watchlist/nope", headers=viewer),
        client.put("/api/accounts/watchlist/NOT%20AN%20ID", headers=viewer),
        client.get("/api/accounts/watchlist", headers=viewer),
        client.delete("/api/accounts/watchlist/aurora", headers=viewer),
        client.get("/api/catalog/rows", headers={"X-Padding": "p" * 17_000}),
        client.get("/media/seed/ocean.webm"),
        client.get(signed),
        client.get(signed, headers={"Range": "bytes=0-99"}),
        client.get(signed, headers={"Range": "bytes=1-0"}),
        client.get(signed, headers={"Range": "bytes=99999999-"}),
        client.get(UrlSigner(JWT_SECRET).url("GET", "/media/seed/missing.webm", 300).url),
        client.request("DELETE", "/api/accounts/me", json={"password": "wrong password"}, headers=viewer),
        client.post(
            "/api/accounts/me/password",
            json={"currentPassword": PASSWORD, "newPassword": "a better passphrase"},
            headers=viewer,
        ),
        client.get("/api/accounts/me", headers=viewer),
    ]
    limited = make_client(AUTH_RATE_LIMIT="1")
    body = {"email": "tour@example.com", "password": "wrong password"}
    responses += [limited.post("/api/accounts/login", json=body) for _ in range(2)]
    # THEN each status the app sent is documented for its route, with a body matching the schema
    for response in responses:
        _check(doc, response)
    sent = {r.status_code for r in responses}
    expected = {200, 201, 204, 206, 400, 401, 403, 404, 409, 413, 415, 416, 422, 429, 431}
    assert expected <= sent, sorted(expected - sent)
