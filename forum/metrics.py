"""Prometheus metrics for the operator: requests by view and status, their latency, cache gets,
SQL statements by database (primary or replica), and, read when scraped, replica lag, read-only
mode and how full the limits store is. docs/operations.md says what to graph and watch.

/metrics answers the operator's network only: nginx does not pass it on, and Django serves it
to a request that came straight to gunicorn from a private address, or that carries
FORUM_METRICS_TOKEN when one is set. Under gunicorn, each worker writes its counts to
PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets it) and a scrape adds them all up.
"""

import contextlib
import hmac
import ipaddress
import math
import os
import time

from django.conf import settings
from django.core.cache.backends import locmem, redis
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.http import HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from forum import limits, replicas
from forum.http import read_only

# Each counter's creation time is a series of its own that no graph needs.
disable_created_metrics()
REQUESTS = Counter(
    "forum_requests", "Requests answered, by view, method and status", ["view", "method", "status"]
)
LATENCY = Histogram(
    "forum_request_duration_seconds",
    "Seconds to answer a request, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
CACHE_GETS = Counter(
    "forum_cache_gets", "Keys read from a cache, by cache and result", ["cache", "result"]
)
QUERIES = Counter(
    "forum_database_queries", "SQL statements, by database (default is the primary)", ["database"]
)
METHODS = {"GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"}


class MetricsMiddleware:
    """Counts every request by the name of its view (never its path: one series a view)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        with contextlib.ExitStack() as counting:
            for alias in connections:
                counting.enter_context(connections[alias].execute_wrapper(_counted(alias)))
            response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def cache_read(cache: str, hits: int, misses: int) -> None:
    if hits:
        CACHE_GETS.labels(cache, "hit").inc(hits)
    if misses:
        CACHE_GETS.labels(cache, "miss").inc(misses)


def _counted(alias: str):
    counted = QUERIES.labels(alias)

    def count(execute, sql, params, many, context):
        counted.inc()
        return execute(sql, params, many, context)

    return count


class LiveCollector:
    """What is read at the moment of a scrape rather than counted."""

    def collect(self):
        read_only = GaugeMetricFamily(
            "forum_read_only", "1 while the primary is lost and the forum serves reads only"
        )
        read_only.add_metric([], float(replicas.read_only()))
        yield read_only
        if replicas.configured():
            up = GaugeMetricFamily(
                "forum_database_up", "1 when the database answers", labels=["database"]
            )
            lag = GaugeMetricFamily(
                "forum_replica_lag_seconds",
                "Seconds a replica is behind the primary",
                labels=["database"],
            )
            for alias in [replicas.PRIMARY, *replicas.replica_aliases()]:
                health = replicas.health(alias)
                up.add_metric([alias], float(health.up))
                if alias != replicas.PRIMARY and health.up and math.isfinite(health.lag):
                    lag.add_metric([alias], health.lag)
            yield up
            yield lag
        if (used := limits.store_use()) is not None:
            full = GaugeMetricFamily(
                "forum_limits_store_used_ratio",
                "The limits Redis's used memory over its maxmemory",
            )
            full.add_metric([], used)
            yield full


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUESTS, LATENCY, CACHE_GETS, QUERIES):
            registry.register(collector)
    registry.register(LiveCollector())
    return registry


def _allowed(request) -> bool:
    token = settings.FORUM_METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return hmac.compare_digest(given.encode(), token.encode())
    if "X-Forwarded-For" in request.headers:
        return False  # came through a proxy: from the internet, for all we know
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_private
    except ValueError:
        return False


@read_only
def metrics(request):
    if not _allowed(request):
        raise PermissionDenied("Metrics are for the operator's network.")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


_MISSING = object()


class _Metered:
    """A cache whose gets are counted as hits and misses (forum.metrics)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self.metrics_name = params.get("METRICS_NAME", "cache")

    def get(self, key, default=None, version=None):
        value = super().get(key, _MISSING, version)
        hit = value is not _MISSING
        cache_read(self.metrics_name, int(hit), int(not hit))
        return value if hit else default

    def get_many(self, keys, version=None):
        keys = list(keys)
        found = super().get_many(keys, version)
        cache_read(self.metrics_name, len(found), len(keys) - len(found))
        return found


class RedisCache(_Metered, redis.RedisCache):
    pass


class LocMemCache(_Metered, locmem.LocMemCache):
    pass
