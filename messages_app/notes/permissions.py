"""Who may read and write contextualisation notes."""

from django.db.models import Q

from messages_app.notes.models import Visibility
from national_societies.models import Membership
from national_societies.permissions import membership_of


def can_edit_notes_of(user, national_society) -> bool:
    """Society admins, and members their admin made editors, write their own society's notes.

    Nobody writes another organisation's notes, not even a platform admin or a focal point.
    """
    return membership_edits_notes_of(membership_of(user), national_society)


def membership_edits_notes_of(membership, national_society) -> bool:
    """`can_edit_notes_of` for a membership already read in this request."""
    if membership is None or national_society is None or membership.national_society_id != national_society.pk:
        return False
    return membership.role == Membership.Role.SOCIETY_ADMIN or membership.can_edit_notes


def can_read_note(user, note) -> bool:
    """A note is read by its own society's members; a note shared with focal points also by the
    IFRC/ICRC focal points; a note shared with the region by every member of the Movement. A deleted
    note is read only by its own society (for its history and undo)."""
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.national_society_id == note.national_society_id:
        return True
    if note.deleted_at is not None:
        return False
    if note.visibility == note.Visibility.REGION:
        return True
    return note.visibility == note.Visibility.FOCAL_POINTS and membership.role == Membership.Role.FOCAL_POINT


def readable_notes_filter(membership):
    """The same rule as `can_read_note`, as a query filter over live notes."""
    if membership is None:
        return Q(pk__in=[])
    rule = Q(national_society_id=membership.national_society_id) | Q(visibility=Visibility.REGION)
    if membership.role == Membership.Role.FOCAL_POINT:
        rule |= Q(visibility=Visibility.FOCAL_POINTS)
    return rule & Q(deleted_at__isnull=True)
