"""Retention: `archive_audit_log` exports the start of the chain to a file and removes it through
the one sanctioned path, leaving an anchor from which `verify_audit_log` continues; `verify_audit_log
--archive` checks a file; nothing younger than AUDIT_RETENTION_DAYS goes, nothing is overwritten,
nothing tampered with is archived."""

import hashlib
import importlib
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit import archive as archive_module
from audit.chain import GENESIS, audit_log_seal, audit_log_verify, chain_step, event_hash
from audit.models import Action, ArchivePermit, AuditAnchor, AuditEvent, AuditSeal
from audit.services import AuditWriteFailed
from tests.audit_log import verify_command

triggers = importlib.import_module("audit.migrations.0002_append_only_triggers")
DAY = timedelta(days=1)


# --- Helpers ------------------------------------------------------------------------------------


def events_at(count, days_ago, label):
    at = timezone.now() - timedelta(days=days_ago)
    return [
        AuditEvent.objects.create(
            occurred_at=at + i * timedelta(seconds=1), action=Action.VIEWED_MESSAGE,
            actor_email="lectora@colombia.example.org", target_type="message", target_id=f"{label}-{i}",
            message_identifier="ADV-03", message_version=1, details={"label": label},
        )
        for i in range(count)
    ]


def day(days_ago) -> str:
    return (timezone.now() - timedelta(days=days_ago)).date().isoformat()


def archive(before, path):
    out = StringIO()
    call_command("archive_audit_log", "--before", before, "--to", str(path), stdout=out)
    return out.getvalue()




def lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_lines(path, records):
    path.write_text("".join(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n" for record in records), encoding="utf-8")


def sha256_of(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ids(objects):
    return [obj.pk for obj in objects]


@pytest.fixture
def log(db):
    """Three events six years old, then two recent ones, all sealed; the verified head as checkpoint."""
    old = events_at(3, 6 * 365, "old")
    recent = events_at(2, 1, "recent")
    audit_log_seal(grace_seconds=0)
    seals = {position: (event, chain) for position, event, chain in AuditSeal.objects.values_list("position", "event_hash", "chain_hash")}
    return {"old": old, "recent": recent, "checkpoint": audit_log_verify(), "seals": seals}


@pytest.fixture
def archived(log, tmp_path):
    path = tmp_path / "backups" / "access-log.jsonl"  # the folder does not exist yet
    output = archive(day(2000), path)
    return {**log, "path": path, "output": output}


# --- Refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize("days_ago", [30, 1000, 1824])
def test_archiving_inside_the_retention_period_is_refused(log, tmp_path, days_ago):
    path = tmp_path / "access-log.jsonl"
    with pytest.raises(CommandError, match=r"Events are kept 1825 days \(AUDIT_RETENTION_DAYS\)"):
        archive(day(days_ago), path)
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.count() == 5 and AuditSeal.objects.count() == 5 and not AuditAnchor.objects.exists()


def test_the_retention_period_is_the_setting(log, tmp_path, settings):
    settings.AUDIT_RETENTION_DAYS = 3000
    with pytest.raises(CommandError, match="Events are kept 3000 days"):
        archive(day(2500), tmp_path / "a.jsonl")
    settings.AUDIT_RETENTION_DAYS = 10
    assert "Archived 3 event(s)" in archive(day(100), tmp_path / "a.jsonl")


def test_an_existing_target_file_is_refused_and_left_alone(log, tmp_path):
    path = tmp_path / "access-log.jsonl"
    path.write_text("an earlier archive\n")
    with pytest.raises(CommandError, match="already exists: archives are never overwritten"):
        archive(day(2000), path)
    assert path.read_text() == "an earlier archive\n"
    assert AuditEvent.objects.count() == 5 and not AuditAnchor.objects.exists()


def test_nothing_to_archive_and_a_malformed_date_are_refused(log, tmp_path):
    with pytest.raises(CommandError, match="nothing to archive"):
        archive(day(10 * 365), tmp_path / "a.jsonl")
    with pytest.raises(CommandError, match="--before must be a date"):
        archive("01/01/2020", tmp_path / "a.jsonl")
    assert list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.count() == 5


def test_a_tampered_log_is_not_archived(log, tmp_path):
    """Removing the rows of a chain that does not verify would take the evidence away."""
    victim = log["old"][1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(f"UPDATE audit_auditevent SET actor_email = 'x@example.org' WHERE id = {victim.pk}")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute(f"UPDATE audit_auditevent SET actor_email = 'x@example.org' WHERE id = {victim.pk}")
            cursor.execute(triggers._sqlite("audit_auditevent", True)[0])
    with pytest.raises(CommandError, match=f"does not verify at seal 2 \\(event {victim.pk}\\)"):
        archive(day(2000), tmp_path / "a.jsonl")
    assert list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.filter(pk=victim.pk).exists() and AuditSeal.objects.count() == 5


def test_a_failed_archive_leaves_no_file_and_changes_nothing(log, tmp_path, monkeypatch):
    def audit_down(**kwargs):
        raise AuditWriteFailed("disk full (simulated)")

    monkeypatch.setattr(archive_module, "audit_record", audit_down)
    path = tmp_path / "a.jsonl"
    with pytest.raises(AuditWriteFailed):
        archive(day(2000), path)
    assert not path.exists() and list(tmp_path.iterdir()) == []
    assert AuditEvent.objects.count() == 5 and AuditSeal.objects.count() == 5
    assert not AuditAnchor.objects.exists() and not ArchivePermit.objects.exists()


# --- Archiving ----------------------------------------------------------------------------------


def test_archive_writes_the_file_removes_exactly_those_events_and_leaves_an_anchor(archived):
    path, old, recent, checkpoint = archived["path"], archived["old"], archived["recent"], archived["checkpoint"]

    records = lines(path)
    header, body, footer = records[0], records[1:-1], records[-1]
    assert header == {"format": "key-messages-access-log-archive/1", "from_position": 0, "from_hash": GENESIS,
                      "before": f"{day(2000)}T00:00:00+00:00"}
    assert [(r["seal"]["position"], r["seal"]["event_id"], r["event"]["id"]) for r in body] == [
        (1, old[0].pk, old[0].pk), (2, old[1].pk, old[1].pk), (3, old[2].pk, old[2].pk),
    ]
    assert [r["event"]["target_id"] for r in body] == ["old-0", "old-1", "old-2"]
    # The file's chain, recomputed here from its own lines.
    chain = GENESIS
    for record in body:
        assert event_hash(record["event"]) == record["seal"]["event_hash"]
        chain = chain_step(chain, record["seal"]["event_hash"])
        assert chain == record["seal"]["chain_hash"]
    assert footer == {"to_position": 3, "to_hash": chain, "events": 3}
    assert chain == archived["seals"][3][1]  # the hash the third seal had in the database
    assert [(r["seal"]["event_hash"], r["seal"]["chain_hash"]) for r in body] == [archived["seals"][p] for p in (1, 2, 3)]
    assert f"Archived 3 event(s) to {path}" in archived["output"]
    assert f"resumes from seal 3, hash {chain}" in archived["output"]

    # Exactly those events and their seals are gone; the anchor keeps where the chain resumes.
    assert set(AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE).values_list("id", flat=True)) == set(ids(recent))
    assert list(AuditSeal.objects.values_list("position", flat=True)) == [4, 5]
    anchor = AuditAnchor.objects.get()
    assert (anchor.position, anchor.chain_hash, anchor.archived_events, anchor.archive_file, anchor.archive_sha256) == (
        3, chain, 3, str(path), sha256_of(path),
    )
    assert not ArchivePermit.objects.exists()

    # …and that it did so is itself recorded.
    [record] = AuditEvent.objects.filter(action=Action.ARCHIVED_LOG)
    assert (record.target_type, record.target_id) == ("access_log", "up to seal 3")
    assert record.details == {
        "events": 3, "before": f"{day(2000)}T00:00:00+00:00", "file": str(path), "sha256": sha256_of(path), "anchor": chain,
    }

    # The chain continues from the anchor: same head as before, then the archive's own event.
    code, out, err = verify_command("--no-seal")
    assert code == 0 and err == "" and "intact" in out and "Events checked: 2" in out
    report = audit_log_verify()
    assert report.ok and (report.checked, report.head_position, report.head_hash) == (2, 5, checkpoint.head_hash)
    audit_log_seal(grace_seconds=0)
    report = audit_log_verify()
    assert report.ok and (report.checked, report.head_position) == (3, 6)
    assert report.head_hash == chain_step(checkpoint.head_hash, event_hash(AuditEvent.objects.filter(pk=record.pk).values().get()))


def test_verify_archive_passes_on_the_file_written(archived):
    code, out, err = verify_command("--archive", str(archived["path"]))
    assert code == 0 and err == ""
    assert "The archive is intact: 3 events, seals 1–3" in out
    assert "checked against its seals and the database's anchor" in out


def test_a_second_archive_continues_from_the_first_anchor(db, tmp_path):
    oldest = events_at(2, 8 * 365, "oldest")
    older = events_at(2, 7 * 365, "older")
    recent = events_at(1, 1, "recent")
    audit_log_seal(grace_seconds=0)
    checkpoint = audit_log_verify()

    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    archive(day(int(7.5 * 365)), first)
    archive(day(6 * 365), second)

    assert [r["event"]["id"] for r in lines(first)[1:-1]] == ids(oldest)
    header = lines(second)[0]
    assert (header["from_position"], header["from_hash"]) == (2, lines(first)[-1]["to_hash"])
    assert [r["event"]["id"] for r in lines(second)[1:-1]] == ids(older)
    assert list(AuditAnchor.objects.values_list("position", "archived_events")) == [(2, 2), (4, 2)]
    assert set(AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE).values_list("id", flat=True)) == set(ids(recent))
    for path in (first, second):
        assert verify_command("--archive", str(path))[0] == 0
    report = audit_log_verify()
    assert report.ok and report.head_hash == checkpoint.head_hash and report.checked == 1


def test_only_the_start_of_the_chain_is_archived(db, tmp_path):
    """An old event sealed after a recent one (its transaction was long, or it was imported) stays:
    removing it would leave a hole in the chain."""
    old = events_at(2, 6 * 365, "old")
    recent = events_at(1, 1, "recent")
    straggler = events_at(1, 6 * 365, "straggler")
    audit_log_seal(grace_seconds=0)

    archive(day(2000), tmp_path / "a.jsonl")

    assert [r["event"]["id"] for r in lines(tmp_path / "a.jsonl")[1:-1]] == ids(old)
    assert AuditEvent.objects.filter(pk__in=ids(recent + straggler)).count() == 2
    assert audit_log_verify().ok


# --- A tampered archive -------------------------------------------------------------------------


def _edit_event(records):
    records[2]["event"]["actor_email"] = "someone.else@example.org"
    return records, f"event {records[2]['event']['id']} does not match its seal"


def _drop_line(records):
    del records[2]
    return records, "seal 2 is missing"


def _cut_the_end(records):
    return records[:-1], "the archive is truncated or its end does not match"


def _change_the_count(records):
    records[-1]["events"] = 2
    return records, "event count does not match"


def _swap_the_seal(records):
    records[1]["seal"]["event_id"] = records[2]["event"]["id"]
    return records, "seal 1 is not the seal of event"


def _content_after_the_end(records):
    return records + [{"seal": {}, "event": {}}], "content after the end of the archive"


def _recompute_the_chain(records):
    """A careful forger: changes an event and recomputes every hash of the file."""
    records[1]["event"]["actor_email"] = "someone.else@example.org"
    chain = records[0]["from_hash"]
    for record in records[1:-1]:
        record["seal"]["event_hash"] = event_hash(record["event"])
        chain = chain_step(chain, record["seal"]["event_hash"])
        record["seal"]["chain_hash"] = chain
    records[-1]["to_hash"] = chain
    return records, "the chain at seal 3 does not match the anchor kept in the database"


TAMPERINGS = {
    "an event edited": _edit_event,
    "a line removed": _drop_line,
    "the end cut off": _cut_the_end,
    "the count changed": _change_the_count,
    "a seal given to another event": _swap_the_seal,
    "content after the end": _content_after_the_end,
    "the chain recomputed": _recompute_the_chain,
}


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_archive_is_detected(archived, tampering):
    path = archived["path"]
    records, problem = TAMPERINGS[tampering](lines(path))
    write_lines(path, records)
    code, out, err = verify_command("--archive", str(path))
    assert code == 1 and "intact" not in out
    assert "TAMPERED" in err and problem in err, err


def test_an_archive_rewritten_byte_for_byte_differently_is_detected(archived):
    """Same records, other bytes (keys reordered): every hash still matches, the file does not."""
    path = archived["path"]
    path.write_text("".join(json.dumps(r, sort_keys=False) + "\n" for r in reversed_keys(lines(path))), encoding="utf-8")
    code, _out, err = verify_command("--archive", str(path))
    assert code == 1 and "not the one archive_audit_log wrote" in err


def reversed_keys(records):
    return [dict(reversed(list(record.items()))) for record in records]


@pytest.mark.parametrize("garbage", ["{not json", "", '["a", "list"]', '{"seal": {"position": 2}}'])
def test_a_corrupted_archive_line_is_reported_not_a_crash(archived, garbage):
    path = archived["path"]
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = garbage
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    code, _out, err = verify_command("--archive", str(path))
    assert code == 1 and "TAMPERED" in err


@pytest.mark.db_independent
def test_a_missing_archive_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the archive .*: No such file or directory"):
        verify_command("--archive", str(tmp_path / "missing.jsonl"))


def test_an_archive_checked_without_its_anchor_relies_on_the_file_alone(archived):
    """On another machine (or after the database was restored elsewhere) the file still verifies."""
    path = archived["path"]
    copy = path.with_name("copy.jsonl")
    copy.write_bytes(path.read_bytes())
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditanchor DISABLE TRIGGER USER")
            cursor.execute("DELETE FROM audit_auditanchor")
            cursor.execute("ALTER TABLE audit_auditanchor ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditanchor_no_delete")
            cursor.execute("DELETE FROM audit_auditanchor")
            cursor.execute(triggers._sqlite("audit_auditanchor", False)[1])
    code, out, _err = verify_command("--archive", str(copy))
    assert code == 0 and "checked against its seals)" in out
