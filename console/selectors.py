"""Reads of the access log for the review console, always scoped to what the reviewer may see.

Pages are newest first with keyset pagination on (occurred_at, id): no OFFSET and no count over
the table, so a page costs the same at ten million rows as at ten.
"""

import base64
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncWeek
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from messages_app.catalogue.models import DOCUMENT_SLUG, Document, Edition
from messages_app.notes.models import ContextNote
from national_societies.models import Membership, NationalSociety, User

from audit.models import Action, AuditEvent, AuditFlag
from console.models import FlagStatus, FlagTriage
from console.permissions import (
    REVIEW_ALL_ROLES,
    can_review_access_log,
    can_review_flag,
    can_see_regional_overview,
    reviewable_organisation_ids,
)

PAGE_SIZE = 50
READ_ACTIONS = [
    Action.VIEWED_DOCUMENT,
    Action.VIEWED_SECTION,
    Action.VIEWED_MESSAGE,
    Action.VIEWED_TOPIC,
    Action.SEARCHED,
    Action.PRINTED,
    Action.COPIED_MESSAGE,
]


def _require_reviewer(user):
    if not can_review_access_log(user):
        raise Http404


def scoped_events(*, fetched_by):
    """Every event `fetched_by` may read."""
    _require_reviewer(fetched_by)
    organisation_ids = reviewable_organisation_ids(fetched_by)
    events = AuditEvent.objects.all()
    if organisation_ids is not None:
        events = events.filter(actor_organisation_id__in=organisation_ids)
    return events


def reviewable_organisations(*, fetched_by):
    organisation_ids = reviewable_organisation_ids(fetched_by)
    organisations = NationalSociety.objects.order_by("name")
    if organisation_ids is not None:
        organisations = organisations.filter(pk__in=organisation_ids)
    return organisations


SLUG_RE = re.compile(r"[-a-zA-Z0-9_]+")


def is_reviewable_organisation(*, fetched_by, slug: str) -> bool:
    """Whether `fetched_by` may review the organisation `slug`. Not a slug (a NUL character, which
    PostgreSQL refuses in a query, or anything else): no such organisation, without asking."""
    if not SLUG_RE.fullmatch(slug):
        return False
    return reviewable_organisations(fetched_by=fetched_by).filter(slug=slug).exists()


@dataclass
class EventFilters:
    organisation: NationalSociety | None = None
    user_email: str = ""
    action: str = ""
    message: str = ""
    outcome: str = ""
    trace_code: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive
    event_ids: list | None = None


def filtered_events(*, fetched_by, filters: EventFilters):
    events = scoped_events(fetched_by=fetched_by)
    if filters.organisation is not None:
        allowed = reviewable_organisation_ids(fetched_by)
        if allowed is not None and filters.organisation.pk not in allowed:
            raise Http404
        events = events.filter(actor_organisation_id=filters.organisation.pk)
    if filters.user_email:
        user_id = User.objects.filter(email__iexact=filters.user_email).values_list("pk", flat=True).first()
        # Failed sign-ins carry the typed address and no organisation: only reviewers of every
        # organisation can see them, and only for them is the (slower) OR worth its cost.
        failed_logins = (
            Q(target_type="login", target_id=filters.user_email.lower())
            if reviewable_organisation_ids(fetched_by) is None
            else Q(pk__in=[])
        )
        if user_id is not None:
            events = events.filter(Q(actor_user_id=user_id) | failed_logins)
        else:
            # An account that no longer exists: its events keep the address as it was typed then.
            events = events.filter(Q(actor_email__iexact=filters.user_email) | failed_logins)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.message:
        events = events.filter(message_identifier=filters.message.upper())
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.trace_code:
        events = events.filter(trace_code=filters.trace_code)
    if filters.since:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__lt=filters.until)
    if filters.event_ids is not None:
        events = events.filter(pk__in=filters.event_ids)
    return events.order_by("-occurred_at", "-id")


def encode_cursor(event) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


MAX_EVENT_ID = 2**63 - 1  # a bigint


def decode_cursor(cursor: str):
    """(occurred_at, id) from a cursor, or None if it is not one of ours."""
    try:
        moment, _, pk = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        parsed = datetime.fromisoformat(moment)
        # In UTC here: a time that only overflows once converted (year 1 at +05:00) is refused now,
        # not as an OverflowError inside the query.
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt_timezone.utc)).astimezone(dt_timezone.utc)
        pk = int(pk)
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    if not 0 < pk <= MAX_EVENT_ID:
        return None
    return parsed, pk


