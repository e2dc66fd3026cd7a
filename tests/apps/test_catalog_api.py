"""Catalog API: rows, search, detail, admin writes, playback and uploads (embedded and cloud backends)."""

from __future__ import annotations

from typing import Any

import httpx

from apps.streaming.storage import SEED_MEDIA_DIR

NEW_TITLE = {
    "id": "night-train",
    "title": "Night Train",
    "year": 2025,
    "genres": ["thriller"],
    "rating": 9.9,
    "durationSeconds": 4,
    "poster": "/posters/city.svg",
    "mediaKey": "seed/city.webm",
    "description": "A late departure.",
}


def fetch_media(client: Any, url: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """Relative URLs are served by the app itself; absolute ones (S3/moto) are fetched over HTTP."""
    if url.startswith("/"):
        response: httpx.Response = client.get(url, headers=headers or {})
        return response
    return httpx.get(url, headers=headers or {}, timeout=10)


def test_rows_list_trending_top_rated_and_a_row_per_genre_of_the_seed_catalog(client: Any) -> None:
    # GIVEN a fresh app, seeded on start
    # WHEN the home page asks for rows
    response = client.get("/api/catalog/rows")
    # THEN it gets trending, top-rated and genre rows made of the seed titles
    assert response.status_code == 200
    rows = response.json()["rows"]
    ids = [row["id"] for row in rows]
    assert ids[:2] == ["trending", "top-rated"]
    assert "genre:drama" in ids and "genre:documentary" in ids
    top = [t["id"] for t in rows[1]["items"]]
    assert top[0] == "aurora" and len(top) == 6
    ratings = [t["rating"] for t in rows[1]["items"]]
    assert ratings == sorted(ratings, reverse=True)
    drama = next(r for r in rows if r["id"] == "genre:drama")
    assert {t["id"] for t in drama["items"]} == {"city-lights", "desert-wind", "harbor-nights"}
    assert set(rows[0]["items"][0]) == {
        "id",
        "title",
        "year",
        "genres",
        "rating",
        "durationSeconds",
        "poster",
        "description",
    }


def test_a_second_rows_request_is_served_from_the_cache(client: Any) -> None:
    # GIVEN rows requested once
    first = client.get("/api/catalog/rows")
    # WHEN they are requested again
    second = client.get("/api/catalog/rows")
    # THEN the second answer comes from the cache with the same body
    assert (first.headers["x-cache"], second.headers["x-cache"]) == ("miss", "hit")
    assert first.json() == second.json()


def test_trending_ranks_titles_by_how_many_watchlists_hold_them(make_client: Any) -> None:
    # GIVEN two viewers who both add Desert Wind (a low-rated title) to their watchlists
    from tests.apps.conftest import register_and_login

    client = make_client(CACHE_TTL_SECONDS="1")
    for email in ("one@example.com", "two@example.com"):
        headers = register_and_login(client, email)
        assert client.put("/api/accounts/watchlist/desert-wind", headers=headers).status_code == 204
    # WHEN the rows are read
    rows = client.get("/api/catalog/rows").json()["rows"]
    # THEN Desert Wind leads the trending row
    assert rows[0]["items"][0]["id"] == "desert-wind"


def test_search_matches_titles_case_insensitively(client: Any) -> None:
    # GIVEN the seed catalog
    # WHEN searching for "LIGHTS"
    response = client.get("/api/catalog/titles", params={"q": "LIGHTS"})
    # THEN City Lights is the only match
    assert response.status_code == 200
    body = response.json()
    assert [t["id"] for t in body["items"]] == ["city-lights"]
    assert body["total"] == 1


def test_search_paginates_with_limit_and_offset(client: Any) -> None:
    # GIVEN six seed titles
    # WHEN reading them two at a time
    pages = [client.get("/api/catalog/titles", params={"limit": 2, "offset": o}).json() for o in (0, 2, 4, 6)]
    # THEN the pages partition the catalog in rating order and report the total
    ids = [t["id"] for page in pages for t in page["items"]]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert all(page["total"] == 6 for page in pages)
    assert pages[3]["items"] == []
    assert pages[1]["limit"] == 2 and pages[1]["offset"] == 2


def test_search_treats_percent_and_underscore_as_literal_characters(client: Any) -> None:
    # GIVEN no title containing "%" or "_"
    # WHEN searching for them
    percent = client.get("/api/catalog/titles", params={"q": "%"}).json()
    underscore = client.get("/api/catalog/titles", params={"q": "_"}).json()
    # THEN nothing matches (they are not wildcards)
    assert percent["total"] == 0 and underscore["total"] == 0


def test_search_filters_by_genre(client: Any) -> None:
    # WHEN searching the nature genre
    body = client.get("/api/catalog/titles", params={"genre": "nature"}).json()
    # THEN only nature titles come back
    assert {t["id"] for t in body["items"]} == {"ocean-drift", "forest-path"}


def test_search_rejects_out_of_range_paging_with_422(client: Any) -> None:
    # WHEN asking for a page size above the maximum
    response = client.get("/api/catalog/titles", params={"limit": 500})
    # THEN the request is rejected naming the field
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert response.json()["error"]["details"][0]["field"] == "query.limit"


def test_title_detail_returns_the_title(client: Any) -> None:
    # WHEN reading one title twice
    first = client.get("/api/catalog/titles/forest-path")
    second = client.get("/api/catalog/titles/forest-path")
    # THEN it is returned, the second time from the cache
    assert first.status_code == 200
    assert first.json()["title"] == "Forest Path"
    assert first.json()["genres"] == ["adventure", "nature"]
    assert second.headers["x-cache"] == "hit" and second.json() == first.json()


def test_an_unknown_title_is_404_and_a_malformed_id_is_422(client: Any) -> None:
    # WHEN reading a missing title and an id that is not a slug
    missing = client.get("/api/catalog/titles/no-such-title")
    malformed = client.get("/api/catalog/titles/Bad%20Id!")
    # THEN 404 and 422, as JSON errors
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert malformed.status_code == 422


def test_an_admin_registers_a_title_and_it_appears_in_the_cached_rows_at_once(
    client: Any, admin_headers: dict[str, str]
) -> None:
    # GIVEN rows already cached
    assert client.get("/api/catalog/rows").status_code == 200
    assert client.get("/api/catalog/rows").headers["x-cache"] == "hit"
    # WHEN an admin registers a top-rated title
    created = client.post("/api/catalog/titles", json=NEW_TITLE, headers=admin_headers)
    # THEN it is created and the next rows read (not stale) lists it first in top rated
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/catalog/titles/night-train"
    assert created.json()["genres"] == ["thriller"]
    rows = client.get("/api/catalog/rows")
    assert rows.headers["x-cache"] == "miss"
    assert rows.json()["rows"][1]["items"][0]["id"] == "night-train"
    assert client.get("/api/catalog/titles", params={"q": "train"}).json()["total"] == 1


def test_registering_a_title_without_an_id_generates_a_slug(client: Any, admin_headers: dict[str, str]) -> None:
    # WHEN an admin omits the id
    created = client.post(
        "/api/catalog/titles", json={**NEW_TITLE, "id": None, "title": "Über Tale!"}, headers=admin_headers
    )
    # THEN a slug id is generated from the title
    assert created.status_code == 201
    new_id = created.json()["id"]
    assert new_id.startswith("ber-tale-")
    assert client.get(f"/api/catalog/titles/{new_id}").json()["title"] == "Über Tale!"


def test_registering_an_existing_id_is_a_409_conflict(client: Any, admin_headers: dict[str, str]) -> None:
    # WHEN an admin registers a title whose id exists
    response = client.post("/api/catalog/titles", json={**NEW_TITLE, "id": "aurora"}, headers=admin_headers)
    # THEN 409
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_only_admins_register_titles(client: Any, user_headers: dict[str, str]) -> None:
    # WHEN a viewer, and an anonymous caller, try to register a title
    as_viewer = client.post("/api/catalog/titles", json=NEW_TITLE, headers=user_headers)
    anonymous = client.post("/api/catalog/titles", json=NEW_TITLE)
    # THEN 403 and 401
    assert as_viewer.status_code == 403
    assert as_viewer.json()["error"]["code"] == "forbidden"
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"].startswith("Bearer")


def test_registering_a_title_whose_media_was_never_uploaded_is_422(client: Any, admin_headers: dict[str, str]) -> None:
    # WHEN the media key names nothing
    response = client.post(
        "/api/catalog/titles", json={**NEW_TITLE, "mediaKey": "uploads/missing.webm"}, headers=admin_headers
    )
    # THEN 422 naming mediaKey
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "mediaKey"


def test_an_invalid_title_is_rejected_with_the_fields_at_fault(client: Any, admin_headers: dict[str, str]) -> None:
    # WHEN the payload breaks several rules
    bad = {
        **NEW_TITLE,
        "year": 1500,
        "rating": 11,
        "poster": "javascript:alert(1)",
        "mediaKey": "../etc/passwd",
        "extra": 1,
    }
    response = client.post("/api/catalog/titles", json=bad, headers=admin_headers)
    # THEN 422 lists each field
    assert response.status_code == 422
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"year", "rating", "poster", "mediaKey", "extra"} <= fields


