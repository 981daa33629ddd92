"""Retention: export old events to a file, then remove them through the one sanctioned path.

The file holds the events with their seals, between the anchor the chain started from and the new
anchor it resumes from; `archive_verify` recomputes that part of the chain from the file alone.
"""

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from datetime import timezone as dt_timezone
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from audit.chain import GENESIS, HASHED_FIELDS, _lock, _value, audit_log_seal, chain_step, event_hash
from audit.models import Action, ArchivePermit, AuditAnchor, AuditEvent, AuditSeal
from audit.services import audit_record

FORMAT = "key-messages-access-log-archive/1"
BATCH = 5000


class ArchiveRefused(Exception):
    pass


class NothingToArchive(ArchiveRefused):
    """No sealed event before the date: not an error for the daily job."""


class ArchiveExists(ArchiveRefused):
    """The target file exists: for the daily job, that day's archive is done."""


@dataclass
class ArchiveReport:
    archived: int
    anchor_position: int
    anchor_hash: str
    path: Path
    sha256: str


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def audit_log_archive(*, before: datetime, to: Path, now=None) -> ArchiveReport:
    """Export, then delete, every sealed event older than `before` at the start of the chain.

    Refused for a date inside the retention period. The events removed are the longest run of the
    chain, from its start, whose events all happened before `before`; the chain then resumes from a
    new anchor (position and hash of the last archived seal).
    """
    now = now or timezone.now()
    if before > now - timedelta(days=settings.AUDIT_RETENTION_DAYS):
        raise ArchiveRefused(
            f"Events are kept {settings.AUDIT_RETENTION_DAYS} days (AUDIT_RETENTION_DAYS): "
            f"choose a date before {(now - timedelta(days=settings.AUDIT_RETENTION_DAYS)):%Y-%m-%d}."
        )
    to = Path(to)
    if to.exists():
        raise ArchiveExists(f"{to} already exists: archives are never overwritten.")
    audit_log_seal()
    written = []
    try:
        return _archive(before=before, to=to, written=written)
    except BaseException:
        # The file is only an archive if the events it holds were removed with it: a failed or
        # rolled-back transaction must not leave a file that claims otherwise (and blocks --to).
        for path in written:
            path.unlink(missing_ok=True)
        raise


def audit_log_archive_expired(*, directory: Path | None = None, now=None) -> ArchiveReport | None:
    """The daily job: archive what AUDIT_RETENTION_DAYS lets go, up to the start of the day that
    many days ago, to `<AUDIT_ARCHIVE_DIR>/access-log-before-<day>.jsonl`. None when there is
    nothing (yet) to archive, or when that day's archive was already written by an earlier run.
    """
    now = now or timezone.now()
    day = (now - timedelta(days=settings.AUDIT_RETENTION_DAYS)).date()
    to = Path(directory or settings.AUDIT_ARCHIVE_DIR) / f"access-log-before-{day:%Y-%m-%d}.jsonl"
    try:
        return audit_log_archive(before=datetime.combine(day, time.min, tzinfo=dt_timezone.utc), to=to, now=now)
    except (NothingToArchive, ArchiveExists):
        return None


