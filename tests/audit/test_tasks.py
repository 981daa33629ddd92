"""The access log's jobs as the worker runs them (audit/tasks.py): the same services as the commands,
a second run changes nothing, and sealers running at once never fork the chain."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from audit.chain import audit_log_verify
from audit.models import Action, AuditAnchor, AuditEvent, AuditHead, AuditSeal
from audit.tasks import archive_audit_log, seal_audit_log


def events(count, *, days_ago=0, label="E"):
    # Older than the sealing grace period (AUDIT_SEAL_GRACE_SECONDS), as the job finds them.
    at = timezone.now() - timedelta(days=days_ago, minutes=1)
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            occurred_at=at + i * timedelta(milliseconds=1), action=Action.VIEWED_MESSAGE,
            target_type="message", target_id=f"{label}-{i}", details={"n": i},
        )
        for i in range(count)
    )


def chain_state():
    return (
        list(AuditSeal.objects.order_by("position").values_list("position", "event_id", "chain_hash")),
        list(AuditHead.objects.order_by("id").values_list("position", "chain_hash")),
    )


def test_sealing_twice_seals_once_and_prints_the_head(db):
    events(3)
    first = seal_audit_log.delay().get()
    head = AuditSeal.objects.order_by("-position").first()
    assert first.startswith("Sealed 3 event(s). Head: seal 3, event ") and head.chain_hash in first
    sealed = chain_state()

    assert seal_audit_log.delay().get().startswith("Sealed 0 event(s). Head: seal 3, ")
    assert chain_state() == sealed
    assert audit_log_verify().ok


def test_the_archive_job_archives_what_retention_lets_go_once(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path / "archive"  # created by the job
    old = events(3, days_ago=6 * 365, label="old")
    events(2, days_ago=1, label="recent")

    result = archive_audit_log.delay().get()
    day = (timezone.now() - timedelta(days=settings.AUDIT_RETENTION_DAYS)).date()
    path = tmp_path / "archive" / f"access-log-before-{day:%Y-%m-%d}.jsonl"
    assert result.startswith(f"Archived 3 event(s) to {path} (sha256 ")
    assert not AuditEvent.objects.filter(pk__in=[event.pk for event in old]).exists()
    assert AuditAnchor.objects.get().position == 3
    remaining = sorted(AuditEvent.objects.values_list("id", flat=True))
    written = path.read_bytes()

    assert archive_audit_log.delay().get() == "Nothing to archive."
    assert sorted(AuditEvent.objects.values_list("id", flat=True)) == remaining  # not even an `archived_log` row
    assert AuditAnchor.objects.count() == 1 and path.read_bytes() == written
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    assert audit_log_verify().ok


def test_the_archive_job_with_nothing_old_enough_writes_nothing(db, settings, tmp_path):
    settings.AUDIT_ARCHIVE_DIR = tmp_path
    events(2, days_ago=1824)
    assert archive_audit_log.delay().get() == "Nothing to archive."
    assert list(tmp_path.iterdir()) == [] and not AuditAnchor.objects.exists()
    assert AuditEvent.objects.count() == 2


SEALERS = 4
EVENTS = 3000


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_sealers_running_at_once_never_fork_the_chain(audit_log_flushable):
    """Four workers' sealing jobs start together, each on its own connection, over 3,000 events: they
    take turns on the advisory lock, so every event gets one position and the chain verifies. (Without
    the lock, two would chain from the same head: a duplicate position, or two heads.)"""
    created = events(EVENTS)
    start = threading.Barrier(SEALERS, timeout=30)
    results, errors = [], []

    def sealer():
        try:
            start.wait()
            results.append(seal_audit_log())  # the task's body, as each worker runs it
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sealer) for _ in range(SEALERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [] and len(results) == SEALERS
    assert sum(int(result.split()[1]) for result in results) == EVENTS
    seals, heads = chain_state()
    assert [position for position, _event, _hash in seals] == list(range(1, EVENTS + 1))
    assert [event for _position, event, _hash in seals] == sorted(event.pk for event in created)
    # Each run that sealed something recorded where it left the head, one after the other.
    assert [position for position, _hash in heads] == sorted(position for position, _hash in heads)
    report = audit_log_verify()
    assert report.ok, report.problem
    assert (report.checked, report.head_position) == (EVENTS, EVENTS)