def test_play_gives_a_short_lived_url_that_serves_the_titles_video(
    client: Any, user_headers: dict[str, str], backend: str
) -> None:
    # GIVEN a signed-in viewer
    # WHEN asking to play Ocean Drift
    response = client.get("/api/catalog/titles/ocean-drift/play", headers=user_headers)
    # THEN the URL (local signed /media URL, or S3 presigned) serves exactly the seed video
    assert response.status_code == 200
    body = response.json()
    assert body["expiresAt"].endswith("Z")
    if backend == "embedded":
        assert body["url"].startswith("/media/seed/ocean.webm?expires=")
    else:
        assert "X-Amz-Signature=" in body["url"] and "/media/seed/ocean.webm" in body["url"]
    media = fetch_media(client, body["url"])
    assert media.status_code == 200
    assert media.content == (SEED_MEDIA_DIR / "ocean.webm").read_bytes()


def test_play_needs_a_signed_in_viewer_and_an_existing_title(client: Any, user_headers: dict[str, str]) -> None:
    # WHEN playing anonymously, and playing a missing title
    anonymous = client.get("/api/catalog/titles/ocean-drift/play")
    missing = client.get("/api/catalog/titles/nope/play", headers=user_headers)
    # THEN 401 and 404
    assert anonymous.status_code == 401
    assert missing.status_code == 404


