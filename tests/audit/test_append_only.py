"""The access log is append-only: the model refuses changes and deletions, the database refuses
UPDATE, DELETE and TRUNCATE on the event, seal and anchor tables (except the archive's permit for
events and seals), and the Django admin only shows events."""

import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import Action, ArchivePermit, AuditAnchor, AuditEvent, AuditSeal, Outcome
from audit.services import audit_record

TABLES = ["audit_auditevent", "audit_auditseal", "audit_auditanchor"]


@pytest.fixture
def rows(db):
    """One row in each protected table."""
    event = AuditEvent.objects.create(action=Action.VIEWED_MESSAGE, message_identifier="ADV-03", reason="original")
    seal = AuditSeal.objects.create(position=1, event_id=event.pk, event_hash="a" * 64, chain_hash="b" * 64)
    anchor = AuditAnchor.objects.create(
        position=0, chain_hash="c" * 64, archived_events=0, archived_before="2020-01-01T00:00:00Z",
        archive_file="/backups/none.jsonl", archive_sha256="d" * 64,
    )
    return {"audit_auditevent": event, "audit_auditseal": seal, "audit_auditanchor": anchor}


def count(table) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        return cursor.fetchone()[0]


def refused(sql):
    """Run `sql` in a savepoint; the database must refuse it as the triggers say."""
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)


def allowed(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def empty_table_statement(table) -> str:
    """TRUNCATE on PostgreSQL; SQLite has none, and its DELETE without WHERE is what `flush` runs
    (row triggers disable SQLite's truncate shortcut, so they fire)."""
    return f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}"


# --- The model ----------------------------------------------------------------------------------


def test_saving_an_existing_event_again_is_refused(rows):
    event = rows["audit_auditevent"]
    event.reason = "rewritten"
    with pytest.raises(PermissionError, match="append-only"):
        event.save()
    loaded = AuditEvent.objects.get(pk=event.pk)
    loaded.reason = "rewritten"
    with pytest.raises(PermissionError):
        loaded.save(update_fields=["reason"])
    assert AuditEvent.objects.get(pk=event.pk).reason == "original"


def test_a_new_instance_with_an_existing_id_cannot_overwrite_it(rows):
    """The model's check only knows loaded rows; Django then tries an UPDATE, which the database refuses."""
    event = rows["audit_auditevent"]
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent(pk=event.pk, action=Action.LOGGED_IN, reason="forged").save()
    assert AuditEvent.objects.get(pk=event.pk).reason == "original"


def test_deleting_an_event_is_refused(rows):
    event = rows["audit_auditevent"]
    with pytest.raises(PermissionError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_bulk_update_and_delete_through_the_orm_fail_at_the_database(rows):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=rows["audit_auditevent"].pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all().delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditSeal.objects.update(chain_hash="0" * 64)
    assert AuditEvent.objects.get().reason == "original"
    assert AuditSeal.objects.get().chain_hash == "b" * 64


# --- The database -------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_raw_update_is_refused(rows, table):
    column = {"audit_auditevent": "reason", "audit_auditseal": "chain_hash", "audit_auditanchor": "chain_hash"}[table]
    before = getattr(rows[table], column)
    refused(f"UPDATE {table} SET {column} = 'x'")
    refused(f"UPDATE {table} SET {column} = 'x' WHERE {rows[table]._meta.pk.column} = {rows[table].pk}")
    type(rows[table]).objects.get(pk=rows[table].pk)  # still there
    assert getattr(type(rows[table]).objects.get(pk=rows[table].pk), column) == before


@pytest.mark.parametrize("table", TABLES)
def test_raw_delete_and_truncate_are_refused(rows, table):
    refused(f"DELETE FROM {table} WHERE {rows[table]._meta.pk.column} = {rows[table].pk}")
    refused(f"DELETE FROM {table}")
    refused(empty_table_statement(table))
    assert count(table) == 1


@pytest.mark.parametrize("table", TABLES)
def test_a_row_cannot_be_replaced_by_insert_or_replace_or_an_upsert(rows, table):
    """SQLite's REPLACE deletes the row it takes the place of without firing DELETE triggers; an
    upsert is an UPDATE. Either way, the row stays as it was."""
    row = rows[table]
    row = type(row).objects.get(pk=row.pk)  # as stored
    key = row._meta.pk.column
    columns = [f.column for f in row._meta.concrete_fields]
    params = [getattr(row, f.attname) for f in row._meta.concrete_fields]
    params = [p.isoformat() if hasattr(p, "isoformat") else (json.dumps(p) if isinstance(p, (dict, list)) else p) for p in params]
    if connection.vendor == "sqlite":
        for verb in ("INSERT OR REPLACE", "REPLACE"):
            with pytest.raises(DatabaseError, match="append-only"):
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)})", params)
    upsert = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('%s' for _ in columns)}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {columns[-1]} = excluded.{columns[-1]}"
    )
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(upsert, params)
    assert count(table) == 1
    fresh = type(row).objects.get(pk=row.pk)
    assert [getattr(fresh, f.attname) for f in row._meta.concrete_fields] == [getattr(row, f.attname) for f in row._meta.concrete_fields]


