"""Who may review the access log, and of which organisations."""

from national_societies.models import Membership
from national_societies.permissions import membership_of

REVIEW_ALL_ROLES = (Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN)


def can_review_access_log(user) -> bool:
    """IFRC/ICRC focal points and platform admins review every organisation's events; a society
    admin, their own society's; members open no console."""
    return membership_reviews_access_log(membership_of(user))


def membership_reviews_access_log(membership) -> bool:
    """`can_review_access_log` for a membership already read in this request."""
    return membership is not None and membership.role in (*REVIEW_ALL_ROLES, Membership.Role.SOCIETY_ADMIN)


def reviewable_organisation_ids(user) -> list[int] | None:
    """The organisations whose events `user` may read: None for all, a list for a society admin,
    [] for nobody."""
    membership = membership_of(user)
    if membership is None:
        return []
    if membership.role in REVIEW_ALL_ROLES:
        return None
    if membership.role == Membership.Role.SOCIETY_ADMIN:
        return [membership.national_society_id]
    return []
