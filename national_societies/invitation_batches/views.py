"""Inviting many people at once: the list, its report, the confirmation, the batch's progress."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import (
    require_http_methods,
    require_POST,
    require_safe,
)

from national_societies import selectors as society_selectors
from national_societies.invitation_batches import lists, selectors, services
from national_societies.invitation_batches.forms import (
    InvitationBatchConfirmForm,
    InvitationListForm,
)
from national_societies.services import allowed_domains_of
from national_societies.tasks import queue_invitation_batches

RECENT_BATCHES = 10


def _report(request, society, report, text, *, changed=False):
    confirm = InvitationBatchConfirmForm(initial={"text": text, "digest": report.digest})
    return render(
        request,
        "national_societies/invitation_batches/invitations_bulk_report.html",
        {"society": society, "report": report, "confirm_form": confirm, "changed": changed, "rate": settings.INVITATION_BATCH_RATE},
    )


@require_http_methods(["GET", "POST"])
def invitations_bulk(request, society_slug):
    """The list to paste or upload; posted, its report (nothing is sent until confirmed)."""
    society = society_selectors.managed_society(slug=society_slug, fetched_by=request.user)
    form = InvitationListForm(request.POST, request.FILES) if request.method == "POST" else InvitationListForm()
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["list_text"]
        try:
            report = lists.invitation_list_read_and_check(text=text, national_society=society, invited_by=request.user)
        except lists.ListRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            return _report(request, society, report, text)
    return render(
        request,
        "national_societies/invitation_batches/invitations_bulk.html",
        {
            "society": society,
            "form": form,
            "domains": allowed_domains_of(society),
            "batches": selectors.invitation_batches_of(national_society=society, fetched_by=request.user)[:RECENT_BATCHES],
            "max_lines": lists.MAX_LINES,
            "max_kb": lists.MAX_BYTES // 1024,
        },
    )


@require_POST
def invitations_bulk_send(request, society_slug):
    """"Send N invitations": the list is checked again and stored as a batch if its report is unchanged."""
    society = society_selectors.managed_society(slug=society_slug, fetched_by=request.user)
    form = InvitationBatchConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nothing was sent: the list did not come through. Paste it or choose the file again."))
        return redirect("national_societies:invitations_bulk", society.slug)
    text = form.cleaned_data["text"]
    try:
        report = lists.invitation_list_read_and_check(text=text, national_society=society, invited_by=request.user)
    except lists.ListRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("national_societies:invitations_bulk", society.slug)
    if report.digest != form.cleaned_data["digest"]:
        return _report(request, society, report, text, changed=True)
    try:
        batch = services.invitation_batch_create(created_by=request.user, national_society=society, report=report)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _report(request, society, report, text)
    # The first invitations leave at once; the job sends the others, INVITATION_BATCH_RATE a minute.
    transaction.on_commit(queue_invitation_batches)
    count = len(report.to_invite)
    messages.success(
        request,
        ngettext(
            "%(n)s invitation is on its way. This page shows how far the sending has got.",
            "%(n)s invitations are on their way. This page shows how far the sending has got.",
            count,
        )
        % {"n": count},
    )
    return redirect("national_societies:invitation_batch", society.slug, batch.pk)


@require_safe
def invitation_batch(request, society_slug, batch_id):
    """A batch's progress: each line sent, waiting or failed (and why)."""
    society = society_selectors.managed_society(slug=society_slug, fetched_by=request.user)
    batch = selectors.managed_invitation_batch(national_society=society, batch_id=batch_id, fetched_by=request.user)
    return render(
        request,
        "national_societies/invitation_batches/invitation_batch.html",
        {"society": society, "batch": batch, "lines": list(batch.lines.all()), "rate": settings.INVITATION_BATCH_RATE},
    )
