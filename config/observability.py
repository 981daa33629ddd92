"""What operators watch: Prometheus metrics, readiness, and log lines that carry the request id.

- `/metrics` answers only a request with the bearer token METRICS_TOKEN, or from a network of
  METRICS_ALLOWED_NETWORKS (default: this host); anyone else gets 404, as for a page that does not
  exist. Per-process counters (requests, latencies, access-log rows) are summed across gunicorn's
  workers when PROMETHEUS_MULTIPROC_DIR is set (prometheus_client's multiprocess mode); the state of
  the queue, the outbox and the chain is read from the database and Redis at each scrape.
- `/readyz` says whether this instance can serve: the database answers, every migration is applied
  (checked once a minute), Redis answers where one is configured. `/healthz` stays the liveness check.
"""

import hmac
import ipaddress
import os
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, REGISTRY

from audit.context import client_ip

REQUESTS = Counter("km_http_requests", "HTTP requests served.", ["method", "status", "view"])
LATENCY = Histogram(
    "km_http_request_duration_seconds", "Time to answer a request.", ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5, 10),
)
QUEUES = ("celery", "archive")


class RequestMetricsMiddleware:
    """Counts each request by method, status and view name (bounded: URL names, not paths)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None and match.view_name else "unmatched"
        REQUESTS.labels(request.method if request.method in {"GET", "HEAD", "POST"} else "other", str(response.status_code), view).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


class StateCollector:
    """Gauges read at scrape time: the background work waiting, and how old it is."""

    def describe(self):
        """Names only: registering the collector must not read the database (it is imported early)."""
        for name in ("km_outbox_emails_waiting", "km_outbox_oldest_waiting_seconds", "km_audit_unsealed_events",
                     "km_audit_last_seal_age_seconds", "km_queue_up"):
            yield GaugeMetricFamily(name, "")
        yield GaugeMetricFamily("km_queue_depth", "", labels=["queue"])

    def collect(self):
        from audit.models import AuditEvent, AuditHead
        from outbox.models import OutgoingEmail

        now = timezone.now()
        waiting = OutgoingEmail.objects.filter(sent_at__isnull=True, next_attempt_at__isnull=False)
        oldest = waiting.order_by("created_at").values_list("created_at", flat=True).first()
        yield GaugeMetricFamily("km_outbox_emails_waiting", "Emails not sent yet (and not given up).", value=waiting.count())
        yield GaugeMetricFamily(
            "km_outbox_oldest_waiting_seconds", "Age of the oldest email waiting.", value=(now - oldest).total_seconds() if oldest else 0
        )
        head = AuditHead.objects.order_by("-position", "-pk").first()
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        yield GaugeMetricFamily(
            "km_audit_unsealed_events", "Access-log events not sealed into the chain yet.",
            value=max(last_event - (head.event_id if head else 0), 0),
        )
        yield GaugeMetricFamily(
            "km_audit_last_seal_age_seconds", "Time since the chain was last sealed.",
            value=(now - head.recorded_at).total_seconds() if head else -1,
        )
        depth = GaugeMetricFamily("km_queue_depth", "Jobs waiting in each queue of the broker.", labels=["queue"])
        up = 1
        try:
            import redis

            client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1)
            for queue in QUEUES:
                depth.add_metric([queue], client.llen(queue))
        except Exception:  # noqa: BLE001 - a broker that does not answer is what km_queue_up says
            up = 0
        yield depth
        yield GaugeMetricFamily("km_queue_up", "1 if the broker answered the scrape.", value=up)


def _registry():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(StateCollector())
        return registry
    return _single_process_registry


_single_process_registry = REGISTRY
REGISTRY.register(StateCollector())


def metrics_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics_text() -> tuple[bytes, str]:
    return generate_latest(_registry()), CONTENT_TYPE_LATEST


def readiness() -> dict:
    """{check: "ok" or what failed}; ready when every value is "ok"."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001
        checks["database"] = f"unavailable: {type(error).__name__}"
        return checks
    if cache.get("km_migrations_applied"):
        checks["migrations"] = "ok"
    else:
        pending = MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not pending else f"{len(pending)} not applied"
        if not pending:
            cache.set("km_migrations_applied", True, 60)
    if settings.REDIS_URL or os.environ.get("CELERY_BROKER_URL"):
        try:
            import redis

            redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as error:  # noqa: BLE001
            checks["redis"] = f"unavailable: {type(error).__name__}"
    return checks
