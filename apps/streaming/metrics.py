"""Prometheus metrics: ``GET /metrics`` in the text exposition format (prometheus_client).

What is measured:

* ``http_requests_total`` and ``http_request_duration_seconds`` (a histogram), labelled by method,
  **route template** (``/api/catalog/titles/{title_id}``, never the raw path, so a scan of random
  URLs cannot blow up the number of series; a request no route matches is ``<unmatched>``) and
  status;
* ``http_requests_in_flight``: requests being served now;
* ``db_pool_connections{state}`` (``checked_out``, ``idle``, ``overflow``) and ``db_pool_size``,
  read from SQLAlchemy's pool when Prometheus scrapes;
* ``cache_requests_total{result}`` (``hit``/``miss``) for the cached catalog reads (their
  ``X-Cache`` response header); the hit ratio is
  ``rate(cache_requests_total{result="hit"}[5m]) / rate(cache_requests_total[5m])``.

Each app has its own registry (two apps in one process, as in the tests, do not share counters).
``/metrics`` is not reachable from the internet: CloudFront sends only ``/api/*`` and ``/media/*``
to other origins than the site bucket, and the load balancer forwards only ``/api/<service>/*``
(its default action is a fixed 404), so a scraper reaches it only inside the VPC, on the task's
own address and port (docs/operations.md: "Metrics").
"""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

METRICS_PATH = "/metrics"
#: The classic text format every Prometheus (and Amazon Managed Service for Prometheus) scrapes.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNMATCHED = "<unmatched>"

#: Latency buckets (seconds): dense where an API answers (1–250 ms), then up to the ALB's patience.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _PoolCollector:
    """The database pool's state, read at scrape time (no cost per request)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> list[GaugeMetricFamily]:
        pool: Any = self.engine.pool
        connections = GaugeMetricFamily(
            "db_pool_connections", "Database connections in the pool, by state", labels=["state"]
        )
        size = GaugeMetricFamily("db_pool_size", "Connections the pool keeps open at most (without overflow)")
        try:
            connections.add_metric(["checked_out"], float(pool.checkedout()))
            connections.add_metric(["idle"], float(pool.checkedin()))
            connections.add_metric(["overflow"], float(max(0, pool.overflow())))
            size.add_metric([], float(pool.size()))
        except AttributeError:  # a pool without these counters (e.g. SQLite's in-memory StaticPool)
            return []
        return [connections, size]


class _RuntimeCollector:
    """The collector's state: objects frozen out of collection (`app.freeze_startup_heap`) and
    collections per generation, so a p99 spike can be told from a full collection."""

    def describe(self) -> list[Any]:
        return []

    def collect(self) -> list[Any]:
        frozen = GaugeMetricFamily("python_gc_frozen_objects", "Objects in the permanent generation (gc.freeze)")
        frozen.add_metric([], float(gc.get_freeze_count()))
        collections = CounterMetricFamily(
            "python_gc_collections", "Garbage collections, by generation", labels=["generation"]
        )
        for generation, stats in enumerate(gc.get_stats()):
            collections.add_metric([str(generation)], float(stats["collections"]))
        return [frozen, collections]


class Metrics:
    """One app's metrics: the registry, the instruments and the ASGI middleware that feeds them."""

    def __init__(self, engine: Engine | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = ("method", "route", "status")
        self.requests = Counter(
            "http_requests", "HTTP requests served, by route template", labels, registry=self.registry
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to serve an HTTP request, by route template",
            labels,
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.in_flight = Gauge("http_requests_in_flight", "HTTP requests being served now", registry=self.registry)
        self.cache = Counter(
            "cache_requests", "Cached catalog reads, by result (hit or miss)", ("result",), registry=self.registry
        )
        self._cache_hit, self._cache_miss = self.cache.labels("hit"), self.cache.labels("miss")
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self.registry.register(_RuntimeCollector())
        if engine is not None:
            self.registry.register(_PoolCollector(engine))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def observe(self, method: str, route: str, status: int, seconds: float, cache_state: bytes | None) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            labels = (method, route, str(status))
            children = self._children.setdefault(key, (self.requests.labels(*labels), self.latency.labels(*labels)))
        children[0].inc()
        children[1].observe(seconds)
        if cache_state == b"hit":
            self._cache_hit.inc()
        elif cache_state == b"miss":
            self._cache_miss.inc()


def route_template(scope: Scope) -> str:
    """The template of the route that served ``scope`` (set by the router), not the raw path."""
    route = scope.get("route")
    if route is None:
        return UNMATCHED
    path: str = getattr(route, "path", "") or ""
    if not hasattr(route, "endpoint"):  # a Mount: everything below its prefix
        return f"{path}/{{path}}"
    return path or "/"


class MetricsMiddleware:
    """Counts and times every HTTP request and answers ``GET /metrics`` itself."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH and scope["method"] in ("GET", "HEAD"):
            await self._serve(scope, send)
            return
        metrics = self.metrics
        metrics.in_flight.inc()
        started = time.perf_counter()
        status = 500
        cache_state: bytes | None = None

        async def send_wrapper(message: Message) -> None:
            nonlocal status, cache_state
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", ()):
                    if name == b"x-cache":
                        cache_state = value
                        break
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            metrics.in_flight.dec()
            metrics.observe(scope["method"], route_template(scope), status, time.perf_counter() - started, cache_state)

    async def _serve(self, scope: Scope, send: Send) -> None:
        body = self.metrics.exposition()
        headers = [
            (b"content-type", CONTENT_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
