"""Catalog API: home-page rows, search, title detail, admin writes, playback and upload URLs.

Reads of rows and title details are cached (Redis/Valkey or in-process) and invalidated on write;
when the cache is down they come from the database.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import ColumnElement, Connection, Integer, Select, String, bindparam, exists, func, insert, select
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from .db import title_genres, titles, watchlist
from .deps import AdminPrincipal, AppContext, Ctx, CurrentPrincipal
from .errors import ApiError, responses
from .storage import CONTENT_TYPES, UPLOAD_BOUND, valid_media_key

router = APIRouter(prefix="/api/catalog", tags=["catalog"])

ROWS_KEY = "catalog:rows"
ROW_SIZE = 12
MAX_GENRE_ROWS = 6
TITLE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,63}$"
GENRE_PATTERN = r"^[a-z][a-z0-9-]{0,39}$"

TitleId = Annotated[str, Path(pattern=TITLE_ID_PATTERN, description="Title id (a slug).")]


def title_key(title_id: str) -> str:
    return f"catalog:title:{title_id}"


# -- models ------------------------------------------------------------------------------------
class TitleOut(BaseModel):
    id: str
    title: str
    year: int
    genres: list[str]
    rating: float
    durationSeconds: int  # noqa: N815 - JSON field names are camelCase
    poster: str
    description: str


class TitleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=TITLE_ID_PATTERN, description="Slug; generated when omitted.")
    title: str = Field(min_length=1, max_length=200)
    year: int = Field(ge=1888, le=2100)
    genres: list[Annotated[str, Field(pattern=GENRE_PATTERN)]] = Field(min_length=1, max_length=5)
    rating: float = Field(ge=0, le=10)
    durationSeconds: int = Field(ge=1, le=86_400)  # noqa: N815
    poster: str = Field(min_length=1, max_length=500, description="A site path (/posters/x.svg) or an https URL.")
    mediaKey: str = Field(min_length=1, max_length=300, description="Key under the media prefix.")  # noqa: N815
    description: str = Field(default="", max_length=2000)

    @field_validator("title")
    @classmethod
    def _strip_title(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value

    @field_validator("poster")
    @classmethod
    def _poster_url(cls, value: str) -> str:
        if not (re.match(r"^/[A-Za-z0-9._~/-]+$", value) or re.match(r"^https://[^\s\"'<>]+$", value)):
            raise ValueError("must be a site path like /posters/x.svg or an https:// URL")
        return value

    @field_validator("mediaKey")
    @classmethod
    def _media_key(cls, value: str) -> str:
        if not valid_media_key(value):
            raise ValueError("must be a relative key of letters, digits, '.', '_', '-' and '/'")
        return value

    @field_validator("genres")
    @classmethod
    def _unique_genres(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class SearchOut(BaseModel):
    items: list[TitleOut]
    total: int
    limit: int
    offset: int


class RowOut(BaseModel):
    id: str
    title: str
    items: list[TitleOut]


class RowsOut(BaseModel):
    rows: list[RowOut]


class PlayOut(BaseModel):
    url: str
    expiresAt: str  # noqa: N815


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contentType: str = Field(description="video/webm or video/mp4")  # noqa: N815
    size: int = Field(ge=1, description="Bytes the client will upload.")


class UploadOut(BaseModel):
    mediaKey: str  # noqa: N815
    uploadUrl: str  # noqa: N815
    method: str
    headers: dict[str, str]
    expiresAt: str  # noqa: N815


# -- queries -----------------------------------------------------------------------------------
def _iso(epoch: int) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC).isoformat().replace("+00:00", "Z")


#: Every listed title's genres in one query (built once; the ids are an expanding bound list).
_GENRES_OF = (
    select(title_genres.c.title_id, title_genres.c.genre)
    .where(title_genres.c.title_id.in_(bindparam("ids", expanding=True)))
    .order_by(title_genres.c.title_id, title_genres.c.genre)
)


def _genres_for(conn: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        rows = conn.execute(_GENRES_OF, {"ids": list(ids)})
        for title_id, genre in rows:
            found[title_id].append(genre)
    return found


def _to_out(rows: Iterable[Any], conn: Connection) -> list[dict[str, Any]]:
    rows = list(rows)
    genres = _genres_for(conn, [r.id for r in rows])
    return [
        {
            "id": r.id,
            "title": r.title,
            "year": r.year,
            "genres": genres[r.id],
            "rating": r.rating,
            "durationSeconds": r.duration_seconds,
            "poster": r.poster,
            "description": r.description,
        }
        for r in rows
    ]


_TITLE_COLUMNS = (
    titles.c.id,
    titles.c.title,
    titles.c.year,
    titles.c.rating,
    titles.c.duration_seconds,
    titles.c.poster,
    titles.c.description,
)


def load_rows(conn: Connection) -> dict[str, Any]:
    adds = func.count(watchlist.c.user_id)
    trending = conn.execute(
        select(*_TITLE_COLUMNS)
        .select_from(titles.outerjoin(watchlist, watchlist.c.title_id == titles.c.id))
        .group_by(*_TITLE_COLUMNS)
        .order_by(adds.desc(), titles.c.year.desc(), titles.c.id)
        .limit(ROW_SIZE)
    )
    top = conn.execute(select(*_TITLE_COLUMNS).order_by(titles.c.rating.desc(), titles.c.id).limit(ROW_SIZE))
    result = [
        {"id": "trending", "title": "Trending now", "items": _to_out(trending, conn)},
        {"id": "top-rated", "title": "Top rated", "items": _to_out(top, conn)},
    ]
    count = func.count(title_genres.c.title_id)
    genres = (
        conn.execute(
            select(title_genres.c.genre)
            .group_by(title_genres.c.genre)
            .order_by(count.desc(), title_genres.c.genre)
            .limit(MAX_GENRE_ROWS)
        )
        .scalars()
        .all()
    )
    for genre in genres:
        members = conn.execute(
            select(*_TITLE_COLUMNS)
            .where(exists().where((title_genres.c.title_id == titles.c.id) & (title_genres.c.genre == genre)))
            .order_by(titles.c.rating.desc(), titles.c.id)
            .limit(ROW_SIZE)
        )
        result.append(
            {"id": f"genre:{genre}", "title": genre.replace("-", " ").title(), "items": _to_out(members, conn)}
        )
    return {"rows": result}


def load_title(conn: Connection, title_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(*_TITLE_COLUMNS).where(titles.c.id == title_id)).first()
    return _to_out([row], conn)[0] if row else None


def media_key_of(conn: Connection, title_id: str) -> str | None:
    return conn.execute(select(titles.c.media_key).where(titles.c.id == title_id)).scalar_one_or_none()


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


_SEARCH_STATEMENTS: dict[tuple[bool, bool], tuple[Select[Any], Select[Any]]] = {}


def _search_statements(by_title: bool, by_genre: bool) -> tuple[Select[Any], Select[Any]]:
    """The search's (page, total) statements for a combination of filters, built once, bound per call.

    The page is ordered by the ``ix_titles_rating_id`` index (rating descending, then id), so
    PostgreSQL reads just the page from the index instead of sorting the table. The total is its
    own ``count(*)``: a ``count(*) OVER ()`` on the page query would save a round trip but make
    PostgreSQL read and number every matching row before the LIMIT (36 ms instead of 0.1 ms at
    20,000 titles: ``benchmarks/title_list_plan.py``). Building the statements per request was
    most of the list's time on a small catalog.
    """
    key = (by_title, by_genre)
    statements = _SEARCH_STATEMENTS.get(key)
    if statements is None:
        conditions: list[ColumnElement[bool]] = []
        if by_title:
            conditions.append(titles.c.title_lower.like(bindparam("pattern", type_=String), escape="\\"))
        if by_genre:
            genre = bindparam("genre", type_=String)
            conditions.append(
                exists().where((title_genres.c.title_id == titles.c.id) & (title_genres.c.genre == genre))
            )
        page: Select[Any] = (
            select(*_TITLE_COLUMNS)
            .where(*conditions)
            .order_by(titles.c.rating.desc(), titles.c.id)
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
        )
        total: Select[Any] = select(func.count()).select_from(titles).where(*conditions)
        statements = _SEARCH_STATEMENTS[key] = (page, total)
    return statements


def search(conn: Connection, q: str, genre: str | None, limit: int, offset: int) -> dict[str, Any]:
    by_title, by_genre = bool(q), bool(genre)
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if by_title:
        params["pattern"] = f"%{_escape_like(q.lower())}%"
    if by_genre:
        params["genre"] = genre
    page, count = _search_statements(by_title, by_genre)
    total = conn.execute(count, params).scalar_one()
    rows = conn.execute(page, params).all()
    return {"items": _to_out(rows, conn), "total": total, "limit": limit, "offset": offset}


def insert_title(conn: Connection, data: dict[str, Any]) -> None:
    conn.execute(
        insert(titles).values(
            id=data["id"],
            title=data["title"],
            title_lower=data["title"].lower(),
            year=data["year"],
            rating=data["rating"],
            duration_seconds=data["durationSeconds"],
            poster=data["poster"],
            media_key=data["mediaKey"],
            description=data.get("description", ""),
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    conn.execute(insert(title_genres), [{"title_id": data["id"], "genre": g} for g in data["genres"]])


def _slug(title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50] or "title"
    return f"{base}-{secrets.token_hex(3)}"


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _json_bytes(content: bytes, cache_state: str) -> Response:
    return Response(content=content, media_type="application/json", headers={"X-Cache": cache_state})


# -- routes ------------------------------------------------------------------------------------
async def _cached_read(ctx: AppContext, key: str, load: Callable[[Connection], Any], missing: str) -> Response:
    """A cached read: the cached bytes, else ``load`` from the database (``None``: 404 ``missing``).

    The in-process cache is a dict lookup, answered on the event loop without a thread hop; a
    network cache (Redis) and the database are blocking I/O, so they run in the thread pool.
    """
    ttl = ctx.settings.cache_ttl_seconds
    if ttl:
        in_process = ctx.cache.kind == "memory"
        cached = ctx.cache.get(key) if in_process else await run_in_threadpool(ctx.cache.get, key)
        if cached is not None:
            return _json_bytes(cached, "hit")

    def from_database() -> bytes | None:
        with ctx.engine.connect() as conn:
            found = load(conn)
        if found is None:
            return None
        body = _dumps(found)
        if ttl:
            ctx.cache.set(key, body, ttl)
        return body

    body = await run_in_threadpool(from_database)
    if body is None:
        raise ApiError(404, missing)
    return _json_bytes(body, "miss")


@router.get("/rows", response_model=RowsOut, summary="Rows of titles for the home page", responses=responses(503))
async def get_rows(ctx: Ctx) -> Response:
    return await _cached_read(ctx, ROWS_KEY, load_rows, "No rows.")


@router.get("/titles", response_model=SearchOut, summary="Search titles (paginated)", responses=responses(422, 503))
def search_titles(
    ctx: Ctx,
    q: Annotated[str, Query(max_length=100, description="Case-insensitive substring of the title.")] = "",
    genre: Annotated[str | None, Query(pattern=GENRE_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> Response:
    with ctx.engine.connect() as conn:
        result = search(conn, q.strip(), genre, limit, offset)
    # Serialised here, as the cached reads are: FastAPI would validate the dict against SearchOut
    # (the documented schema, which `search` builds field for field) and encode it again, which
    # cost more than the query itself.
    return Response(content=_dumps(result), media_type="application/json")


@router.get("/titles/{title_id}", response_model=TitleOut, summary="One title", responses=responses(404, 422, 503))
async def get_title(ctx: Ctx, title_id: TitleId) -> Response:
    return await _cached_read(
        ctx, title_key(title_id), lambda conn: load_title(conn, title_id), f"Title {title_id!r} not found."
    )


@router.post(
    "/titles",
    status_code=201,
    response_model=TitleOut,
    summary="Register a title (admin)",
    responses=responses(400, 401, 403, 409, 413, 422, 503),
)
def create_title(ctx: Ctx, _admin: AdminPrincipal, payload: TitleIn) -> JSONResponse:
    data = payload.model_dump()
    data["id"] = data["id"] or _slug(data["title"])
    if not ctx.media.exists(data["mediaKey"]):
        raise ApiError(
            422,
            f"Media {data['mediaKey']!r} has not been uploaded.",
            details=[{"field": "mediaKey", "message": "no such media object"}],
        )
    try:
        with ctx.engine.begin() as conn:
            insert_title(conn, data)
            created = load_title(conn, data["id"])
    except IntegrityError:
        raise ApiError(409, f"Title {data['id']!r} already exists.") from None
    invalidate(ctx, data["id"])
    return JSONResponse(created, status_code=201, headers={"Location": f"/api/catalog/titles/{quote(data['id'])}"})


def invalidate(ctx: AppContext, title_id: str) -> None:
    ctx.cache.delete(ROWS_KEY, title_key(title_id))


@router.get(
    "/titles/{title_id}/play",
    response_model=PlayOut,
    summary="A short-lived URL to the title's media",
    responses=responses(401, 404, 422, 503),
)
def play(ctx: Ctx, _user: CurrentPrincipal, title_id: TitleId) -> dict[str, str]:
    with ctx.engine.connect() as conn:
        key = media_key_of(conn, title_id)
    if key is None:
        raise ApiError(404, f"Title {title_id!r} not found.")
    signed = ctx.media.play_url(key)
    return {"url": signed.url, "expiresAt": _iso(signed.expires_at)}


@router.post(
    "/uploads",
    status_code=201,
    response_model=UploadOut,
    summary="Where to upload a video (admin)",
    responses=responses(400, 401, 403, 413, 415, 422, 503),
)
def create_upload(ctx: Ctx, _admin: AdminPrincipal, payload: UploadIn) -> dict[str, Any]:
    extension = CONTENT_TYPES.get(payload.contentType)
    if extension is None:
        raise ApiError(415, f"contentType must be one of {', '.join(CONTENT_TYPES)}.")
    if payload.size > ctx.settings.max_upload_bytes:
        raise ApiError(413, f"Uploads are limited to {ctx.settings.max_upload_bytes} bytes.")
    key = f"uploads/{secrets.token_hex(12)}.{extension}"
    signed, headers = ctx.media.upload_url(key, payload.contentType, payload.size)
    return {
        "mediaKey": key,
        "uploadUrl": signed.url,
        "method": "PUT",
        "headers": headers,
        "expiresAt": _iso(signed.expires_at),
    }


@router.put("/uploads/{key:path}", status_code=201, include_in_schema=False)
async def receive_upload(ctx: Ctx, request: Request, key: str) -> JSONResponse:
    """Laptop mode: the target of a signed local upload URL (S3 takes uploads in the cloud).

    The URL is good for one upload of exactly the signed size and content type."""
    if ctx.media.bucket:
        raise ApiError(404, "Uploads go to S3 in this deployment.")
    path = f"/api/catalog/uploads/{quote(key)}"
    query = request.query_params
    bound = {name: query.get(name, "") for name in UPLOAD_BOUND}
    signature = query.get("signature")
    if not ctx.media.signer.verify("PUT", path, query.get("expires"), signature, bound=bound):
        raise ApiError(403, "The upload URL is invalid or has expired.")
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type != bound["type"]:
        raise ApiError(415, f"Content-Type must be {bound['type']}, as signed into the upload URL.")
    expected = int(bound["size"])
    declared = request.headers.get("content-length")
    if declared != str(expected):
        raise ApiError(400, f"Content-Length must be {expected}, as signed into the upload URL.")
    target = ctx.media.upload_path(key)
    # One use: the first request to present this signature claims it (shared through Redis).
    if target.exists() or ctx.cache.hit(f"upload-used:{signature}", ctx.settings.play_url_ttl_seconds) > 1:
        raise ApiError(409, "This upload URL has already been used; ask for a new one.")
    target.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False, prefix=".upload-") as handle:
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > expected:
                    raise ApiError(413, f"The upload exceeds the signed size of {expected} bytes.")
                handle.write(chunk)
            if size != expected:
                raise ApiError(400, f"The upload has {size} bytes; the URL was signed for {expected}.")
        except BaseException:
            handle.close()
            os.unlink(handle.name)
            raise
    os.replace(handle.name, target)
    return JSONResponse({"mediaKey": key, "size": size}, status_code=201)
