"""The application factory: one ASGI app serving catalog, accounts, or both, chosen by configuration."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.middleware.cors import CORSMiddleware

from . import errors
from .cache import make_cache
from .config import WEB_DIR, Settings, load_settings
from .db import engine_for, migrate, ping, retry
from .deps import AppContext
from .errors import ApiError
from .metrics import Metrics, MetricsMiddleware
from .middleware import BodyLimitMiddleware, HeaderLimitMiddleware, RequestContextMiddleware
from .security import configure_hashing
from .seed import load_seed
from .storage import Media

log = logging.getLogger("streaming.app")

VERSION = "1.0.0"


class ReadyOut(BaseModel):
    status: str
    checks: dict[str, str]
    error: errors.ErrorBody | None = None


class MediaFileResponse(FileResponse):
    chunk_size = 256 * 1024


def build_context(settings: Settings) -> AppContext:
    return AppContext(
        settings=settings,
        engine=engine_for(settings),
        cache=make_cache(settings.redis_url),
        media=Media(settings),
    )


def start(ctx: AppContext, *, attempts: int = 8) -> None:
    """Wait for the database (with backoff), migrate, seed, and publish seed media."""
    retry(lambda: ping(ctx.engine), what="database connection", attempts=attempts)
    migrate(ctx.engine)
    if ctx.settings.seed:
        load_seed(ctx.engine)
        if ctx.settings.serves_catalog:
            retry(ctx.media.publish_seed_media, what="seed media upload", attempts=attempts, retry_on=(Exception,))


#: The collector's thresholds once the app is ready. The default first generation (700 allocations)
#: makes a request-heavy process run young collections every few requests, and each full collection
#: used to walk the ~135,000 start-up objects (modules, routes, pydantic schemas): ~70 ms pauses,
#: the p99 of the whole app. Requests allocate mostly acyclic, short-lived objects (freed by
#: reference counting), so collecting less often frees the same memory.
GC_THRESHOLDS = (50_000, 20, 100)


def freeze_startup_heap() -> None:
    """Move everything alive after start-up into the permanent generation and tune the collector.

    Start-up objects live as long as the process: ``gc.freeze()`` takes them out of every future
    collection, so a full collection walks only what requests left behind (issue 18).
    """
    gc.collect()  # start-up's own garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def create_app(settings: Settings | None = None, *, startup_attempts: int = 8, freeze_heap: bool = False) -> FastAPI:
    """The app. ``freeze_heap`` (what ``python -m apps.streaming`` passes) freezes the heap once it
    has started (`freeze_startup_heap`); in-process clients (tests) leave their process's collector alone."""
    settings = settings or load_settings()
    ctx = build_context(settings)
    configure_hashing(settings.password_hash_concurrency, settings.password_hash_wait_ms / 1000)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(start, ctx, attempts=startup_attempts)
        if freeze_heap:
            freeze_startup_heap()
        log.info(
            "started",
            extra={
                "service": settings.service.value,
                "database": settings.database_url.get_backend_name(),
                "cache": ctx.cache.kind,
                "media": ctx.media.mode,
            },
        )
        yield
        ctx.cache.close()
        ctx.engine.dispose()

    app = FastAPI(
        title="Streaming app",
        version=VERSION,
        summary=f"Service: {settings.service.value}",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.ctx = ctx
    errors.install(app)

    @app.get("/healthz", tags=["health"], summary="The process is alive")
    async def healthz() -> dict[str, str]:  # async: no thread-pool hop to return a constant
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        summary="The database and cache are reachable",
        response_model=ReadyOut,
        responses={503: {"model": ReadyOut, "description": "The database or the cache is unreachable."}},
    )
    def readyz() -> JSONResponse:
        checks: dict[str, str] = {}
        reasons: list[str] = []
        try:
            ping(ctx.engine)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = "unavailable"
            reasons.append(f"database unreachable ({type(exc).__name__})")
        try:
            ctx.cache.ping()
            checks["cache"] = "ok"
        except Exception as exc:
            checks["cache"] = "unavailable"
            reasons.append(f"cache unreachable ({type(exc).__name__})")
        if reasons:
            body: dict[str, Any] = {
                "status": "unavailable",
                "checks": checks,
                "error": {"code": "unavailable", "message": "; ".join(reasons)},
            }
            return JSONResponse(body, status_code=503)
        return JSONResponse({"status": "ok", "checks": checks})

    if settings.serves_catalog:
        from .catalog import router as catalog_router

        app.include_router(catalog_router)
    if settings.serves_accounts:
        from .accounts import router as accounts_router

        app.include_router(accounts_router)

    # The ALB routes only /api/<service>/*, so each service also serves its OpenAPI document there.
    for prefix, served in (("catalog", settings.serves_catalog), ("accounts", settings.serves_accounts)):
        if served:
            app.add_api_route(
                f"/api/{prefix}/openapi.json",
                lambda: JSONResponse(app.openapi()),
                methods=["GET"],
                include_in_schema=False,
            )

    if settings.serves_catalog:

        def media(request: Request, key: str) -> Response:
            """Local media with HTTP Range support (laptop mode); the URL must carry a valid signature."""
            if not ctx.media.signer.verify(
                "GET",
                f"/media/{quote(key)}",
                request.query_params.get("expires"),
                request.query_params.get("signature"),
            ):
                raise ApiError(403, "The media URL is invalid or has expired.")
            path = ctx.media.local_path(key)
            if path is None:
                raise ApiError(404, "Media not found.")
            media_type = "video/webm" if path.suffix == ".webm" else "video/mp4" if path.suffix == ".mp4" else None
            return MediaFileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=300"})

        app.add_api_route(
            "/media/{key:path}",
            media,
            methods=["GET"],
            tags=["media"],
            summary="Local media (Range supported)",
            response_class=MediaFileResponse,
            responses={
                200: {"description": "The file.", "content": {"video/webm": {}, "video/mp4": {}}},
                206: {"description": "The requested range.", "content": {"video/webm": {}, "video/mp4": {}}},
                **errors.responses(400, 403, 404, 416),
            },
        )
        app.add_api_route("/media/{key:path}", media, methods=["HEAD"], include_in_schema=False)

    if settings.serves_page:
        app.mount("/", StaticFiles(directory=WEB_DIR, html=True), name="web")

    app.add_middleware(
        BodyLimitMiddleware,
        default_limit=settings.max_body_bytes,
        upload_limit=settings.max_upload_bytes,
        upload_prefix="/api/catalog/uploads/",
    )
    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(settings.allowed_origins),
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(HeaderLimitMiddleware)
    metrics = Metrics(ctx.engine)
    app.state.metrics = metrics
    app.add_middleware(MetricsMiddleware, metrics=metrics)  # inside the request context: /metrics gets its headers
    app.add_middleware(RequestContextMiddleware)
    return app
