"""Who may review the access log, and of which organisations."""

from django.utils.translation import gettext_lazy as _

from core.rules import ALLOWED, Decision, decide, denied, rule
from national_societies.models import Membership
from national_societies.viewer import viewer_of

REVIEW_ALL_ROLES = (Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN)


@rule("console.review")
def can_review_access_log(user) -> Decision:
    """IFRC/ICRC focal points and platform admins review every organisation's events; a society
    admin, their own society's; members open no console."""
    role = viewer_of(user).role
    return decide(role in (*REVIEW_ALL_ROLES, Membership.Role.SOCIETY_ADMIN), _("Only focal points and admins review the access log."))


@rule("console.review_organisation")
def can_review_access_log_of(user, national_society) -> Decision:
    """Focal points and platform admins review the access log of every organisation; a society admin,
    of their own organisation only; members, of none.

    A deactivated organisation's log stays reviewable by focal points and platform admins: looking
    back at who read what matters most after an organisation has been closed.
    """
    viewer = viewer_of(user)
    if viewer.membership is None or national_society is None:
        return denied(_("You cannot review this organisation's access log."))
    if viewer.role in REVIEW_ALL_ROLES:
        return ALLOWED
    return decide(
        viewer.role == Membership.Role.SOCIETY_ADMIN and viewer.belongs_to(national_society),
        _("You cannot review this organisation's access log."),
    )


@rule("console.regional_overview")
def can_see_regional_overview(user) -> Decision:
    """The regional overview (every organisation side by side) is for those who review every
    organisation: IFRC/ICRC focal points and platform admins. A society admin reviews their own
    society only, and members open no console."""
    return decide(viewer_of(user).role in REVIEW_ALL_ROLES, _("Only focal points and platform admins see the whole region."))


def reviewable_organisation_ids(user) -> list[int] | None:
    """The organisations whose events `user` may read: None for all, a list for a society admin,
    [] for nobody (the query form of `can_review_access_log_of`)."""
    viewer = viewer_of(user)
    if viewer.role in REVIEW_ALL_ROLES:
        return None
    if viewer.role == Membership.Role.SOCIETY_ADMIN:
        return [viewer.organisation_id]
    return []
