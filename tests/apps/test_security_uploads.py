"""Signed upload URLs bind the size and content type, and are good for one upload."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

VIDEO = b"\x1a\x45\xdf\xa3" + b"v" * 2044


def _slot(client: Any, headers: dict[str, str], size: int = len(VIDEO)) -> dict[str, Any]:
    response = client.post("/api/catalog/uploads", json={"contentType": "video/webm", "size": size}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("backend", ["embedded"], indirect=True)
def test_a_local_upload_url_takes_exactly_the_signed_type_and_size_once(
    client: Any, admin_headers: dict[str, str]
) -> None:
    # GIVEN an upload slot for 2048 bytes of video/webm
    slot = _slot(client, admin_headers)
    url = slot["uploadUrl"]
    # WHEN the client sends another type, fewer or more bytes, or edits the signed size
    wrong_type = client.put(url, content=VIDEO, headers={"Content-Type": "video/mp4"})
    short = client.put(url, content=VIDEO[:-1], headers=slot["headers"])
    long = client.put(url, content=VIDEO + b"x", headers=slot["headers"])
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | {"size": str(len(VIDEO) + 1)}
    edited = client.put(f"{parts.path}?{urlencode(query)}", content=VIDEO + b"x", headers=slot["headers"])
    # THEN each is refused, and nothing was stored
    assert wrong_type.status_code == 415 and "video/webm" in wrong_type.json()["error"]["message"]
    assert short.status_code == 400 and long.status_code == 400
    assert "Content-Length must be 2048" in long.json()["error"]["message"]
    assert edited.status_code == 403
    assert client.app.state.ctx.media.local_path(slot["mediaKey"]) is None
    # WHEN the right bytes are sent, then sent again with the same URL
    first = client.put(url, content=VIDEO, headers=slot["headers"])
    again = client.put(url, content=VIDEO, headers=slot["headers"])
    # THEN the first is stored and the reuse is refused
    assert first.status_code == 201 and first.json() == {"mediaKey": slot["mediaKey"], "size": len(VIDEO)}
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "This upload URL has already been used; ask for a new one."
    assert client.app.state.ctx.media.local_path(slot["mediaKey"]).read_bytes() == VIDEO


@pytest.mark.parametrize("backend", ["cloud"], indirect=True)
def test_an_s3_upload_url_signs_type_size_and_if_none_match_so_it_is_single_use(
    client: Any, admin_headers: dict[str, str]
) -> None:
    # GIVEN an S3 upload slot
    slot = _slot(client, admin_headers)
    signed = parse_qs(urlsplit(slot["uploadUrl"]).query)["X-Amz-SignedHeaders"][0].split(";")
    # THEN the presigned URL binds Content-Type, Content-Length and If-None-Match (S3 refuses other values)
    assert {"content-type", "content-length", "if-none-match"} <= set(signed)
    assert slot["headers"] == {"Content-Type": "video/webm", "If-None-Match": "*"}
    # WHEN the bytes are uploaded, then uploaded again with the same URL
    first = httpx.put(slot["uploadUrl"], content=VIDEO, headers=slot["headers"], timeout=10)
    again = httpx.put(slot["uploadUrl"], content=VIDEO, headers=slot["headers"], timeout=10)
    # THEN the second is refused by S3's conditional write (the object exists)
    assert first.status_code == 200, first.text
    assert again.status_code == 412, again.text
