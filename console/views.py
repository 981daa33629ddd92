"""The access-log review console. Focal points and platform admins see every organisation; a
society admin, their own; members get 404. Views are thin: a selector, a form, a template."""

import csv
import re
import unicodedata
import time
from datetime import timedelta

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from console import selectors, services
from console.alerts import Rule
from console.forms import EventFilterForm, FlagTriageForm
from console.models import FlagStatus, FlagStep
from audit.models import Action
from console.permissions import can_review_access_log, reviewable_organisation_ids
from audit.services import audit_record
from core.flash import flash_outcome
from national_societies.selectors import attach_recorded_organisations
from national_societies.step_up import Purpose, step_up_redirect

# A CSV export needs a second factor entered within this many seconds (step-up).
EXPORT_STEP_UP_SECONDS = 300
EXPORT_BATCH = 2000
CSV_COLUMNS = [
    "id", "occurred_at", "actor_email", "actor_organisation", "actor_role", "action", "outcome", "reason",
    "target_type", "target_id", "message_identifier", "message_version", "query", "ip", "user_agent", "request_id",
]


def _filter_form(request):
    organisations = selectors.reviewable_organisations(fetched_by=request.user)
    slug = request.GET.get("organisation")
    if slug and not selectors.is_reviewable_organisation(fetched_by=request.user, slug=slug):
        raise Http404  # another organisation's events (or no organisation at all): as if there were none
    return EventFilterForm(request.GET or None, organisations=organisations)


def _invalid(form) -> bool:
    """Filters that do not validate select nothing: never every event behind an error."""
    return form.is_bound and not form.is_valid()


@require_safe
def events(request):
    if not can_review_access_log(request.user):
        raise Http404
    form = _filter_form(request)
    if _invalid(form):
        page = selectors.EventPage([], None)
    else:
        page = selectors.event_page(fetched_by=request.user, filters=form.to_filters(), cursor=request.GET.get("after", ""))
    attach_recorded_organisations(page.events)
    query = request.GET.copy()
    query.pop("after", None)
    return render(
        request,
        "console/events.html",
        {
            "form": form,
            "page": page,
            "filter_query": query.urlencode(),
            "sees_all": reviewable_organisation_ids(request.user) is None,
        },
    )


def _recent_mfa(request) -> bool:
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    return any(r.get("method") == "mfa" and time.time() - r.get("at", 0) <= EXPORT_STEP_UP_SECONDS for r in records)


class _Echo:
    def write(self, value):
        return value


def _csv_rows(queryset):
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_COLUMNS)
    last = None
    while True:
        batch = queryset
        if last is not None:
            batch = selectors.after_cursor(queryset, selectors.encode_cursor(last))
        rows = list(batch[:EXPORT_BATCH])
        for event in rows:
            yield writer.writerow([_csv_safe(getattr(event, column)) for column in CSV_COLUMNS])
        if len(rows) < EXPORT_BATCH:
            return
        last = rows[-1]


# What a spreadsheet may take for the start of a formula, in a cell or after a separator it splits
# cells on (a locale's ";", or ","), once full-width forms (＝ ＋ － ＠) are read as the ASCII ones.
_FORMULA_START = re.compile(r"(?:^|[;,])\s*[=+\-@\t\r]")


def _csv_safe(value):
    """No spreadsheet formula injection: a text cell that could start a formula gets a leading quote."""
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, (int, float)) or hasattr(value, "isoformat"):
        return text  # numbers and times: a leading "-" is a sign, not a formula
    return "'" + text if _FORMULA_START.search(unicodedata.normalize("NFKC", text)) else text


def _exported_organisation(request, filters):
    """The organisation whose log an export holds: the one filtered on, or a society admin's own; None
    when it holds every organisation's."""
    if filters.organisation is not None:
        return filters.organisation
    own = reviewable_organisation_ids(request.user)
    return selectors.reviewable_organisations(fetched_by=request.user).first() if own is not None and len(own) == 1 else None


