"""JSON errors: ``{"error": {"code": …, "message": …}}`` with the right status, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("streaming.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "validation_error",
    429: "too_many_requests",
    431: "request_header_fields_too_large",
    500: "internal",
    503: "unavailable",
}


_DESCRIPTIONS = {
    400: "The request is malformed (body not JSON, bad Content-Length).",
    401: "No bearer token, or it is invalid, expired or revoked.",
    403: "Authenticated but not allowed (not an admin, wrong password, bad signature).",
    404: "No such resource.",
    409: "It already exists.",
    413: "The request body is too large.",
    415: "The content type is not accepted.",
    416: "The requested range is not satisfiable.",
    422: "A field is invalid; ``details`` names each one.",
    429: "Too many attempts; retry after ``Retry-After`` seconds.",
    431: "The request headers exceed 16 KiB in total.",
    500: "Unexpected error (logged with the request id).",
    503: "Temporarily unavailable (database down, or every password-hashing slot busy); retry after ``Retry-After``.",
}


class ErrorDetail(BaseModel):
    field: str
    message: str


class ErrorBody(BaseModel):
    code: str = Field(description="Machine-readable: not_found, unauthorized, validation_error, busy, …")
    message: str
    details: list[ErrorDetail] | None = Field(default=None, description="Per field, on 422 only.")


class ErrorOut(BaseModel):
    """Every error the app sends has this body."""

    error: ErrorBody


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route really sends, all with the ``ErrorOut`` body."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}


_EVERY_ROUTE = (431, 500)
"""Sent by the middleware or the last-resort handler, whatever the route."""


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document made true: no ``HTTPValidationError`` (the app never sends that shape; a route
    that can answer 422 declares it, with an ``ErrorOut``), and the statuses every route can get from
    the middleware."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, summary=app.summary, routes=app.routes)
    error_ref = {"$ref": "#/components/schemas/ErrorOut"}
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    for name, model in (("ErrorDetail", ErrorDetail), ("ErrorBody", ErrorBody), ("ErrorOut", ErrorOut)):
        if name not in components:
            components[name] = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components[name].pop("$defs", None)
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            found = operation.setdefault("responses", {})
            for status, response in list(found.items()):
                content = response.get("content", {}).get("application/json", {})
                if content.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
                    # Added by FastAPI to any route with parameters; routes that can fail validation
                    # declare their 422 (an ErrorOut) with `responses(422)`.
                    del found[status]
            for code in _EVERY_ROUTE:
                found.setdefault(
                    str(code),
                    {"description": _DESCRIPTIONS[code], "content": {"application/json": {"schema": error_ref}}},
                )
    app.openapi_schema = schema
    return schema


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        details: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.headers = headers
        self.details = details


class BodyTooLarge(StarletteHTTPException):
    """Raised while reading a body past the limit (an HTTPException so body parsers re-raise it)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"Request body exceeds {limit} bytes.")


def error_response(
    status: int, code: str, message: str, *, headers: dict[str, str] | None = None, details: Any = None
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message, headers=exc.headers, details=exc.details)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
    if exc.status_code == 404:
        message = "Not found."
    return error_response(
        exc.status_code,
        _CODES.get(exc.status_code, "error"),
        message,
        headers=dict(exc.headers) if exc.headers else None,
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(400, "bad_request", "Request body is not valid JSON.")
    details = [
        {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": str(e.get("msg", ""))}
        for e in errors
    ]
    return error_response(422, "validation_error", "Request is not valid.", details=details)


async def _database_unavailable(_: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable", extra={"error": type(exc).__name__})
    return error_response(503, "unavailable", "The service is temporarily unavailable.", headers={"Retry-After": "5"})


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "internal", "Internal server error.")


def install(app: FastAPI) -> None:
    app.openapi = lambda: openapi_document(app)  # type: ignore[method-assign]
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
    app.add_exception_handler(DBAPIError, _unexpected)
