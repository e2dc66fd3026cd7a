"""Pure ASGI middleware: request ids + access logs + security headers, and request-size limits
(headers and bodies)."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import BodyTooLarge, error_response
from .logs import access_log as fast_access_log
from .logs import request_id_var

access_log = logging.getLogger("streaming.access")

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = (
    "default-src 'self'; img-src 'self' data: https:; media-src 'self' https: blob:; "
    "connect-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=63072000; includeSubDomains"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class RequestContextMiddleware:
    """Gives each request an id (``X-Request-ID``, kept if the caller sent a sane one), logs one
    JSON line per request, and adds security headers to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = incoming if incoming and _REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        path: str = scope["path"]
        is_api = path.startswith("/api/") or path in ("/healthz", "/readyz", "/openapi.json")
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [(b"x-request-id", request_id.encode())]
                extra += [(k, v) for k, v in _COMMON_HEADERS if k not in names]
                if b"content-security-policy" not in names:
                    extra.append((b"content-security-policy", (API_CSP if is_api else PAGE_CSP).encode()))
                if is_api and b"cache-control" not in names:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers + extra}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            # The last line of defence: log the trace, give the client a bare 500 (with our headers).
            access_log.exception("unhandled error")
            if not response_started:
                response = error_response(500, "internal", "Internal server error.")
                await response(scope, receive, send_wrapper)
        finally:
            if path not in ("/healthz",):
                _log_access(scope, request_id, path, status, started)
            request_id_var.reset(token)


def _log_access(scope: Scope, request_id: str, path: str, status: int, started: float) -> None:
    """The request's access-log line (pre-built JSON, see `logs.AccessLog`)."""
    client = scope.get("client")
    duration_ms = round((time.perf_counter() - started) * 1000, 2)
    fast_access_log.write(request_id, scope["method"], path, status, duration_ms, client[0] if client else "")


class BodyLimitMiddleware:
    """Rejects bodies larger than the limit with 413: early from Content-Length, else while reading."""

    def __init__(self, app: ASGIApp, *, default_limit: int, upload_limit: int, upload_prefix: str) -> None:
        self.app = app
        self.default_limit = default_limit
        self.upload_limit = upload_limit
        self.upload_prefix = upload_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        is_upload = scope["method"] == "PUT" and scope["path"].startswith(self.upload_prefix)
        limit = self.upload_limit if is_upload else self.default_limit
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.isdigit():
                response = error_response(400, "bad_request", "Content-Length is not valid.")
                await response(scope, receive, send)
                return
            if int(declared) > limit:
                response = error_response(413, "payload_too_large", f"Request body exceeds {limit} bytes.")
                await response(scope, receive, send)
                return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited_receive, send)


MAX_HEADER_BYTES = 16 * 1024
"""Request headers, names and values together; more is a 431 (ALB and CloudFront allow about that much too)."""


class HeaderLimitMiddleware:
    """Refuses requests whose headers exceed ``limit`` bytes in total with 431, before any route runs."""

    def __init__(self, app: ASGIApp, *, limit: int = MAX_HEADER_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            total = sum(len(name) + len(value) for name, value in scope.get("headers") or [])
            if total > self.limit:
                response = error_response(
                    431,
                    "request_header_fields_too_large",
                    f"Request headers total {total} bytes; the limit is {self.limit}.",
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    headers: Any = scope.get("headers") or []
    for key, value in headers:
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None
