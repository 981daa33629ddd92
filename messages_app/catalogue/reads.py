"""The one door through which the library records what a reader was shown.

Every page, print and copy that shows canonical text or a society's note calls `record_shown` before
it renders: the access-log rows (the page, each note shown, each message read in full) in one INSERT,
and the reader's read receipts (MessageRead) for "what changed since your last visit", all in the
request's transaction. If the access log cannot be written, AuditWriteFailed is raised and the page
is not served (audit.middleware answers 503).
"""

from dataclasses import dataclass, field

from django.conf import settings

from audit.models import Action
from audit.services import audit_record_many
from messages_app.catalogue.models import MessageRead

__all__ = ["Action", "Read", "record_shown", "shown"]


@dataclass(frozen=True)
class Read:
    """A message whose text the page shows in full, and the version shown (its access-log row)."""

    message: object
    version: object
    details: dict = field(default_factory=dict)


def shown(messages, kind: str) -> list[Read]:
    """The current text of each of `messages`, shown by a page of `kind` (section, topic, search,
    briefing, print, editor, changes, message…), with the official translation shown beside it if any."""
    reads = []
    for message in messages:
        details = {"page": kind}
        translation = getattr(getattr(message, "shown", None), "translation", "")
        if translation:
            details["translation_shown"] = message.shown.language
        reads.append(Read(message, message.current_version, details))
    return reads


def is_silent(request) -> bool:
    """A request whose answer nobody reads: HEAD (no body is sent), or a browser's speculative
    prefetch (Purpose / Sec-Purpose: prefetch), which the read path answers without the text."""
    purpose = (request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or "").lower()
    return request.method == "HEAD" or "prefetch" in purpose


def record_shown(
    request,
    *,
    action=None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    message=None,
    version=None,
    query: str = "",
    details: dict | None = None,
    trace_code: str | None = None,
    notes=(),
    reads=(),
    document=None,
) -> list:
    """Record that this request shows its reader:
    - the page itself (`action` with its target, message and version, query, details, trace code);
    - each note in `notes` (one `note_viewed` row per note, own society's included);
    - each message in `reads` (a `viewed_message` row per Read).
    A `viewed_message` page and each Read also leave a read receipt (MessageRead).
    `document`: the document the page belongs to, named in each row (the console shows it).
    Nothing is recorded when AUDIT_READS_ENABLED is off (benchmarks only; production refuses it), nor
    for a silent request (HEAD, prefetch), whose answer carries no text (SilentReadsMiddleware).
    """
    if not settings.AUDIT_READS_ENABLED or is_silent(request):
        return []
    rows = []
    if action is not None:
        rows.append(
            {
                "action": action, "target": target, "target_type": target_type, "target_id": target_id,
                "message": message, "version": version, "query": query, "details": details, "trace_code": trace_code,
            }
        )
    rows += [
        {
            "action": Action.NOTE_VIEWED,
            "target": note,
            "target_type": "note",
            "message": note.message,
            "details": {"organisation": note.national_society.slug, "visibility": note.visibility},
        }
        for note in notes
    ]
    rows += [
        {
            "action": Action.VIEWED_MESSAGE, "target_type": "message", "target_id": read.message.identifier,
            "message": read.message, "version": read.version, "details": read.details,
        }
        for read in reads
    ]
    if document is not None:
        for row in rows:
            row["details"] = {**(row.get("details") or {}), "document": document.slug}
    events = audit_record_many(actor=request.user, request=request, targets=rows)
    receipts = list(reads)
    if action == Action.VIEWED_MESSAGE and message is not None and version is not None:
        receipts.append(Read(message, version))
    if receipts and request.user.is_authenticated:
        MessageRead.objects.bulk_create(
            [MessageRead(user_id=request.user.pk, message_id=r.message.pk, version_number=r.version.number) for r in receipts],
            ignore_conflicts=True,  # read before: the first reading's row stays
        )
    return events
