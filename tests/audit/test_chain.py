"""The hash chain: sealing appends events in id order; verifying recomputes everything and names the
first event that does not match; the head of an earlier verify is a prefix of every later chain;
concurrent writers and a running sealer still leave every event sealed exactly once."""

import hashlib
import importlib
import json
import random
import threading
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from audit import chain
from audit.chain import GENESIS, audit_log_seal, audit_log_verify
from audit.models import Action, ArchivePermit, AuditAnchor, AuditEvent, AuditHead, AuditSeal
from audit.services import audit_record
from tests.audit_log import verify_command
from tests.factories import UserFactory

triggers = importlib.import_module("audit.migrations.0002_append_only_triggers")


# --- Helpers ------------------------------------------------------------------------------------


def events(count, **fields):
    return [
        AuditEvent.objects.create(
            action=Action.VIEWED_MESSAGE, target_type="message", target_id=f"E-{i}", details={"n": i}, **fields
        )
        for i in range(count)
    ]


def expected_event_hash(event_id) -> str:
    """Computed here from the specification, not with the code under test: SHA-256 of the canonical
    JSON (sorted keys, no spaces) of every column as stored, times in ISO 8601."""
    row = AuditEvent.objects.filter(pk=event_id).values().get()
    canonical = json.dumps(
        {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in row.items()},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def expected_chain(event_ids, start=GENESIS) -> str:
    head = start
    for event_id in event_ids:
        head = hashlib.sha256((head + expected_event_hash(event_id)).encode()).hexdigest()
    return head


def seals():
    return list(AuditSeal.objects.order_by("position").values_list("position", "event_id"))




@contextmanager
def triggers_off(table):
    """Someone with the database owner's rights changes rows behind the application's back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
            else:
                for statement in triggers._sqlite(table, triggers.PROTECTED[table]):
                    cursor.execute(statement)


def assert_triggers_back(table, row_id):
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {'reason' if table == 'audit_auditevent' else 'chain_hash'} = 'x' "
                       f"WHERE {'id' if table == 'audit_auditevent' else 'position'} = {row_id}")


# --- Sealing and verifying ----------------------------------------------------------------------


def test_seal_then_verify_gives_the_count_and_the_head_hash(db):
    created = events(5)
    ids = [event.pk for event in created]

    assert audit_log_seal(grace_seconds=0) == 5
    assert seals() == list(enumerate(ids, start=1))
    report = audit_log_verify()

    assert (report.ok, report.checked, report.head_position, report.problem) == (True, 5, 5, "")
    assert report.head_hash == expected_chain(ids)
    assert AuditSeal.objects.get(position=5).chain_hash == report.head_hash
    code, out, err = verify_command("--no-seal")
    assert code == 0 and err == ""
    assert "Events checked: 5" in out and f"Head hash:      {report.head_hash}" in out and "intact" in out


def test_sealing_twice_seals_nothing_new_and_verifying_an_empty_log_passes(db):
    assert audit_log_seal(grace_seconds=0) == 0
    empty = audit_log_verify()
    assert (empty.ok, empty.checked, empty.head_position, empty.head_hash) == (True, 0, 0, GENESIS)
    events(2)
    assert audit_log_seal(grace_seconds=0) == 2
    assert audit_log_seal(grace_seconds=0) == 0
    assert AuditSeal.objects.count() == 2


def test_the_grace_period_leaves_events_still_being_written_for_a_later_pass(db, settings):
    settings.AUDIT_SEAL_GRACE_SECONDS = 10
    old = events(2, occurred_at=timezone.now() - timedelta(minutes=1))
    fresh = events(1)
    out = StringIO()
    call_command("seal_audit_log", stdout=out)
    assert out.getvalue().splitlines()[0] == "Sealed 2 event(s)."
    assert [event_id for _position, event_id in seals()] == [event.pk for event in old]
    call_command("seal_audit_log", "--grace", "0", stdout=out)
    assert seals()[-1] == (3, fresh[0].pk)


def test_sealing_and_verifying_work_in_batches(db, monkeypatch):
    monkeypatch.setattr(chain, "SEAL_BATCH", 2)
    created = events(5)
    assert audit_log_seal(grace_seconds=0) == 5
    report = audit_log_verify(batch=2)
    assert (report.ok, report.checked, report.head_hash) == (True, 5, expected_chain([e.pk for e in created]))


def test_an_event_added_after_sealing_is_sealed_on_the_next_pass_and_the_chain_extends(db):
    first = events(3)
    audit_log_seal(grace_seconds=0)
    checkpoint = audit_log_verify()

    later = events(2)
    assert audit_log_verify().unsealed == 0  # not sealed yet, and above the head: not a problem
    assert audit_log_seal(grace_seconds=0) == 2
    assert seals()[-2:] == [(4, later[0].pk), (5, later[1].pk)]
    report = audit_log_verify()

    assert report.ok and (report.checked, report.head_position) == (5, 5)
    # The earlier head is a prefix of the later chain: the later head continues from it.
    assert AuditSeal.objects.get(position=checkpoint.head_position).chain_hash == checkpoint.head_hash
    assert report.head_hash == expected_chain([e.pk for e in later], start=checkpoint.head_hash)
    assert report.head_hash == expected_chain([e.pk for e in first + later])


def test_a_late_commit_below_the_head_is_sealed_after_it(db):
    """A request whose transaction outlives the grace commits an id below the sealed head: it is
    flagged until sealed, then sealed after the head, and nothing is left out."""
    base = (AuditEvent.objects.aggregate(last=Max("id"))["last"] or 0) + 1000
    early = AuditEvent.objects.create(id=base + 1, action=Action.SEARCHED, query="early")
    ahead = AuditEvent.objects.create(id=base + 3, action=Action.SEARCHED, query="ahead")
    audit_log_seal(grace_seconds=0)
    late = AuditEvent.objects.create(id=base + 2, action=Action.SEARCHED, query="late")

    waiting = audit_log_verify()
    assert not waiting.ok and waiting.unsealed == 1
    assert waiting.problem == "1 event(s) below the head are not sealed"
    code, _out, err = verify_command("--no-seal")
    assert code == 1 and "below the head are not sealed" in err

    assert audit_log_seal(grace_seconds=0) == 1
    assert seals() == [(1, early.pk), (2, ahead.pk), (3, late.pk)]
    report = audit_log_verify()
    assert report.ok and report.head_hash == expected_chain([early.pk, ahead.pk, late.pk])


# --- Tampering ----------------------------------------------------------------------------------


def test_an_event_altered_behind_the_apps_back_is_named(db):
    created = events(4)
    audit_log_seal(grace_seconds=0)
    victim = created[1]

    with triggers_off("audit_auditevent"), connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET target_id = 'E-99' WHERE id = {victim.pk}")
    assert_triggers_back("audit_auditevent", victim.pk)
    assert AuditEvent.objects.get(pk=victim.pk).target_id == "E-99"

    report = audit_log_verify()
    assert (report.ok, report.bad_event_id, report.checked) == (False, victim.pk, 1)
    assert report.problem == f"event {victim.pk} was altered after it was sealed"
    code, out, err = verify_command()
    assert code == 1
    assert f"TAMPERED: event {victim.pk} was altered after it was sealed" in err
    assert f"First event that does not match: {victim.pk}" in err
    assert "intact" not in out


@pytest.mark.parametrize(
    "change",
    {
        "time": {"occurred_at": F("occurred_at") + timedelta(microseconds=1)},
        "actor": {"actor_email": "someone.else@colombia.example.org"},
        "outcome": {"outcome": "denied"},
        "ip": {"ip": "192.0.2.1"},
        "details": {"details": {"n": 7}},
        "message version": {"message_version": 2},
    }.items(),
    ids=lambda item: item[0],
)
def test_a_change_to_any_column_is_detected(db, change):
    created = events(3)
    audit_log_seal(grace_seconds=0)
    with triggers_off("audit_auditevent"):
        assert AuditEvent.objects.filter(pk=created[2].pk).update(**change[1]) == 1
    report = audit_log_verify()
    assert (report.ok, report.bad_event_id, report.checked) == (False, created[2].pk, 2)


@pytest.mark.parametrize("how", ["archive permit", "triggers off"])
def test_a_deleted_event_is_detected(db, how):
    created = events(4)
    audit_log_seal(grace_seconds=0)
    victim = created[2]
    with triggers_off("audit_auditevent") if how == "triggers off" else nullcontext():
        if how == "archive permit":
            ArchivePermit.objects.create()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM audit_auditevent WHERE id = {victim.pk}")
        ArchivePermit.objects.all().delete()

    code, _out, err = verify_command()
    assert code == 1
    assert f"event {victim.pk} (seal 3) was removed" in err and f"First event that does not match: {victim.pk}" in err


def test_a_deleted_seal_and_a_rewritten_seal_are_detected(db):
    created = events(4)
    audit_log_seal(grace_seconds=0)

    with triggers_off("audit_auditseal"), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditseal SET chain_hash = '%s' WHERE position = 3" % ("f" * 64))
    report = audit_log_verify()
    assert (report.ok, report.problem, report.bad_event_id) == (False, "seal 3 does not follow the chain", created[2].pk)

    ArchivePermit.objects.create()
    AuditSeal.objects.filter(position=2).delete()
    ArchivePermit.objects.all().delete()
    report = audit_log_verify()
    assert (report.ok, report.problem, report.checked) == (False, "seal 2 is missing", 1)


def test_a_log_rewritten_with_fresh_seals_cannot_reproduce_the_old_head(db):
    """Whoever can rewrite events and seals gets a chain that verifies, but not the head hash kept
    as a checkpoint: that is what the checkpoints are for."""
    created = events(3)
    audit_log_seal(grace_seconds=0)
    checkpoint = audit_log_verify()

    with triggers_off("audit_auditevent"):
        AuditEvent.objects.filter(pk=created[0].pk).update(target_id="E-rewritten")
    ArchivePermit.objects.create()
    AuditSeal.objects.all().delete()
    ArchivePermit.objects.all().delete()
    audit_log_seal(grace_seconds=0)
    # The heads the sealing runs recorded give the rewrite away...
    assert "no longer in the chain" in audit_log_verify().problem
    # ...unless they are removed too (an owner's rights allow it); the kept checkpoint still does.
    ArchivePermit.objects.create()
    AuditHead.objects.exclude(chain_hash=AuditSeal.objects.order_by("-position").values_list("chain_hash", flat=True)[:1]).delete()
    ArchivePermit.objects.all().delete()
    forged = audit_log_verify()

    assert forged.ok and forged.head_position == checkpoint.head_position
    assert forged.head_hash != checkpoint.head_hash


def test_an_anchor_added_above_existing_seals_does_not_hide_an_altered_event(db):
    """An anchor is where the chain resumes after an archive removed the seals below it. One added
    by hand above seals still present must not let verify skip the events under it."""
    created = events(5)
    audit_log_seal(grace_seconds=0)
    checkpoint = audit_log_verify()
    with triggers_off("audit_auditevent"):
        AuditEvent.objects.filter(pk=created[1].pk).update(target_id="E-hidden")
    AuditAnchor.objects.create(
        position=3, chain_hash=AuditSeal.objects.get(position=3).chain_hash, archived_events=3,
        archived_before=timezone.now(), archive_file="/nowhere.jsonl", archive_sha256="0" * 64,
    )

    report = audit_log_verify()
    assert (report.ok, report.bad_event_id) == (False, created[1].pk)

    # Even with every event intact, such an anchor is reported.
    with triggers_off("audit_auditevent"):
        AuditEvent.objects.filter(pk=created[1].pk).update(target_id="E-1")
    report = audit_log_verify()
    assert not report.ok and report.problem == "anchor at seal 3 was not left by an archive: seals before it are still in the log"
    assert report.head_hash == checkpoint.head_hash


# --- Concurrency --------------------------------------------------------------------------------

WRITERS = 50
EVENTS_PER_WRITER = 4


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_writers_and_a_running_sealer_leave_every_event_sealed_once(audit_log_flushable):
    """Real commits, one database connection per thread, each closed at the end.

    PostgreSQL: the writers run truly concurrently and hold their transaction open a little after
    the insert, so ids commit out of order while the sealer (grace 0) passes again and again; some
    writers keep theirs open until the sealer has passed twice, so their ids are certainly committed
    below the sealed head and must be sealed after it. SQLite: an in-memory test database shared
    between threads cannot take two writers at once (its shared cache answers "table is locked"
    instead of waiting), so the same threads take turns through one lock: writers and the sealer
    still interleave in whatever order the threads reach the lock (late commits, impossible there,
    are covered by test_a_late_commit_below_the_head_is_sealed_after_it).
    """
    serialised = connection.vendor == "sqlite"
    turn = threading.Lock() if serialised else nullcontext()
    reader = UserFactory(email="reader@colombia.example.org")
    start = threading.Barrier(WRITERS + 1, timeout=60)
    writers_done = threading.Event()
    errors, sealed_while_writing = [], []
    passes = threading.Condition()
    completed_passes = [0]

    def hold_until_the_sealer_passed_twice():
        with passes:
            target = completed_passes[0] + 2
            assert passes.wait_for(lambda: completed_passes[0] >= target, timeout=30), "the sealer stopped"

    def writer(n):
        rng = random.Random(n)
        try:
            start.wait()
            for k in range(EVENTS_PER_WRITER):
                with turn, transaction.atomic():
                    audit_record(
                        action=Action.VIEWED_MESSAGE, actor=reader, target_type="message",
                        target_id=f"W{n:02d}-{k}", details={"writer": n, "k": k},
                    )
                    if not serialised:
                        if k == 1 and n % 10 == 0:
                            hold_until_the_sealer_passed_twice()
                        else:
                            time.sleep(rng.random() * 0.02)  # commit a little late, after higher ids
                time.sleep(rng.random() * 0.005)
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            errors.append(error)
        finally:
            connection.close()

    def sealer():
        try:
            start.wait()
            while not writers_done.is_set():
                with turn:
                    sealed_while_writing.append(audit_log_seal(grace_seconds=0))
                with passes:
                    completed_passes[0] += 1
                    passes.notify_all()
                time.sleep(0.002)
        except BaseException as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    sealing = threading.Thread(target=sealer)
    for thread in [sealing, *threads]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    writers_done.set()
    sealing.join(timeout=60)

    assert errors == []
    assert not any(thread.is_alive() for thread in [sealing, *threads])
    assert sum(sealed_while_writing) > 0, "the sealer never sealed anything while the writers ran"
    total = WRITERS * EVENTS_PER_WRITER
    assert AuditEvent.objects.count() == total

    audit_log_seal(grace_seconds=0)
    report = audit_log_verify()
    assert report.ok, report.problem
    assert (report.checked, report.head_position) == (total, total)
    positions, sealed_ids = zip(*seals())
    assert list(positions) == list(range(1, total + 1))
    sealed_after_a_higher_id = sum(1 for i in range(1, total) if sealed_ids[i] < max(sealed_ids[:i]))
    if not serialised:
        assert sealed_after_a_higher_id > 0, "no id was committed below the sealed head: the scenario did not happen"
    assert len(set(sealed_ids)) == total
    assert set(sealed_ids) == set(AuditEvent.objects.values_list("id", flat=True))
    assert {(e.target_id, e.actor_user_id) for e in AuditEvent.objects.all()} == {
        (f"W{n:02d}-{k}", reader.pk) for n in range(WRITERS) for k in range(EVENTS_PER_WRITER)
    }


# --- The recorded head: a deleted tail ---------------------------------------------------------------


def test_each_sealing_run_records_the_head_it_leaves_and_prints_it(db):
    events(3)
    out = StringIO()
    call_command("seal_audit_log", "--grace", "0", stdout=out)
    head = AuditHead.objects.get()
    last = AuditSeal.objects.order_by("-position").first()
    assert (head.position, head.event_id, head.chain_hash) == (last.position, last.event_id, last.chain_hash) == (3, last.event_id, expected_chain([e.id for e in AuditEvent.objects.order_by("id")]))
    assert f"Head: seal 3, event {last.event_id}, {last.chain_hash}" in out.getvalue()
    call_command("seal_audit_log", "--grace", "0", stdout=StringIO())
    assert AuditHead.objects.count() == 1  # nothing sealed, no new head


def test_removing_the_newest_events_with_their_seals_is_detected(db):
    """What an application that owned its tables could do: delete the tail, events and seals alike,
    leaving a chain that verifies from its start. The head recorded by the sealing run says otherwise."""
    created = events(5)
    audit_log_seal(grace_seconds=0)
    assert audit_log_verify().ok
    ArchivePermit.objects.create()  # the one way past the triggers, as an owner could take it
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal WHERE position > 3")
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id > {created[2].pk}")
    ArchivePermit.objects.all().delete()

    report = audit_log_verify()
    assert not report.ok and report.head_position == 3
    assert "left the head at seal 5" in report.problem and "removed from the end of the log" in report.problem

    # Sealing new events on the shortened chain does not hide it: seal 5 gets another hash.
    events(2)
    audit_log_seal(grace_seconds=0)
    code, _out, err = verify_command("--no-seal")
    assert code == 1 and "left the head at seal 5" in err


def test_recorded_heads_cannot_be_changed_or_removed(db):
    events(2)
    audit_log_seal(grace_seconds=0)
    for sql in ("UPDATE audit_audithead SET chain_hash = 'x'", "DELETE FROM audit_audithead"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditHead.objects.count() == 1


def test_a_checkpoint_kept_outside_the_database_must_be_in_the_chain(db):
    """A backup's anchor (ops/backup): the restored chain must reach it with the same hash."""
    events(4)
    audit_log_seal(grace_seconds=0)
    at_three = AuditSeal.objects.get(position=3).chain_hash
    code, out, _err = verify_command("--no-seal", "--expect-head", f"3:{at_three}")
    assert code == 0 and "Checkpoint 3 found in the chain." in out
    code, _out, err = verify_command("--no-seal", "--expect-head", f"9:{at_three}")
    assert code == 1 and "before the checkpoint 9" in err  # the tail after the backup's anchor is gone
    code, _out, err = verify_command("--no-seal", "--expect-head", f"3:{'0' * 64}")
    assert code == 1 and "does not have the checkpoint's hash" in err
