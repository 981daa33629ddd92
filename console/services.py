"""Writes of the console: the access-log alerts, their digest email, and their triage."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.models import Action, AuditFlag
from audit.services import audit_record
from core.rules import NotAllowed
from national_societies.models import Membership, User
from national_societies.selectors import attach_recorded_organisations

from console.alerts import Rule, audit_flags_detect
from console.models import COMMENT_MAX_LENGTH, FlagAction, FlagStatus, FlagStep, FlagTriage
from console.permissions import can_be_assigned_flag, can_triage_flag


@dataclass
class AlertsReport:
    new_flags: int
    to_notify: int
    recipients: int  # focal points emailed; 0 when there was nothing to send or nobody to send it to


def absolute_url(path: str, site_url: str | None = None) -> str:
    """`path` on the site's address (settings.SITE_URL unless given): links in emails are absolute."""
    return (site_url or settings.SITE_URL).rstrip("/") + path


def audit_alerts_send(*, hours: int = 26, site_url: str | None = None, now=None) -> AlertsReport:
    """Run the alert rules over the last `hours` and email the flags not yet notified to the active
    IFRC and ICRC focal points, one digest each, in their language.

    Safe to run twice or at once: detection stores a flag once, and the flags to notify are locked
    (skipped by a concurrent run) and marked notified in the transaction that hands the emails to
    the email backend (the outbox, which stores them in that same transaction): a digest lists a
    flag once, and a run that fails marks nothing and sends nothing.
    """
    now = now or timezone.now()
    created = audit_flags_detect(start=now - timedelta(hours=hours), end=now)
    with transaction.atomic():
        pending = list(
            AuditFlag.objects.select_for_update(skip_locked=True)
            .filter(notified_at__isnull=True)
            .order_by("window_start", "id")
        )
        if not pending:
            return AlertsReport(len(created), 0, 0)
        recipients = list(
            User.objects.filter(
                is_active=True,
                membership__role=Membership.Role.FOCAL_POINT,
                membership__national_society__is_active=True,
            ).values_list("email", "language")
        )
        if not recipients:
            return AlertsReport(len(created), len(pending), 0)
        # Absolute links, built from SITE_URL and the URLconf: a mail client has no page to resolve
        # a relative link against.
        for flag in pending:
            flag.link = absolute_url(reverse("console:flag", args=[flag.pk]), site_url)
        attach_recorded_organisations(pending)  # each named in the recipient's language
        context = {"flags": pending, "labels": Rule.LABELS, "flags_url": absolute_url(reverse("console:flags"), site_url)}
        # Each focal point gets the digest in the language they chose (the site's default otherwise).
        languages = dict(settings.LANGUAGES)
        recipients = [(email, language if language in languages else settings.LANGUAGE_CODE) for email, language in recipients]
        digests = {}
        for language in {language for _email, language in recipients}:
            with translation.override(language):
                subject = gettext("%(count)d access-log alert(s)") % {"count": len(pending)}
                body = render_to_string("console/email/alerts_digest.txt", context)
            digests[language] = (f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body)
        # One email per focal point: recipients do not see each other's addresses.
        send_mass_mail([(*digests[language], None, [email]) for email, language in recipients])
        AuditFlag.objects.filter(pk__in=[flag.pk for flag in pending]).update(notified_at=now)
    return AlertsReport(len(created), len(pending), len(recipients))


# What each step leaves the flag's state at (None: unchanged).
_STATUS_AFTER = {
    FlagStep.ACKNOWLEDGE: FlagStatus.ACKNOWLEDGED,
    FlagStep.COMMENT: None,
    FlagStep.ASSIGN: None,
    FlagStep.CLOSE: FlagStatus.CLOSED,
    FlagStep.REOPEN: FlagStatus.OPEN,
}


@transaction.atomic
def flag_triage(*, acting_user, flag: AuditFlag, step: str, comment: str = "", assignee=None, request=None) -> FlagAction:
    """Take one triage step on `flag` (acknowledge, comment, assign, close, reopen) as `acting_user`,
    who must be one of its reviewers; `assignee` (for assign) must be one too. The step is kept in the
    flag's history and recorded in the access log, in one transaction; the flag itself is never
    changed or deleted. A comment is required to comment, optional otherwise.

    The flag's state row is locked first: two reviewers closing the same flag at once take turns, and
    the second is refused (a closed flag is not closed again)."""
    if step not in FlagStep.values:
        raise NotAllowed(gettext("Unknown step."))
    triage, _created = FlagTriage.objects.get_or_create(flag=flag)
    triage = FlagTriage.objects.select_for_update().get(pk=triage.pk)
    can_triage_flag(acting_user, flag, step, triage.status).enforce()
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise NotAllowed(gettext("A comment is at most %(n)d characters.") % {"n": COMMENT_MAX_LENGTH})
    if step == FlagStep.COMMENT and not comment:
        raise NotAllowed(gettext("Write a comment first."))
    if step == FlagStep.ASSIGN:
        if assignee is None:
            raise NotAllowed(gettext("Choose whom to assign it to."))
        can_be_assigned_flag(assignee, flag).enforce()
        triage.assignee = assignee
    else:
        assignee = None
    status = _STATUS_AFTER[step]
    if status is not None:
        triage.status = status
    triage.updated_at = timezone.now()
    triage.save()
    action = FlagAction.objects.create(flag=flag, step=step, actor=acting_user, assignee=assignee, comment=comment)
    details = {"step": step, "status": triage.status, "rule": flag.rule}
    if assignee is not None:
        details["assignee"] = assignee.email
    if comment:
        details["comment"] = comment[:500]
    audit_record(
        action=Action.FLAG_TRIAGED, actor=acting_user, target_type="audit_flag", target_id=str(flag.pk), details=details, request=request
    )
    return action
