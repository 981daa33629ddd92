"""The hash chain over the access log, as a transparency log keeps one.

Requests only insert events; they never wait for each other. `audit_log_seal` (run by the
`seal_audit_log` command every minute, and before verifying or archiving) appends the events that
have no seal yet, in id order, to the chain:

    event_hash = SHA-256(canonical JSON of the event's columns)
    chain_hash(n) = SHA-256(chain_hash(n-1) + event_hash(n)), chain_hash(0) = the anchor's or 64 zeros

Events are sealed once they are older than a grace period, so that a request still running when
the sealer passes cannot commit an id below the chain's head. If one does anyway (a transaction
longer than the grace), it is sealed on a later pass, after the head: nothing is ever left out.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.models import AuditAnchor, AuditEvent, AuditHead, AuditSeal

GENESIS = "0" * 64
SEAL_BATCH = 5000
# Late events are looked for this far below the highest sealed id (ids are handed out in order).
LATE_WINDOW_IDS = 100_000
_ADVISORY_LOCK = 7_340_512  # any constant: one sealer at a time on PostgreSQL

HASHED_FIELDS = [field.attname for field in AuditEvent._meta.concrete_fields]


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def event_hash(values: dict) -> str:
    """SHA-256 of the event's columns as stored, in a fixed order with sorted JSON keys."""
    canonical = json.dumps(
        {name: _value(values[name]) for name in HASHED_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def chain_step(previous: str, current_event_hash: str) -> str:
    return hashlib.sha256((previous + current_event_hash).encode()).hexdigest()


def _start():
    """(position, chain hash) the chain continues from: the last seal, else the last anchor, else 0."""
    last = AuditSeal.objects.order_by("-position").values_list("position", "chain_hash").first()
    if last:
        return last
    anchor = AuditAnchor.objects.order_by("-position").values_list("position", "chain_hash").first()
    return anchor or (0, GENESIS)


def _lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])


def audit_log_seal(*, grace_seconds: int | None = None, now=None) -> int:
    """Seal every event older than the grace period that has no seal yet. Returns how many."""
    grace = settings.AUDIT_SEAL_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = (now or timezone.now()) - timedelta(seconds=grace)
    sealed = 0
    while True:
        with transaction.atomic():
            _lock()
            position, chain = _start()
            head_event = AuditSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first() or 0
            candidates = list(
                AuditEvent.objects.filter(id__gt=max(0, head_event - LATE_WINDOW_IDS), occurred_at__lte=cutoff)
                .filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("id"))))
                .order_by("id")
                .values(*HASHED_FIELDS)[:SEAL_BATCH]
            )
            seals = []
            for values in candidates:
                position += 1
                current = event_hash(values)
                chain = chain_step(chain, current)
                seals.append(AuditSeal(position=position, event_id=values["id"], event_hash=current, chain_hash=chain))
            AuditSeal.objects.bulk_create(seals)
            if seals:
                # The head as this run leaves it, kept apart from the seals (see AuditHead).
                last = seals[-1]
                AuditHead.objects.create(position=last.position, event_id=last.event_id, chain_hash=last.chain_hash)
        sealed += len(seals)
        if len(seals) < SEAL_BATCH:
            return sealed


def audit_log_head_describe() -> str:
    """The head the last sealing run recorded, as the sealing jobs print it to their log."""
    head = AuditHead.objects.order_by("-position").first()
    if head is None:
        return "No head recorded yet."
    return f"Head: seal {head.position}, event {head.event_id}, {head.chain_hash} ({head.recorded_at:%Y-%m-%d %H:%M:%S} UTC)"


@dataclass
class VerifyReport:
    ok: bool
    checked: int
    head_position: int
    head_hash: str
    problem: str = ""
    bad_event_id: int | None = None
    unsealed: int = 0


