"""The one function through which the app records what people did.

Account administration (invitations, role changes, deactivations, changes made in the Django
admin, acknowledgements of the handling rules) is recorded here today, as Django admin history
(`LogEntry`), so that platform admins can already read it in the admin. The access-log issue
replaces the storage with the append-only audit table; the callers do not change.
"""

import json

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType


class Action:
    """The catalogue of recorded actions (extended by the access-log issue)."""

    INVITED = "invited"
    INVITATION_RESENT = "invitation_resent"
    INVITATION_REVOKED = "invitation_revoked"
    INVITATION_ACCEPTED = "invitation_accepted"
    ROLE_CHANGED = "role_changed"
    DEACTIVATED = "deactivated"
    REACTIVATED = "reactivated"
    RULES_ACKNOWLEDGED = "rules_acknowledged"
    ADMIN_ADDED = "admin_added"
    ADMIN_CHANGED = "admin_changed"
    ADMIN_DELETED = "admin_deleted"


_FLAGS = {Action.ADMIN_ADDED: ADDITION, Action.ADMIN_DELETED: DELETION, Action.INVITED: ADDITION}


def audit_record(
    *, action: str, actor, target, reason: str = "", details: dict | None = None, admin_message: list | None = None
) -> LogEntry:
    """Record that `actor` did `action` to `target`, inside the caller's transaction.

    Never swallows an error: if the record cannot be written the caller's action fails with it.
    `admin_message` is the Django admin's own description of a change, kept so that the admin's
    history page still reads it. `actor` is None for a system action (the dormant-accounts command) on a user: Django's admin
    history needs a user, so the entry is filed under the account acted on, marked "by the system".
    """
    message = {"action": action}
    if actor is None:
        message["by_system"] = True
        actor = target
    if reason:
        message["reason"] = reason
    if details:
        message["details"] = details
    return LogEntry.objects.create(
        user_id=actor.pk,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        object_repr=str(target)[:200],
        action_flag=_FLAGS.get(action, CHANGE),
        change_message=json.dumps([*(admin_message or []), {"key_messages": message}], ensure_ascii=False, default=str),
    )


def audit_records_for(target) -> list[dict]:
    """What was recorded about `target`, oldest first: each the decoded message plus who and when."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
    ).order_by("action_time", "pk")
    records = []
    for entry in entries:
        try:
            payload = next(m["key_messages"] for m in json.loads(entry.change_message) if "key_messages" in m)
        except (ValueError, LookupError, TypeError, StopIteration):
            payload = {"action": "admin", "details": entry.get_change_message()}
        records.append({**payload, "actor_id": entry.user_id, "at": entry.action_time})
    return records

