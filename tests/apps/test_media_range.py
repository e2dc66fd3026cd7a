"""Local media serving (laptop mode): signed URLs and HTTP Range requests."""

from __future__ import annotations

import time
from typing import Any

import pytest

from apps.streaming.storage import SEED_MEDIA_DIR

VIDEO = (SEED_MEDIA_DIR / "forest.webm").read_bytes()


@pytest.fixture
def backend() -> str:
    return "embedded"  # local media is the laptop mode


@pytest.fixture
def media_url(client: Any, user_headers: dict[str, str]) -> str:
    url: str = client.get("/api/catalog/titles/forest-path/play", headers=user_headers).json()["url"]
    return url


def test_a_full_get_returns_the_whole_file_and_advertises_ranges(client: Any, media_url: str) -> None:
    # WHEN the signed URL is fetched without a Range
    response = client.get(media_url)
    # THEN 200 with the file, its type and length, and Accept-Ranges
    assert response.status_code == 200
    assert response.content == VIDEO
    assert response.headers["content-type"] == "video/webm"
    assert response.headers["content-length"] == str(len(VIDEO))
    assert response.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=100-199", 100, 199),
        ("bytes=0-0", 0, 0),
        ("bytes=-50", len(VIDEO) - 50, len(VIDEO) - 1),
        (f"bytes={len(VIDEO) - 10}-", len(VIDEO) - 10, len(VIDEO) - 1),
        (f"bytes=1000-{len(VIDEO) + 5000}", 1000, len(VIDEO) - 1),
    ],
    ids=["middle", "first-byte", "suffix", "open-ended", "past-the-end"],
)
def test_a_range_request_gets_206_with_exactly_those_bytes(
    client: Any, media_url: str, range_header: str, start: int, end: int
) -> None:
    # WHEN a byte range is requested
    response = client.get(media_url, headers={"Range": range_header})
    # THEN 206 with a correct Content-Range and exactly the bytes asked for
    assert response.status_code == 206
    assert response.headers["content-range"] == f"bytes {start}-{end}/{len(VIDEO)}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.content == VIDEO[start : end + 1]


def test_an_unsatisfiable_range_is_416_with_the_size(client: Any, media_url: str) -> None:
    # WHEN the range starts past the end of the file
    response = client.get(media_url, headers={"Range": f"bytes={len(VIDEO) + 10}-"})
    # THEN 416 with Content-Range bytes */size
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(VIDEO)}"


def test_head_reports_the_size_without_a_body(client: Any, media_url: str) -> None:
    # WHEN the player sends HEAD
    response = client.head(media_url)
    # THEN the length is reported and no body sent
    assert response.status_code == 200
    assert response.headers["content-length"] == str(len(VIDEO))
    assert response.content == b""


def test_media_urls_without_a_valid_signature_are_403(client: Any, media_url: str) -> None:
    # GIVEN the signed URL, a copy with a tampered signature, one for another file, and an unsigned one
    path, query = media_url.split("?")
    tampered = media_url[:-4] + ("0000" if not media_url.endswith("0000") else "1111")
    other_file = "/media/seed/ocean.webm?" + query
    # WHEN each is fetched
    statuses = [client.get(u).status_code for u in (tampered, other_file, path)]
    # THEN all are refused
    assert statuses == [403, 403, 403]


def test_an_expired_media_url_is_403(
    client: Any, make_client: Any, monkeypatch: pytest.MonkeyPatch, media_url: str
) -> None:
    # GIVEN a URL issued earlier, and a clock moved past its expiry
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 3600)
    # WHEN it is fetched
    response = client.get(media_url)
    # THEN 403
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "The media URL is invalid or has expired."


def test_a_signed_url_cannot_escape_the_media_directory(client: Any) -> None:
    # GIVEN a correctly signed URL for a traversal key
    ctx = client.app.state.ctx
    signed = ctx.media.signer.url("GET", "/media/../jwt-secret", 60)
    # WHEN it is fetched
    response = client.get(signed.url)
    # THEN nothing outside the media directory is served
    assert response.status_code in (403, 404)
    assert "jwt" not in response.text
    assert ctx.media.local_path("../jwt-secret") is None
    assert ctx.media.local_path("seed/../../config.py") is None
