"""Writes of invitation batches: storing a checked list once confirmed, and sending its lines a few at
a time (the background job, national_societies/tasks.py). Each line is invited through
`invitation_create`, so each invitation has its own access-log row and its email in its language."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from core.rules import NotAllowed
from national_societies.invitation_batches.lists import (
    ListLine,
    ListReport,
    invitation_list_check,
)
from national_societies.models import (
    InvitationBatch,
    InvitationBatchLine,
    InvitationLineProblem,
)
from national_societies.permissions import can_manage_members_of
from national_societies.services import InvitationEmailFailed, invitation_create

Problem = InvitationLineProblem
Status = InvitationBatchLine.Status


def site_accept_url(token: str) -> str:
    """The invitation link as the job writes it, outside any request: on SITE_URL."""
    return settings.SITE_URL + reverse("national_societies:invitation_accept", args=[token])


def invitation_batch_create(*, created_by, national_society, report: ListReport) -> InvitationBatch:
    """Store the lines of a checked list that will be invited, as a batch for the job to send, with
    its access-log row. Nothing is sent here. Raises NotAllowed for someone who may not invite for
    `national_society`, ValidationError when no line can be invited."""
    can_manage_members_of(created_by, national_society).enforce()
    lines = report.to_invite
    if not lines:
        raise ValidationError(_("No line of this list can be invited: nothing was sent."))
    with transaction.atomic():
        batch = InvitationBatch.objects.create(
            national_society=national_society, created_by=created_by, left_out=len(report.left_out)
        )
        InvitationBatchLine.objects.bulk_create(
            InvitationBatchLine(
                batch=batch, line_number=line.number, email=line.email, name=line.name, role=line.role, language=line.language
            )
            for line in lines
        )
        audit_record(
            action=Action.INVITATION_BATCH_CREATED,
            actor=created_by,
            target=batch,
            details={
                "organisation": national_society.slug,
                "to_invite": len(lines),
                "left_out": {problem: count for problem, _label, count in report.problem_counts()},
            },
        )
    return batch


@dataclass
class BatchRun:
    sent: int = 0
    failed: int = 0


def _next_waiting_line() -> InvitationBatchLine | None:
    """The first waiting line, oldest batch first, locked; a line another run holds is skipped."""
    return (
        InvitationBatchLine.objects.filter(status=Status.WAITING)
        .select_related("batch__national_society", "batch__created_by")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("batch_id", "line_number")
        .first()
    )


def _problem_now(line: InvitationBatchLine) -> str | None:
    """The list's checks again, for this line alone: someone may have joined or been invited since,
    or whoever confirmed the batch may have lost the right to invite."""
    batch = line.batch
    if batch.created_by is None or not can_manage_members_of(batch.created_by, batch.national_society):
        return Problem.NOT_ALLOWED
    checked = invitation_list_check(
        lines=[ListLine(number=line.line_number, email=line.email, name=line.name, role=line.role, language=line.language)],
        national_society=batch.national_society,
        invited_by=batch.created_by,
    )
    return checked.lines[0].problem


def _send_line(line: InvitationBatchLine, build_accept_url) -> None:
    batch = line.batch
    line.problem, line.reason = _problem_now(line) or "", ""
    if not line.problem:
        try:
            with transaction.atomic():  # a refused invitation leaves nothing behind
                line.invitation = invitation_create(
                    invited_by=batch.created_by,
                    national_society=batch.national_society,
                    email=line.email,
                    role=line.role,
                    language=line.language,
                    build_accept_url=build_accept_url,
                )
        except NotAllowed:
            line.problem = Problem.NOT_ALLOWED
        except ValidationError as error:
            line.problem, line.reason = Problem.REFUSED, " ".join(error.messages)[:500]
        except InvitationEmailFailed:
            line.problem, line.reason = Problem.REFUSED, _("The invitation email could not be sent.")
    line.status = Status.FAILED if line.problem else Status.SENT
    line.processed_at = timezone.now()
    line.save(update_fields=["status", "problem", "reason", "invitation", "processed_at"])


def invitation_batches_send(*, limit: int, build_accept_url=site_accept_url) -> BatchRun:
    """Send (or fail, saying why) up to `limit` waiting lines of the batches, oldest batch first.

    Each line is claimed under a row lock (SELECT … FOR UPDATE SKIP LOCKED) and marked in the same
    transaction as its invitation: two runs at once share the lines, a run that dies sends nothing
    half-way, and a line done is never sent again. The invitation's email goes through the outbox.
    """
    run = BatchRun()
    for _turn in range(limit):
        with transaction.atomic():
            line = _next_waiting_line()
            if line is None:
                break
            _send_line(line, build_accept_url)
        if line.status == Status.SENT:
            run.sent += 1
        else:
            run.failed += 1
    return run