def test_an_admin_uploads_a_video_registers_it_and_viewers_play_it(
    client: Any, admin_headers: dict[str, str], backend: str
) -> None:
    # GIVEN an upload slot for a WebM video
    video = (SEED_MEDIA_DIR / "desert.webm").read_bytes()
    slot = client.post(
        "/api/catalog/uploads", json={"contentType": "video/webm", "size": len(video)}, headers=admin_headers
    )
    assert slot.status_code == 201, slot.text
    slot_body = slot.json()
    assert slot_body["method"] == "PUT" and slot_body["mediaKey"].startswith("uploads/")
    # WHEN the admin uploads the bytes to the slot and registers the title
    if slot_body["uploadUrl"].startswith("/"):
        put = client.put(slot_body["uploadUrl"], content=video, headers=slot_body["headers"])
    else:
        put = httpx.put(slot_body["uploadUrl"], content=video, headers=slot_body["headers"], timeout=10)
    assert put.status_code in (200, 201), put.text
    created = client.post(
        "/api/catalog/titles",
        json={**NEW_TITLE, "id": "uploaded", "mediaKey": slot_body["mediaKey"]},
        headers=admin_headers,
    )
    assert created.status_code == 201, created.text
    # THEN playing the new title serves the uploaded bytes
    url = client.get("/api/catalog/titles/uploaded/play", headers=admin_headers).json()["url"]
    assert fetch_media(client, url).content == video


def test_upload_slots_refuse_other_content_types_and_oversized_files(
    make_client: Any, admin_headers: dict[str, str], client: Any
) -> None:
    # GIVEN an app limiting uploads to 1 MiB
    limited = make_client(MAX_UPLOAD_BYTES=str(1024 * 1024))
    from tests.apps.conftest import ADMIN_EMAIL, PASSWORD

    token = limited.post("/api/accounts/login", json={"email": ADMIN_EMAIL, "password": PASSWORD}).json()["accessToken"]
    headers = {"Authorization": f"Bearer {token}"}
    # WHEN asking for an image upload, and for a 2 MiB video
    wrong_type = limited.post("/api/catalog/uploads", json={"contentType": "image/png", "size": 10}, headers=headers)
    too_big = limited.post(
        "/api/catalog/uploads", json={"contentType": "video/webm", "size": 2 * 1024 * 1024}, headers=headers
    )
    # THEN 415 and 413
    assert wrong_type.status_code == 415
    assert too_big.status_code == 413
    assert too_big.json()["error"]["code"] == "payload_too_large"