def after_cursor(events, cursor):
    position = decode_cursor(cursor) if cursor else None
    if position is None:
        return events
    moment, pk = position
    # The plain `occurred_at <= t` bound lets PostgreSQL start the index scan at the cursor; the OR
    # alone is not an index bound and made every page (and the export) read all newer rows again.
    return events.filter(occurred_at__lte=moment).filter(Q(occurred_at__lt=moment) | Q(occurred_at=moment, id__lt=pk))


@dataclass
class EventPage:
    events: list
    next_cursor: str | None


def event_page(*, fetched_by, filters: EventFilters, cursor: str = "", size: int = PAGE_SIZE) -> EventPage:
    events = list(after_cursor(filtered_events(fetched_by=fetched_by, filters=filters), cursor)[: size + 1])
    has_more = len(events) > size
    events = events[:size]
    return EventPage(events, encode_cursor(events[-1]) if has_more and events else None)


def document_by_slug(slug: str) -> Document:
    """The document a console page is about (default: the library's first); 404 for an unknown slug."""
    slug = slug or DOCUMENT_SLUG
    # A slug, or nothing asked of the database (PostgreSQL refuses a NUL character in a query).
    document = Document.objects.filter(slug=slug).first() if re.fullmatch(r"[-a-zA-Z0-9_]{1,50}", slug) else None
    if document is None:
        raise Http404
    return document


def of_document(document) -> Q:
    """Access-log rows about `document`: they name it (catalogue.reads.record_shown); rows written
    before the library held several documents name none and are the first document's."""
    named = Q(details__document=document.slug)
    return named | ~Q(details__has_key="document") if document.slug == DOCUMENT_SLUG else named


def message_readers(*, fetched_by, document, identifier: str, since: datetime):
    """Who viewed a message since `since`: one row per account, with how often and when last.

    Grouped by account only: an account whose role, organisation or address changed between two
    views is still one row, shown as it was at its latest view.
    """
    views = scoped_events(fetched_by=fetched_by).filter(
        action=Action.VIEWED_MESSAGE, message_identifier=identifier.upper(), occurred_at__gte=since
    ).filter(of_document(document))
    # Group first (one pass over the message's index range), then fetch each account's latest view
    # by primary key: correlated subqueries inside the GROUP BY ran once per view (31 s at 10M rows).
    rows = list(
        views.values("actor_user_id")
        .annotate(views=Count("id"), last_viewed=Max("occurred_at"), latest_id=Max("id"))
        .order_by("-last_viewed", "actor_user_id")[:500]
    )
    latest = AuditEvent.objects.in_bulk([row["latest_id"] for row in rows])
    for row in rows:
        event = latest[row["latest_id"]]
        row.update(email=event.actor_email, organisation=event.actor_organisation, organisation_id=event.actor_organisation_id, role=event.actor_role)
    return [
        {
            "actor_user_id": row["actor_user_id"],
            "actor_email": row["email"],
            "actor_organisation": row["organisation"],
            "actor_organisation_id": row["organisation_id"],
            "actor_role": row["role"],
            "views": row["views"],
            "last_viewed": row["last_viewed"],
        }
        for row in rows
    ]


ACTIVE_DAYS = 30


def opened_edition(edition, *, user_id, organisation_id):
    """The one definition of "opened the current edition": the account's reading actions in the log,
    as a member of the organisation, since the edition was loaded. Used as an EXISTS per member (an
    index probe on audit_user_time_idx) by the organisation page and the regional overview."""
    return AuditEvent.objects.filter(
        actor_user_id=user_id,
        actor_organisation_id=organisation_id,
        occurred_at__gte=edition.loaded_at,
        action__in=READ_ACTIONS,
    )


@dataclass
class OrganisationActivity:
    organisation: NationalSociety
    weeks: list  # (week start, views)
    active_users: int
    most_read: list  # (identifier, views)
    never_used: list  # users
    not_opened_current_edition: list  # users
    edition: Edition | None


