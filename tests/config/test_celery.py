"""The background jobs' Celery set-up (config/celery.py, CELERY_* settings), and one real worker
taking a job off Redis."""

import os
import subprocess
import sys
import time
import uuid
import warnings
from urllib.parse import quote

import pytest
import redis
from celery.exceptions import AlwaysEagerIgnored
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.models import Action, AuditEvent, AuditSeal
from config.celery import app

TEST_BROKER = "redis://127.0.0.1:6379/5"


def registered_tasks():
    app.loader.import_default_modules()  # what a worker does at start: every app's tasks.py
    return set(app.tasks)


@pytest.mark.db_independent
def test_every_scheduled_job_is_a_registered_task():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= registered_tasks()
    assert {
        "audit.tasks.seal_audit_log",
        "audit.tasks.archive_audit_log",
        "console.tasks.send_audit_alerts",
        "national_societies.tasks.suspend_dormant_accounts",
        "outbox.tasks.deliver_due_emails",
        "outbox.tasks.delete_old_emails",
    } <= scheduled


@pytest.mark.db_independent
def test_jobs_travel_as_json_are_acknowledged_when_done_and_archiving_has_its_queue():
    assert (app.conf.accept_content, app.conf.task_serializer) == (["json"], "json")
    assert app.conf.task_acks_late and app.conf.worker_prefetch_multiplier == 1
    assert app.conf.task_time_limit and app.conf.task_soft_time_limit < app.conf.task_time_limit
    # A task redelivered while it still runs would run twice at once: longer than any time limit.
    longest = max(app.conf.task_time_limit, app.tasks["audit.tasks.archive_audit_log"].time_limit)
    assert app.conf.broker_transport_options["visibility_timeout"] > longest
    assert app.amqp.router.route({}, "audit.tasks.archive_audit_log")["queue"].name == "archive"
    assert app.amqp.router.route({}, "audit.tasks.seal_audit_log")["queue"].name == "celery"


def _database_url():
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgresql  # the worker, another process, needs a database it can open: not SQLite's in-memory one
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_takes_the_sealing_job_off_redis_and_seals(audit_log_flushable, tmp_path):
    """A worker process (`celery -A config worker --pool=solo`) on the test database, listening on a
    queue of its own in Redis; the job is published there, not run in the test: only that worker can
    seal these events."""
    queue = f"km-test-{uuid.uuid4().hex}"
    past = timezone.now() - timezone.timedelta(minutes=1)  # older than the sealing grace period
    AuditEvent.objects.bulk_create(
        AuditEvent(occurred_at=past, action=Action.VIEWED_MESSAGE, target_type="message", target_id=f"E-{n}") for n in range(3)
    )
    log = tmp_path / "worker.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": TEST_BROKER,
    }
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--queues", queue,
                "--hostname", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel", "INFO",
            ],
            cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        with app.connection_for_write(TEST_BROKER) as broker, warnings.catch_warnings():
            warnings.simplefilter("ignore", AlwaysEagerIgnored)  # send_task always publishes
            app.send_task("audit.tasks.seal_audit_log", queue=queue, connection=broker)
        deadline = time.monotonic() + 20
        while AuditSeal.objects.count() < 3 and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        assert AuditSeal.objects.count() == 3, f"the worker did not seal the events:\n{log.read_text()}"
        assert "audit.tasks.seal_audit_log" in log.read_text() and "Sealed 3 event(s)." in log.read_text()
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        redis.Redis.from_url(TEST_BROKER).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
