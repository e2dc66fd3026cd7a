"""One image, several services: APP_SERVICE picks which API a process serves."""

from __future__ import annotations

from typing import Any


def test_the_catalog_service_serves_only_catalog_paths_and_health(make_client: Any) -> None:
    # GIVEN a process running the catalog service
    client = make_client(APP_SERVICE="catalog")
    # WHEN each kind of path is requested
    # THEN catalog and health answer; accounts and the page are not here
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/api/catalog/rows").status_code == 200
    assert client.get("/api/catalog/openapi.json").status_code == 200
    assert client.post("/api/accounts/login", json={}).status_code == 404
    assert client.get("/").status_code == 404


def test_the_accounts_service_serves_only_accounts_paths_and_health(make_client: Any) -> None:
    # GIVEN a process running the accounts service (sharing the catalog's database)
    client = make_client(APP_SERVICE="accounts")
    from tests.apps.conftest import register_and_login

    # WHEN a viewer signs up and uses the watchlist there
    headers = register_and_login(client, "acc@example.com")
    added = client.put("/api/accounts/watchlist/aurora", headers=headers)
    # THEN accounts work and catalog paths are not served
    assert added.status_code == 204
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/accounts/openapi.json").status_code == 200
    assert client.get("/api/catalog/rows").status_code == 404
    assert client.get("/").status_code == 404


def test_a_token_from_the_accounts_service_is_accepted_by_the_catalog_service(make_client: Any) -> None:
    # GIVEN the two services sharing JWT_SECRET
    accounts, catalog = make_client(APP_SERVICE="accounts"), make_client(APP_SERVICE="catalog")
    from tests.apps.conftest import register_and_login

    headers = register_and_login(accounts, "both@example.com")
    # WHEN the catalog service is asked to play with that token
    response = catalog.get("/api/catalog/titles/aurora/play", headers=headers)
    # THEN it accepts it
    assert response.status_code == 200
    assert response.json()["url"]