def organisation_activity(*, fetched_by, slug: str, weeks: int = 12) -> OrganisationActivity:
    organisation = NationalSociety.objects.filter(slug=slug).first()
    allowed = reviewable_organisation_ids(fetched_by)
    _require_reviewer(fetched_by)
    if organisation is None or (allowed is not None and organisation.pk not in allowed):
        raise Http404
    now = timezone.now()
    events = AuditEvent.objects.filter(actor_organisation_id=organisation.pk)
    since = now - timedelta(weeks=weeks)
    views = (
        events.filter(occurred_at__gte=since, action__in=READ_ACTIONS)
        .annotate(week=TruncWeek("occurred_at"))
        .values("week")
        .annotate(views=Count("id"))
        .order_by("week")
    )
    counts = {row["week"].date(): row["views"] for row in views}
    first_week = (now - timedelta(weeks=weeks - 1)).date()
    first_week -= timedelta(days=first_week.weekday())
    week_rows = [(first_week + timedelta(weeks=n), counts.get(first_week + timedelta(weeks=n), 0)) for n in range(weeks)]
    active_users = (
        events.filter(occurred_at__gte=now - timedelta(days=ACTIVE_DAYS), action__in=READ_ACTIONS)
        .values("actor_user_id")
        .distinct()
        .count()
    )
    most_read = list(
        events.filter(occurred_at__gte=now - timedelta(days=90), action=Action.VIEWED_MESSAGE)
        .values_list("message_identifier")
        .annotate(views=Count("id"))
        .order_by("-views", "message_identifier")[:10]
    )
    members = Membership.objects.filter(national_society=organisation, user__is_active=True).select_related("user")
    never_used = [m.user for m in members.filter(user__last_login__isnull=True).order_by("user__email")]
    edition = Edition.objects.current_first(DOCUMENT_SLUG).select_related("document").first()
    not_opened = []
    if edition is not None:
        # NOT EXISTS per member (an index probe each) rather than NOT IN over every read of the edition.
        opened = opened_edition(edition, user_id=OuterRef("user_id"), organisation_id=organisation.pk)
        not_opened = [m.user for m in members.filter(~Exists(opened)).order_by("user__email")]
    return OrganisationActivity(organisation, week_rows, active_users, most_read, never_used, not_opened, edition)


# The alerts page's filter: ?status=<key>; anything else, the default (the flags still open).
FLAG_FILTERS = ("open", "closed", "all")


def flag_filter(value) -> str:
    return value if value in FLAG_FILTERS else "open"


def flag_list(*, fetched_by, status: str = "all"):
    """The flags `fetched_by` may review, newest first, with their triage state and assignee:
    `open` (not closed: open or acknowledged), `closed`, or `all`."""
    _require_reviewer(fetched_by)
    allowed = reviewable_organisation_ids(fetched_by)
    flags = AuditFlag.objects.select_related("triage__assignee")
    if allowed is not None:
        flags = flags.filter(actor_organisation_id__in=allowed)
    if status == "open":
        flags = open_flags(flags)
    elif status == "closed":
        flags = flags.filter(triage__status=FlagStatus.CLOSED)
    return flags.order_by("-window_end", "-id")


def flag_detail(*, fetched_by, flag_id: int) -> AuditFlag:
    flag = flag_list(fetched_by=fetched_by).filter(pk=flag_id).first()
    if flag is None:
        raise Http404
    return flag


def flag_status(flag) -> str:
    """A flag's triage state; a flag nobody has acted on yet is open."""
    try:
        return flag.triage.status
    except FlagTriage.DoesNotExist:
        return FlagStatus.OPEN


def flag_history(*, fetched_by, flag):
    """The triage steps of a flag `fetched_by` may review, oldest first."""
    if not can_review_flag(fetched_by, flag):
        raise Http404
    return list(flag.actions.select_related("actor", "assignee").order_by("created_at", "id"))


def flag_assignees(*, fetched_by, flag):
    """Whom `fetched_by` may assign the flag to: the active accounts that may review it (focal points,
    platform admins, and the society admins of the flagged account's society), by email."""
    if not can_review_flag(fetched_by, flag):
        raise Http404
    of_flag = Q(membership__role=Membership.Role.SOCIETY_ADMIN, membership__national_society_id=flag.actor_organisation_id)
    if flag.actor_organisation_id is None:
        of_flag = Q(pk__in=[])
    return (
        User.objects.filter(is_active=True, membership__national_society__is_active=True)
        .filter(Q(membership__role__in=REVIEW_ALL_ROLES) | of_flag)
        .order_by("email")
    )