@require_GET  # not HEAD: a HEAD would record an export that sends nothing
def export(request):
    """The filtered events as CSV, streamed. A fresh second factor first; the export is itself recorded."""
    if not can_review_access_log(request.user):
        raise Http404
    form = _filter_form(request)
    if _invalid(form):
        # Back to the console, which shows what is wrong: never the whole log instead.
        return redirect(reverse("console:events") + "?" + request.GET.urlencode())
    filters = form.to_filters()
    if not _recent_mfa(request):
        return step_up_redirect(request, purpose=Purpose.EXPORT_ACCESS_LOG, organisation=_exported_organisation(request, filters))
    queryset = selectors.filtered_events(fetched_by=request.user, filters=filters)
    audit_record(
        action=Action.EXPORTED_LOG,
        actor=request.user,
        target_type="access_log",
        details={key: str(value) for key, value in form.cleaned_data.items() if value} if form.is_bound and form.is_valid() else {},
        request=request,
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(_csv_rows(queryset), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    return response


@require_safe
def message_readers(request, identifier):
    """Who opened a message (?document=<slug>; default: the library's first document)."""
    days = 90
    since = timezone.now() - timedelta(days=days)
    document = selectors.document_by_slug(request.GET.get("document", ""))
    readers = attach_recorded_organisations(
        selectors.message_readers(fetched_by=request.user, document=document, identifier=identifier, since=since)
    )
    return render(
        request, "console/message_readers.html",
        {"identifier": identifier.upper(), "document": document, "readers": readers, "days": days},
    )


@require_safe
def organisation(request, organisation_slug):
    activity = selectors.organisation_activity(fetched_by=request.user, slug=organisation_slug)
    peak = max([views for _week, views in activity.weeks] or [0]) or 1
    return render(request, "console/organisation.html", {"activity": activity, "peak": peak})


# The regional overview's sortable columns, in the table's order: (sort key, heading).
OVERVIEW_COLUMNS = [
    ("name", _("Organisation")),
    ("active", _("Active accounts (30 days)")),
    ("reads", _("Reads (30 days)")),
    ("opened", _("Opened the current edition")),
    ("notes", _("Local notes")),
    ("alerts", _("Open alerts")),
]


def _sort_headers(current: str, columns):
    """Each column's link and aria-sort: a click sorts by it, a second click reverses the order."""
    headers = []
    for key, label in columns:
        direction = "descending" if current == f"-{key}" else "ascending" if current == key else None
        headers.append(
            {"key": key, "label": label, "aria_sort": direction, "query": urlencode({"sort": f"-{key}" if current == key else key})}
        )
    return headers


@require_safe
def regional_overview(request):
    overview = selectors.regional_overview(fetched_by=request.user, sort=request.GET.get("sort", ""))
    return render(
        request,
        "console/regional_overview.html",
        {"overview": overview, "headers": _sort_headers(overview.sort, OVERVIEW_COLUMNS)},
    )


FLAG_FILTER_LABELS = [("open", _("Open")), ("closed", _("Closed")), ("all", _("All alerts"))]


@require_safe
def flags(request):
    status = selectors.flag_filter(request.GET.get("status"))
    page_obj = Paginator(selectors.flag_list(fetched_by=request.user, status=status), 50).get_page(request.GET.get("page"))
    page_obj.object_list = attach_recorded_organisations(page_obj.object_list)
    return render(
        request,
        "console/flags.html",
        {"page_obj": page_obj, "labels": Rule.LABELS, "status": status, "filters": FLAG_FILTER_LABELS, "statuses": dict(FlagStatus.choices)},
    )


@require_safe
def flag(request, flag_id):
    flag = selectors.flag_detail(fetched_by=request.user, flag_id=flag_id)
    events = list(
        selectors.filtered_events(fetched_by=request.user, filters=selectors.EventFilters(event_ids=flag.event_ids))[:500]
    )
    attach_recorded_organisations([flag])
    return render(
        request,
        "console/flag.html",
        {
            "flag": flag,
            "events": events,
            "labels": Rule.LABELS,
            "status": selectors.flag_status(flag),
            "statuses": dict(FlagStatus.choices),
            "steps": dict(FlagStep.choices),
            "history": selectors.flag_history(fetched_by=request.user, flag=flag),
            "form": FlagTriageForm(assignees=selectors.flag_assignees(fetched_by=request.user, flag=flag)),
        },
    )


@require_POST
def flag_triage(request, flag_id):
    """One triage step (the form's `step`), then back to the flag with what happened."""
    flag = selectors.flag_detail(fetched_by=request.user, flag_id=flag_id)
    form = FlagTriageForm(request.POST, assignees=selectors.flag_assignees(fetched_by=request.user, flag=flag))
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    else:
        flash_outcome(
            request,
            lambda: services.flag_triage(
                acting_user=request.user,
                flag=flag,
                step=form.cleaned_data["step"],
                comment=form.cleaned_data["comment"],
                assignee=form.cleaned_data["assignee"],
                request=request,
            ),
            FLAG_STEP_DONE[form.cleaned_data["step"]],
        )
    return redirect("console:flag", flag_id=flag.pk)


FLAG_STEP_DONE = {
    FlagStep.ACKNOWLEDGE: _("Alert acknowledged."),
    FlagStep.COMMENT: _("Comment added."),
    FlagStep.ASSIGN: _("Alert assigned."),
    FlagStep.CLOSE: _("Alert closed. It stays listed under Closed."),
    FlagStep.REOPEN: _("Alert reopened."),
}
