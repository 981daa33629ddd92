"""The one way into the access log. Every event goes through `audit_record`, never through Python
`logging` (which swallows errors): if the row cannot be written, the caller's action fails with it.
"""

import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from audit.context import client_ip, current_request
from audit.metrics import AUDIT_ROWS_WRITTEN, AUDIT_WRITE_FAILURES
from audit.models import Action, AuditEvent, Outcome

__all__ = ["Action", "Actor", "set_actor_resolver", "Outcome", "AuditWriteFailed", "audit_record", "audit_record_denial", "audit_records_for"]

ACTION_LABELS = dict(Action.choices)
ACTION_LABELS.update(
    {
        Action.INVITED: _("Invited"),
        Action.INVITATION_RESENT: _("Invitation sent again"),
        Action.INVITATION_REVOKED: _("Invitation revoked"),
        Action.INVITATION_ACCEPTED: _("Invitation accepted"),
        Action.ROLE_CHANGED: _("Role changed"),
        Action.DEACTIVATED: _("Deactivated"),
        Action.REACTIVATED: _("Reactivated"),
        Action.RULES_ACKNOWLEDGED: _("Confirmed the handling rules"),
        Action.ADMIN_ADDED: _("Created in the Django admin"),
        Action.ADMIN_CHANGED: _("Changed in the Django admin"),
        Action.ADMIN_DELETED: _("Deleted in the Django admin"),
    }
)

_MAX = {field.name: field.max_length for field in AuditEvent._meta.fields if getattr(field, "max_length", None)}


class AuditWriteFailed(Exception):
    """The access log could not record an event: whatever it was about must not happen or be shown."""


# Control and format characters, line and paragraph separators (U+2028/U+2029 end a line in many
# viewers) and lone surrogates (which cannot even be encoded for the database).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    # \x202e would read as "\x20" followed by "2e": wider characters get \uNNNN or \UNNNNNNNN.
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def neutralise(text, *, limit: int | None = None) -> str:
    """Text safe to log: control characters (newlines, escapes, NUL…) shown as \\xNN, cut to `limit`."""
    text = "" if text is None else str(text)
    cleaned = "".join(_escape(char) if unicodedata.category(char) in _UNSAFE_CATEGORIES else char for char in text)
    return cleaned[:limit] if limit else cleaned


