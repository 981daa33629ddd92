"""Who may read and write contextualisation notes. Each rule is one function (see core/rules.py)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.rules import Decision, decide, denied, rule
from messages_app.notes.models import Visibility
from national_societies.models import Membership
from national_societies.viewer import viewer_of

COVERAGE_ROLES = (Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN)


@rule("notes.edit")
def can_edit_notes_of(user, national_society) -> Decision:
    """Society admins, and members their admin made editors, write their own society's notes.

    Nobody writes another organisation's notes, not even a platform admin or a focal point.
    """
    viewer = viewer_of(user)
    membership = viewer.membership
    return decide(
        membership is not None
        and viewer.belongs_to(national_society)
        and (membership.role == Membership.Role.SOCIETY_ADMIN or membership.can_edit_notes),
        _("Your society admin decides who writes notes."),
    )


@rule("notes.undelete")
def can_undelete_note(user, note) -> Decision:
    """A society admin brings back a deleted note of their own society."""
    viewer = viewer_of(user)
    return decide(
        viewer.role == Membership.Role.SOCIETY_ADMIN and viewer.organisation_id == note.national_society_id,
        _("Only a society admin brings a deleted note back."),
    )


@rule("notes.coverage")
def can_see_notes_coverage(user) -> Decision:
    """IFRC/ICRC focal points and platform admins see how much each society contextualised (counts only)."""
    return decide(viewer_of(user).role in COVERAGE_ROLES, _("Only focal points and platform admins see the coverage."))


@rule("notes.read")
def can_read_note(user, note) -> Decision:
    """A note is read by its own society's members; a note shared with focal points also by the
    IFRC/ICRC focal points; a note shared with the region by every member of the Movement. A deleted
    note is read only by its own society (for its history and undo)."""
    viewer = viewer_of(user)
    if viewer.membership is None:
        return denied()
    if viewer.organisation_id == note.national_society_id:
        return decide(True)
    if note.deleted_at is not None:
        return denied()
    if note.visibility == Visibility.REGION:
        return decide(True)
    return decide(note.visibility == Visibility.FOCAL_POINTS and viewer.role == Membership.Role.FOCAL_POINT)


def readable_notes_filter(user) -> Q:
    """The same rule as `can_read_note`, as a query filter over live notes."""
    viewer = viewer_of(user)
    if viewer.membership is None:
        return Q(pk__in=[])
    rule_ = Q(national_society_id=viewer.organisation_id) | Q(visibility=Visibility.REGION)
    if viewer.role == Membership.Role.FOCAL_POINT:
        rule_ |= Q(visibility=Visibility.FOCAL_POINTS)
    return rule_ & Q(deleted_at__isnull=True)