def _archive(*, before: datetime, to: Path, written: list) -> ArchiveReport:
    with transaction.atomic():
        _lock()
        start = AuditAnchor.objects.order_by("-position").values_list("position", "chain_hash").first() or (0, GENESIS)
        newer = AuditEvent.objects.filter(occurred_at__gte=before).values("id")
        stop = AuditSeal.objects.filter(event_id__in=newer).aggregate(first=Min("position"))["first"]
        last_position = (stop - 1) if stop else (AuditSeal.objects.order_by("-position").values_list("position", flat=True).first() or start[0])
        if last_position <= start[0]:
            raise NothingToArchive("No sealed event before that date: nothing to archive.")
        to.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=to.parent, prefix=".archive-", suffix=".jsonl")
        count, chain = 0, start[1]
        event_ids = []
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(json.dumps({"format": FORMAT, "from_position": start[0], "from_hash": start[1], "before": before.isoformat()}) + "\n")
                position = start[0]
                while position < last_position:
                    seals = list(
                        AuditSeal.objects.filter(position__gt=position, position__lte=last_position)
                        .order_by("position")
                        .values("position", "event_id", "event_hash", "chain_hash")[:BATCH]
                    )
                    if not seals:
                        raise ArchiveRefused(f"Seal {position + 1} is missing: run verify_audit_log; nothing was archived.")
                    events = {v["id"]: v for v in AuditEvent.objects.filter(id__in=[s["event_id"] for s in seals]).values(*HASHED_FIELDS)}
                    for seal in seals:
                        # Only an intact chain is archived: removing the rows of a tampered one would
                        # take the evidence away with them.
                        stored = events.get(seal["event_id"])
                        if (
                            seal["position"] != position + 1
                            or stored is None
                            or event_hash(stored) != seal["event_hash"]
                            or chain_step(chain, seal["event_hash"]) != seal["chain_hash"]
                        ):
                            raise ArchiveRefused(
                                f"The access log does not verify at seal {position + 1} (event {seal['event_id']}): "
                                "run verify_audit_log; nothing was archived."
                            )
                        values = {name: _value(value) for name, value in stored.items()}
                        out.write(json.dumps({"seal": seal, "event": values}, ensure_ascii=False, sort_keys=True) + "\n")
                        chain = seal["chain_hash"]
                        event_ids.append(seal["event_id"])
                        position = seal["position"]
                        count += 1
                out.write(json.dumps({"to_position": last_position, "to_hash": chain, "events": count}) + "\n")
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, to)
            written.append(to)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        sha256 = _file_sha256(to)
        # The sanctioned path: while the permit row exists (inside this transaction only), the
        # triggers let these rows go.
        permit = ArchivePermit.objects.create()
        for offset in range(0, len(event_ids), BATCH):
            AuditEvent.objects.filter(id__in=event_ids[offset : offset + BATCH]).delete()
        AuditSeal.objects.filter(position__lte=last_position).delete()
        ArchivePermit.objects.filter(pk=permit.pk).delete()
        AuditAnchor.objects.create(
            position=last_position,
            chain_hash=chain,
            archived_events=count,
            archived_before=before,
            archive_file=str(to),
            archive_sha256=sha256,
        )
        audit_record(
            action=Action.ARCHIVED_LOG,
            target_type="access_log",
            target_id=f"up to seal {last_position}",
            details={"events": count, "before": before.isoformat(), "file": str(to), "sha256": sha256, "anchor": chain},
        )
    return ArchiveReport(count, last_position, chain, to, sha256)


def archive_verify(path: Path) -> tuple[bool, str]:
    """Recompute the chain stored in an archive file. (ok, explanation).

    The file alone proves that its events match its seals and that its seals follow one another.
    When this database still holds the anchor the archive ended at, the file must also end at the
    anchor's hash and be the very file written (same SHA-256): a file whose chain was recomputed
    after an edit cannot reach the anchor's hash.
    """
    path = Path(path)
    line_number = 1
    try:
        with path.open(encoding="utf-8") as handle:
            header = json.loads(handle.readline())
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                return False, "not an access-log archive"
            position, chain = header["from_position"], header["from_hash"]
            footer = None
            for line_number, line in enumerate(handle, start=2):
                record = json.loads(line)
                if footer is not None:
                    return False, f"line {line_number}: content after the end of the archive"
                if "to_hash" in record:
                    footer = record
                    continue
                seal, event = record["seal"], record["event"]
                if seal["position"] != position + 1:
                    return False, f"seal {position + 1} is missing"
                if seal["event_id"] != event["id"]:
                    return False, f"seal {seal['position']} is not the seal of event {event['id']}"
                if event_hash(event) != seal["event_hash"]:
                    return False, f"event {event['id']} does not match its seal"
                chain = chain_step(chain, seal["event_hash"])
                if chain != seal["chain_hash"]:
                    return False, f"seal {seal['position']} does not follow the chain"
                position = seal["position"]
        if footer is None or footer["to_hash"] != chain or footer["to_position"] != position:
            return False, "the archive is truncated or its end does not match"
        if footer["events"] != position - header["from_position"]:
            return False, "the archive's event count does not match its seals"
    except (ValueError, KeyError, TypeError, AttributeError) as error:  # JSONDecodeError is a ValueError
        return False, f"line {line_number}: not a well-formed archive record ({type(error).__name__}: {error})"
    for anchor_position, expected_hash in ((header["from_position"], header["from_hash"]), (position, chain)):
        if anchor_position == 0:
            continue
        anchor = AuditAnchor.objects.filter(position=anchor_position).values_list("chain_hash", flat=True).first()
        if anchor is not None and anchor != expected_hash:
            return False, f"the chain at seal {anchor_position} does not match the anchor kept in the database"
    written = AuditAnchor.objects.filter(position=position).values_list("archive_sha256", flat=True).first()
    if written is not None and written != _file_sha256(path):
        return False, "the file is not the one archive_audit_log wrote (its SHA-256 differs from the anchor's)"
    compared = " and the database's anchor" if written is not None else ""
    return True, (
        f"{footer['events']} events, seals {header['from_position'] + 1}–{position}, ending at {chain}"
        f" (checked against its seals{compared})"
    )