def _clean_details(value):
    if isinstance(value, dict):
        return {neutralise(key, limit=100): _clean_details(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean_details(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return neutralise(value, limit=1000)


@dataclass(frozen=True)
class Actor:
    """Who acted, as the log records them: copied, never referenced, so that the row outlives them."""

    user_id: int
    email: str
    organisation_id: int | None = None
    organisation: str = ""
    role: str = ""


# The accounts layer, which knows organisations and roles, tells the log who a user is (set once at
# start-up by national_societies' AppConfig): the log sits below the accounts and imports nothing of them.
_actor_resolver = None


def set_actor_resolver(resolver) -> None:
    """`resolver(user) -> Actor | None`: the user's organisation and role as they are now."""
    global _actor_resolver
    _actor_resolver = resolver


def _actor_snapshot(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {}
    if not isinstance(actor, Actor):
        if _actor_resolver is None:
            raise ImproperlyConfigured("No actor resolver: national_societies must be installed.")
        actor = _actor_resolver(actor)
    snapshot = {"actor_user_id": actor.user_id, "actor_email": neutralise(actor.email, limit=_MAX["actor_email"])}
    if actor.organisation_id is not None:
        snapshot.update(
            actor_organisation_id=actor.organisation_id,
            actor_organisation=neutralise(actor.organisation, limit=_MAX["actor_organisation"]),
            actor_role=actor.role,
        )
    return snapshot


def _target_fields(target, target_type, target_id, message, version) -> dict:
    fields = {}
    if target is not None:
        fields["target_type"] = target_type or target._meta.model_name
        # An explicit id (the document's slug) wins over the primary key; it used to be dropped.
        fields["target_id"] = neutralise(target_id, limit=_MAX["target_id"]) if target_id else str(target.pk)
    else:
        fields["target_type"] = target_type
        fields["target_id"] = neutralise(target_id, limit=_MAX["target_id"])
    if message is not None:
        fields["message_identifier"] = message.identifier
    if version is not None:
        fields["message_version"] = version.number
    return fields


def audit_record(
    *,
    action: str,
    actor=None,
    target=None,
    target_type: str = "",
    target_id: str = "",
    message=None,
    version=None,
    outcome: str = Outcome.ALLOWED,
    reason: str = "",
    query: str = "",
    details: dict | None = None,
    admin_message: list | None = None,
    trace_code: str | None = None,
    request=None,
) -> AuditEvent:
    """Write one event, inside the caller's transaction, and return it.

    The actor's organisation and role are copied as they are now. Client IP, user agent and request
    id come from `request` or the request being served. `actor=None` with a `target` is a system
    action (the dormant-accounts command). Raises AuditWriteFailed if the row
    cannot be written.
    """
    fields = _event_fields(
        action=action, actor=actor, target=target, target_type=target_type, target_id=target_id, message=message,
        version=version, outcome=outcome, reason=reason, query=query, details=details, admin_message=admin_message,
        trace_code=trace_code, request=request, snapshot=_actor_snapshot(actor),
    )
    try:
        # No savepoint of its own: if the insert fails, the caller's whole transaction must fail.
        event = AuditEvent.objects.create(**fields)
    except DatabaseError as error:
        AUDIT_WRITE_FAILURES.inc()
        raise AuditWriteFailed(str(error)) from error
    AUDIT_ROWS_WRITTEN.inc()
    return event


def audit_record_many(*, actor, targets, action: str | None = None, request=None, **common) -> list[AuditEvent]:
    """One event per target (e.g. each note shown on a page), in one INSERT, with one actor snapshot.

    `targets` is a list of dicts of per-event arguments (action, target, target_type, message,
    details…); `action` and `common` are the defaults they override.
    """
    if not targets:
        return []
    snapshot = _actor_snapshot(actor)
    events = []
    for each in targets:
        fields = {"action": action, **common, **each}
        events.append(AuditEvent(**_event_fields(actor=actor, request=request, snapshot=snapshot, **fields)))
    try:
        written = AuditEvent.objects.bulk_create(events)
    except DatabaseError as error:
        AUDIT_WRITE_FAILURES.inc()
        raise AuditWriteFailed(str(error)) from error
    AUDIT_ROWS_WRITTEN.inc(len(written))
    return written


def _event_fields(
    *, action, actor, snapshot, target=None, target_type="", target_id="", message=None, version=None,
    outcome=Outcome.ALLOWED, reason="", query="", details=None, admin_message=None, trace_code=None, request=None,
) -> dict:
    request = request or current_request()
    details = dict(details or {})
    if admin_message:
        details["admin_message"] = admin_message
    if actor is None and target is not None:
        details["by_system"] = True
    fields = {
        "action": action,
        "outcome": outcome,
        "reason": neutralise(reason, limit=_MAX["reason"]),
        "query": neutralise(query, limit=_MAX["query"]),
        "details": _clean_details(details),
        "trace_code": trace_code or None,
        **snapshot,
        **_target_fields(target, target_type, target_id, message, version),
    }
    if request is not None:
        fields.update(
            ip=client_ip(request),
            user_agent=neutralise(request.META.get("HTTP_USER_AGENT", ""), limit=_MAX["user_agent"]),
            request_id=getattr(request, "audit_request_id", ""),
        )
    return fields


def audit_record_denial(*, request, reason: str) -> AuditEvent | None:
    """Record that the signed-in user was refused `request.path`. Called after the request's own
    transaction was rolled back, so the row survives it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return audit_record(
        action=Action.ACCESS_DENIED,
        actor=user,
        target_type="url",
        target_id=request.path,
        outcome=Outcome.DENIED,
        reason=reason,
        request=request,
    )


def audit_records_for(target) -> list[dict]:
    """What was recorded about `target`, oldest first, for the account history on the society pages."""
    events = AuditEvent.objects.filter(target_type=target._meta.model_name, target_id=str(target.pk)).order_by(
        "occurred_at", "id"
    )
    return [
        {
            "action": event.action,
            "label": ACTION_LABELS.get(event.action, event.action),
            "reason": event.reason,
            "details": event.details,
            "by_system": bool(event.details.get("by_system")),
            "actor_id": event.actor_user_id,
            "actor_email": event.actor_email,
            "at": event.occurred_at,
        }
        for event in events
    ]
