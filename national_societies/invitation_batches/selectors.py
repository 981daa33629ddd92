"""Reads of invitation batches, limited to the organisations the requesting user manages: another
organisation's batch answers 404, like one that does not exist."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from national_societies.models import (
    InvitationBatch,
    InvitationBatchLine,
    NationalSociety,
)
from national_societies.permissions import can_manage_members_of

Status = InvitationBatchLine.Status


def _with_progress(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("created_by").annotate(
        total=Count("lines"),
        sent=Count("lines", filter=Q(lines__status=Status.SENT)),
        waiting=Count("lines", filter=Q(lines__status=Status.WAITING)),
        failed=Count("lines", filter=Q(lines__status=Status.FAILED)),
    )


def invitation_batches_of(*, national_society: NationalSociety, fetched_by) -> QuerySet:
    """The organisation's batches, newest first, with how many lines are sent, waiting and failed."""
    if not can_manage_members_of(fetched_by, national_society):
        raise Http404
    return _with_progress(InvitationBatch.objects.filter(national_society=national_society)).order_by("-created_at", "-pk")


def managed_invitation_batch(*, national_society: NationalSociety, batch_id: int, fetched_by) -> InvitationBatch:
    """One batch of the organisation, with its progress, or 404."""
    batch = invitation_batches_of(national_society=national_society, fetched_by=fetched_by).filter(pk=batch_id).first()
    if batch is None:
        raise Http404
    return batch