def test_update_and_delete_are_refused_when_the_row_was_inserted_in_the_same_transaction(db):
    """No window between insert and commit in which a row could still be edited."""
    with transaction.atomic():
        event = audit_record(action=Action.SEARCHED, query="first")
        refused(f"UPDATE audit_auditevent SET query = 'second' WHERE id = {event.pk}")
        refused(f"DELETE FROM audit_auditevent WHERE id = {event.pk}")
    assert AuditEvent.objects.get(pk=event.pk).query == "first"


def test_the_archive_permit_opens_deletion_of_events_and_seals_only(rows):
    ArchivePermit.objects.create()
    # Still never changed, permit or not.
    for table in TABLES:
        refused(f"UPDATE {table} SET chain_hash = 'x'" if table != "audit_auditevent" else f"UPDATE {table} SET reason = 'x'")
    # Anchors are never removed.
    refused("DELETE FROM audit_auditanchor")
    refused(empty_table_statement("audit_auditanchor"))
    # Events and seals may go: the archive's path.
    allowed(f"DELETE FROM audit_auditevent WHERE id = {rows['audit_auditevent'].pk}")
    allowed(empty_table_statement("audit_auditseal"))
    assert (count("audit_auditevent"), count("audit_auditseal"), count("audit_auditanchor")) == (0, 0, 1)
    # Once the permit is gone, the door closes again.
    ArchivePermit.objects.all().delete()
    AuditEvent.objects.create(action=Action.SEARCHED)
    refused("DELETE FROM audit_auditevent")


def test_an_empty_anchor_table_can_be_emptied_only_under_a_permit(db):
    """What Django's `flush` (after a transactional test) needs: on PostgreSQL a TRUNCATE of every
    table, which fires the anchor table's statement trigger even when it has no row."""
    assert count("audit_auditanchor") == 0
    if connection.vendor == "postgresql":
        refused("TRUNCATE audit_auditanchor")
    ArchivePermit.objects.create()
    allowed(empty_table_statement("audit_auditanchor"))
    allowed(empty_table_statement("audit_auditevent"))


def test_the_triggers_exist_on_every_protected_table(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT event_object_table, event_manipulation FROM information_schema.triggers "
                "WHERE event_object_table LIKE 'audit_%'"
            )
            found = set(cursor.fetchall())
            expected = {(table, op) for table in TABLES for op in ("UPDATE", "DELETE")}
            cursor.execute(
                "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgenabled = 'O' AND (t.tgtype & 32) <> 0"  # TRUNCATE triggers
            )
            truncate = {row[0] for row in cursor.fetchall()}
            assert set(TABLES) <= truncate
        else:
            cursor.execute("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            found = {(table, op) for table, sql in cursor.fetchall() for op in ("UPDATE", "DELETE") if f"BEFORE {op}" in sql}
            expected = {(table, op) for table in TABLES for op in ("UPDATE", "DELETE")}
    assert expected <= found


# --- The Django admin ---------------------------------------------------------------------------


def test_the_admin_shows_events_but_offers_no_add_change_or_delete(platform_admin_client, rows):
    event = rows["audit_auditevent"]
    changelist = platform_admin_client.get(reverse("admin:audit_auditevent_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert reverse("admin:audit_auditevent_change", args=[event.pk]) in html
    assert reverse("admin:audit_auditevent_add") not in html
    assert "delete_selected" not in html

    change_url = reverse("admin:audit_auditevent_change", args=[event.pk])
    page = platform_admin_client.get(change_url)
    assert page.status_code == 200
    assert "original" in page.content.decode()
    assert 'name="_save"' not in page.content.decode() and 'name="reason"' not in page.content.decode()

    assert platform_admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert platform_admin_client.post(reverse("admin:audit_auditevent_add"), {"action": "logged_in"}).status_code == 403
    assert platform_admin_client.post(change_url, {"action": "logged_in", "reason": "rewritten"}).status_code == 403
    delete_url = reverse("admin:audit_auditevent_delete", args=[event.pk])
    assert platform_admin_client.get(delete_url).status_code == 403
    assert platform_admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    platform_admin_client.post(
        reverse("admin:audit_auditevent_changelist"), {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    )

    assert AuditEvent.objects.get(pk=event.pk).reason == "original"
    # Each refusal is itself in the log.
    denials = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, outcome=Outcome.DENIED, reason="forbidden")
    assert set(denials.values_list("target_id", flat=True)) == {
        reverse("admin:audit_auditevent_add"), change_url, delete_url,
    }


def test_the_admin_offers_no_add_or_delete_for_seals(platform_admin_client, rows):
    seal = rows["audit_auditseal"]
    assert platform_admin_client.get(reverse("admin:audit_auditseal_changelist")).status_code == 200
    assert platform_admin_client.get(reverse("admin:audit_auditseal_add")).status_code == 403
    assert platform_admin_client.post(reverse("admin:audit_auditseal_delete", args=[seal.pk]), {"post": "yes"}).status_code == 403
    assert AuditSeal.objects.filter(pk=seal.pk).exists()
