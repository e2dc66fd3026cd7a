"""``GET /metrics``: Prometheus text with request counts and latency by route template (issue 17, item 5)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.apps.conftest import Server


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of an exposition, keyed by name and sorted labels."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _labels(**labels: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(labels.items()))


def test_the_running_server_exposes_the_request_histogram_by_route_template(server: Server) -> None:
    # GIVEN a few requests to the running app: two titles (one route), the rows twice, and a miss
    for title_id in ("aurora", "forest-path"):
        assert httpx.get(f"{server.base}/api/catalog/titles/{title_id}").status_code == 200
    for _ in range(2):
        assert httpx.get(f"{server.base}/api/catalog/rows").status_code == 200
    assert httpx.get(f"{server.base}/api/catalog/no/such/thing").status_code == 404

    # WHEN Prometheus scrapes /metrics
    response = httpx.get(f"{server.base}/metrics")

    # THEN it gets the text format with the requests counted and timed by route template, not raw path
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = response.text
    samples = _samples(text)
    title = _labels(method="GET", route="/api/catalog/titles/{title_id}", status="200")
    rows = _labels(method="GET", route="/api/catalog/rows", status="200")
    assert samples[("http_requests_total", title)] == 2
    assert samples[("http_request_duration_seconds_count", title)] == 2
    bucket = _labels(method="GET", route="/api/catalog/titles/{title_id}", status="200", le="+Inf")
    assert samples[("http_request_duration_seconds_bucket", bucket)] == 2
    assert samples[("http_requests_total", rows)] == 2
    assert "aurora" not in text and "forest-path" not in text  # raw paths never become labels
    assert samples[("http_requests_total", _labels(method="GET", route="<unmatched>", status="404"))] == 1
    # nothing else is being served while the scrape is answered
    assert samples[("http_requests_in_flight", ())] == 0
    # the cached reads: the first rows/title requests miss, the second rows request hits
    assert samples[("cache_requests_total", _labels(result="miss"))] == 3
    assert samples[("cache_requests_total", _labels(result="hit"))] == 1
    # the database pool, read at scrape time
    assert samples[("db_pool_connections", _labels(state="checked_out"))] == 0
    assert samples[("db_pool_size", ())] >= 1
    assert re.search(r"^# TYPE http_request_duration_seconds histogram$", text, re.M)
    # the served process froze its start-up heap out of the collector's reach (issue 18)
    assert samples[("python_gc_frozen_objects", ())] > 50_000
    assert ("python_gc_collections_total", _labels(generation="2")) in samples


def test_metrics_count_cached_reads_on_the_cloud_backends_too(make_client: Any) -> None:
    # GIVEN the app on each backend (Redis and PostgreSQL in the cloud case)
    client = make_client()
    for _ in range(3):
        assert client.get("/api/catalog/titles/aurora").status_code == 200

    samples = _samples(client.get("/metrics").text)

    assert samples[("cache_requests_total", _labels(result="miss"))] == 1
    assert samples[("cache_requests_total", _labels(result="hit"))] == 2
    route = _labels(method="GET", route="/api/catalog/titles/{title_id}", status="200")
    assert samples[("http_requests_total", route)] == 3
