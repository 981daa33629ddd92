"""Who is asking: the user and their membership, read once per request.

Every permission check, selector and access-log row of a request needs the requesting user's
membership. It is read from the database at the first need and kept on the request being served,
so a page reads it once; the next request reads it again, so a role withdrawn or an organisation
deactivated counts from the next request on. Outside a request (commands, tests calling services)
nothing is kept.
"""

from dataclasses import dataclass

from audit.context import current_request
from audit.services import Actor

from national_societies.models import Membership, User

_ROWS_ATTRIBUTE = "_km_membership_rows"
READ_WITH_MEMBERSHIP = "_km_read_with_membership"


def _membership_row(user) -> Membership | None:
    """The user's membership row as stored, active or not (the access log records it as it is)."""
    if getattr(user, READ_WITH_MEMBERSHIP, False) and User.membership.is_cached(user):
        # The request's user, read with their membership when the request began (backends.py). Not
        # any user object's cache: one kept across requests (or in a test) may be stale.
        return getattr(user, "membership", None)
    user_id = user.pk
    request = current_request()
    rows = getattr(request, _ROWS_ATTRIBUTE, None) if request is not None else None
    if rows is not None and user_id in rows:
        return rows[user_id]
    row = Membership.objects.select_related("national_society").filter(user_id=user_id).first()
    if request is not None and getattr(getattr(request, "user", None), "pk", None) == user_id:
        # Kept only for the request's own user: other users' rows may be changed by this request.
        rows = rows if rows is not None else {}
        rows[user_id] = row
        setattr(request, _ROWS_ATTRIBUTE, rows)
    return row


def forget_membership(user_id: int) -> None:
    """After a service changed this user's membership within the request: read it again next time."""
    request = current_request()
    rows = getattr(request, _ROWS_ATTRIBUTE, None) if request is not None else None
    if rows is not None:
        rows.pop(user_id, None)


def effective_membership(user) -> Membership | None:
    """The membership that gives `user` a role, or None when nothing does: anonymous visitors,
    deactivated accounts, accounts without a membership, members of a deactivated organisation."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    row = _membership_row(user)
    if row is None or not row.national_society.is_active:
        return None
    return row


def actor_of(user) -> Actor | None:
    """The access log's picture of `user` as they are now (organisation and role, active or not)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    row = _membership_row(user)
    if row is None:
        return Actor(user_id=user.pk, email=user.email)
    return Actor(
        user_id=user.pk,
        email=user.email,
        organisation_id=row.national_society_id,
        organisation=row.national_society.name,
        role=row.role,
    )


@dataclass(frozen=True)
class Viewer:
    """The requesting user and the membership that gives them a role (None: no role anywhere)."""

    user: object
    membership: Membership | None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    @property
    def organisation(self):
        return self.membership.national_society if self.membership else None

    @property
    def organisation_id(self) -> int | None:
        return self.membership.national_society_id if self.membership else None

    def belongs_to(self, organisation) -> bool:
        return organisation is not None and self.organisation_id == organisation.pk


def viewer_of(user_or_viewer) -> Viewer:
    """A Viewer for a user (or the viewer itself): permission functions accept either."""
    if isinstance(user_or_viewer, Viewer):
        return user_or_viewer
    return Viewer(user=user_or_viewer, membership=effective_membership(user_or_viewer))
