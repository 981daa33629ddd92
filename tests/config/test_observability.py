"""What operators watch: /metrics (internal network or token only), /readyz, and JSON log lines that
carry the request id."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from audit.metrics import AUDIT_ROWS_WRITTEN
from config.log_format import JsonFormatter


def _metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


def test_metrics_from_this_host_count_requests_and_access_log_rows(member_a_client, db):
    before = AUDIT_ROWS_WRITTEN._value.get()
    assert member_a_client.get(reverse("messages:detail", args=["migration-americas", "DET-04"])).status_code == 200
    assert AUDIT_ROWS_WRITTEN._value.get() == before + 1
    response = Client(REMOTE_ADDR="127.0.0.1").get(reverse("metrics"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'km_http_requests_total{method="GET",status="200",view="messages:detail"}' in text
    assert _metric(text, "km_audit_rows_written_total") >= 1
    assert _metric(text, "km_outbox_emails_waiting") == 0
    assert "km_queue_up" in text and "km_audit_last_seal_age_seconds" in text


def test_metrics_are_404_from_elsewhere_without_the_token(settings, db):
    settings.METRICS_TOKEN = "s3cret-token-for-prometheus"
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    assert outsider.get(reverse("metrics")).status_code == 404
    assert outsider.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert outsider.get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus").status_code == 200


def test_no_token_configured_means_no_way_in_from_outside(settings, db):
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="203.0.113.9").get(reverse("metrics"), HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_readiness_names_what_is_not_ready(db, monkeypatch):
    response = Client().get(reverse("readyz"))
    assert response.status_code == 200 and response.json()["checks"]["migrations"] == "ok"

    from django.core.cache import cache

    cache.delete("km_migrations_applied")
    monkeypatch.setattr("config.observability.MigrationExecutor.migration_plan", lambda self, targets: ["one"])
    response = Client().get(reverse("readyz"))
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "1 not applied"


def test_liveness_and_readiness_when_the_database_is_down(db):
    def refuse(*args, **kwargs):
        raise OSError("connection refused")

    with pytest.MonkeyPatch.context() as patch:  # undone before the test's own transaction is rolled back
        patch.setattr("django.db.connection.cursor", refuse)  # the probes' one connection
        response = Client().get(reverse("readyz"))
        liveness = Client().get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["checks"] == {"database": "unavailable: OSError"}
    assert liveness.status_code == 503


def test_a_log_line_is_json_with_the_request_id(member_a_client, caplog):
    formatter = JsonFormatter()
    lines = []

    class Keep(logging.Handler):
        def emit(self, record):
            lines.append(formatter.format(record))

    handler = Keep()
    logging.getLogger("django.request").addHandler(handler)
    try:
        response = member_a_client.get("/documents/migration-americas/messages/NOPE-99/")
    finally:
        logging.getLogger("django.request").removeHandler(handler)
    assert response.status_code == 404
    [line] = [json.loads(text) for text in lines]
    assert line["level"] == "WARNING" and line["request_id"] == response["X-Request-ID"]


def test_a_database_that_does_not_answer_is_a_503_without_content(member_a_client, monkeypatch):
    """Fail closed, and say "temporarily unavailable": a restarting database is not a bug."""
    from django.db import OperationalError

    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("messages_app.reading.views.selectors.message_detail", down)
    member_a_client.raise_request_exception = False
    response = member_a_client.get(reverse("messages:detail", args=["migration-americas", "DET-04"]))
    assert response.status_code == 503
    assert "Temporarily unavailable" in response.content.decode() and "non-refoulement" not in response.content.decode()


def test_any_other_error_stays_a_500(member_a_client, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr("messages_app.reading.views.selectors.message_detail", broken)
    member_a_client.raise_request_exception = False
    assert member_a_client.get(reverse("messages:detail", args=["migration-americas", "DET-04"])).status_code == 500


@pytest.mark.db_independent
def test_with_redis_down_the_cache_misses_instead_of_failing(settings):
    """The cache base.py configures with REDIS_URL, with nothing listening on its port: it answers
    None rather than raising."""
    from django.core.cache import caches

    from config.settings.database import redis_cache_settings

    settings.CACHES = {"default": settings.CACHES["default"], "down": redis_cache_settings("redis://127.0.0.1:1/0")}
    down = caches["down"]
    assert down.get("anything") is None
    down.set("anything", 1)  # no exception either