# The regional overview's columns: ?sort=<key> ascending, ?sort=-<key> descending; anything else is
# the default. Each key names an annotation of `regional_overview`'s one query.
OVERVIEW_SORTS = {
    "name": "name",
    "active": "active_accounts",
    "reads": "reads",
    "opened": "opened_share",
    "notes": "notes_kept",
    "alerts": "open_alerts",
}
OVERVIEW_DEFAULT_SORT = "name"


def overview_sort(value) -> str:
    """A whitelisted sort key (`name`, `-reads`…) from the query string; anything else, the default."""
    if isinstance(value, str) and value.removeprefix("-") in OVERVIEW_SORTS:
        return value
    return OVERVIEW_DEFAULT_SORT


def _count(queryset, column="id", distinct=False):
    """A correlated COUNT as a scalar subquery (0 rather than NULL when nothing matches)."""
    counted = queryset.order_by().annotate(_group=Value(1)).values("_group").annotate(n=Count(column, distinct=distinct)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass
class RegionalOverview:
    organisations: list  # NationalSociety rows annotated with the columns
    edition: Edition | None
    sort: str
    days: int


def regional_overview(*, fetched_by, sort: str = OVERVIEW_DEFAULT_SORT) -> RegionalOverview:
    """Every organisation side by side, in one query whatever their number: active accounts and reads
    in the last 30 days, the share of active members who opened the current edition, the notes kept
    and the alerts still open. Each column is a correlated subquery on an index: the reads on
    audit_org_time_idx (organisation, time), "opened" as an EXISTS per member on audit_user_time_idx
    (account, time), notes on note_society_idx, alerts on audit_flag_org_idx.

    Only for those who review every organisation (focal points, platform admins): 404 for others.
    """
    if not can_see_regional_overview(fetched_by):
        raise Http404
    sort = overview_sort(sort)
    since = timezone.now() - timedelta(days=ACTIVE_DAYS)
    reads = AuditEvent.objects.filter(actor_organisation_id=OuterRef("pk"), occurred_at__gte=since, action__in=READ_ACTIONS)
    members = Membership.objects.filter(national_society_id=OuterRef("pk"), user__is_active=True)
    edition = Edition.objects.current_first(DOCUMENT_SLUG).select_related("document").first()
    if edition is not None:
        opened = _count(
            members.filter(Exists(opened_edition(edition, user_id=OuterRef("user_id"), organisation_id=OuterRef("national_society_id"))))
        )
    else:
        opened = Value(0)
    organisations = reviewable_organisations(fetched_by=fetched_by).annotate(
        members=_count(members),
        active_accounts=_count(reads, "actor_user_id", distinct=True),
        reads=_count(reads),
        opened=opened,
        notes_kept=_count(ContextNote.objects.filter(national_society_id=OuterRef("pk"), deleted_at__isnull=True)),
        open_alerts=_count(open_flags(AuditFlag.objects.filter(actor_organisation_id=OuterRef("pk")))),
    )
    descending = sort.startswith("-")
    column = OVERVIEW_SORTS[sort.removeprefix("-")]
    if column == "opened_share":
        rows = list(organisations.order_by("name"))
    else:
        rows = list(organisations.order_by(f"-{column}" if descending else column, "name"))
    for organisation in rows:
        # Active members who opened it, per active member; an organisation without members comes
        # after those whose members opened nothing.
        organisation.opened_share = organisation.opened / organisation.members if organisation.members else -1.0
    if column == "opened_share":
        # A ratio of two subqueries: in SQL it would repeat both per row; the few dozen rows are sorted
        # here instead, stably (ties stay in name order).
        rows.sort(key=lambda organisation: organisation.opened_share, reverse=descending)
    elif column == "name":
        # By the name the reader reads (Cruz Roja… in Spanish), accents aside: the few dozen rows here.
        language = get_language()
        rows.sort(key=lambda organisation: _sort_key(organisation.official_name(language)), reverse=descending)
    return RegionalOverview(rows, edition, sort, ACTIVE_DAYS)


def _sort_key(text: str) -> str:
    """Alphabetical order for people: "É" with "E", case aside."""
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)).casefold()


def open_flags(flags):
    """The flags nobody has closed (yet, or since they were reopened)."""
    return flags.exclude(triage__status=FlagStatus.CLOSED)