def audit_log_verify(*, batch: int = 10_000) -> VerifyReport:
    """Recompute the chain from the anchor (or the start) and compare every seal and every event.

    Reports the first event whose stored columns no longer give its sealed hash, a seal whose event
    is gone, a broken link between seals, a gap in positions, or an anchor that no archive left.
    The chain starts from the anchor just below the first seal still present (or from the start).
    """
    latest_anchor = AuditAnchor.objects.order_by("-position").values_list("position", "chain_hash").first()
    first_seal = AuditSeal.objects.order_by("position").values_list("position", "event_id").first()
    if first_seal is None:
        position, chain = latest_anchor or (0, GENESIS)
    elif first_seal[0] == 1:
        position, chain = 0, GENESIS
    else:
        # The chain resumes from the anchor left by the archive that removed the seals before it,
        # not from the latest anchor: an anchor added above seals still present must not let the
        # events below it go unchecked (their head hash, the checkpoint, would not change).
        anchor = AuditAnchor.objects.filter(position=first_seal[0] - 1).values_list("position", "chain_hash").first()
        if anchor is None:
            below = (
                AuditAnchor.objects.filter(position__lt=first_seal[0]).order_by("-position")
                .values_list("position", "chain_hash").first()
            ) or (0, GENESIS)
            return _broken(0, below[0], below[1], f"seal {below[0] + 1} is missing", first_seal[1])
        position, chain = anchor
    start_position = position
    checked = 0
    last_position = position
    while True:
        seals = list(
            AuditSeal.objects.filter(position__gt=last_position)
            .order_by("position")
            .values_list("position", "event_id", "event_hash", "chain_hash")[:batch]
        )
        if not seals:
            break
        events = {
            values["id"]: values
            for values in AuditEvent.objects.filter(id__in=[seal[1] for seal in seals]).values(*HASHED_FIELDS)
        }
        for seal_position, event_id, sealed_event_hash, sealed_chain_hash in seals:
            if seal_position != last_position + 1:
                return _broken(checked, last_position, chain, f"seal {last_position + 1} is missing", event_id)
            values = events.get(event_id)
            if values is None:
                return _broken(checked, last_position, chain, f"event {event_id} (seal {seal_position}) was removed", event_id)
            if event_hash(values) != sealed_event_hash:
                return _broken(checked, last_position, chain, f"event {event_id} was altered after it was sealed", event_id)
            chain = chain_step(chain, sealed_event_hash)
            if chain != sealed_chain_hash:
                return _broken(checked, last_position, chain, f"seal {seal_position} does not follow the chain", event_id)
            last_position = seal_position
            checked += 1
    head = AuditSeal.objects.order_by("-event_id").values_list("event_id", flat=True).first() or 0
    unsealed = (
        AuditEvent.objects.filter(id__lte=head)
        .filter(~Exists(AuditSeal.objects.filter(event_id=OuterRef("id"))))
        .count()
    )
    if unsealed:
        return VerifyReport(False, checked, last_position, chain, f"{unsealed} event(s) below the head are not sealed", None, unsealed)
    lost = _lost_head(latest_anchor[0] if latest_anchor else 0)
    if lost is not None:
        return VerifyReport(
            False, checked, last_position, chain,
            f"the log ends at seal {last_position}, but the sealing run of {lost.recorded_at:%Y-%m-%d %H:%M:%S} UTC "
            f"left the head at seal {lost.position} (event {lost.event_id}, {lost.chain_hash[:16]}…), which is no longer "
            "in the chain: events were removed from the end of the log",
            lost.event_id,
        )
    if latest_anchor is not None and latest_anchor[0] > start_position:
        # Archiving removes the seals up to its anchor in the same transaction: this anchor was not
        # left by an archive.
        return VerifyReport(
            False, checked, last_position, chain,
            f"anchor at seal {latest_anchor[0]} was not left by an archive: seals before it are still in the log",
        )
    return VerifyReport(True, checked, last_position, chain)


def _lost_head(archived_up_to: int):
    """The first recorded head (above what was archived) that no seal of the chain matches, or None."""
    matched = AuditSeal.objects.filter(position=OuterRef("position"), chain_hash=OuterRef("chain_hash"))
    return (
        AuditHead.objects.filter(position__gt=archived_up_to)
        .filter(~Exists(matched))
        .order_by("position")
        .first()
    )


def _broken(checked, position, chain, problem, event_id):
    return VerifyReport(False, checked, position, chain, problem, event_id)
