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


@rule("console.review_flag")
def can_review_flag(user, flag) -> Decision:
    """Whoever may review the access log of the flagged account's organisation reviews its flag:
    focal points and platform admins every flag, a society admin their own society's. A flag with no
    organisation (failed sign-ins of an unknown address) is for focal points and platform admins."""
    viewer = viewer_of(user)
    if viewer.role in REVIEW_ALL_ROLES:
        return ALLOWED
    return decide(
        viewer.role == Membership.Role.SOCIETY_ADMIN
        and flag.actor_organisation_id is not None
        and flag.actor_organisation_id == viewer.organisation_id,
        _("You cannot review this alert."),
    )


# Which triage steps a flag's state allows: a closed flag is only reopened (or commented on).
_STEPS_BY_STATUS = {
    "open": {"acknowledge", "comment", "assign", "close"},
    "acknowledged": {"comment", "assign", "close"},
    "closed": {"comment", "reopen"},
}


@rule("console.triage_flag")
def can_triage_flag(user, flag, step: str, status: str = "open") -> Decision:
    """Who may review a flag triages it (acknowledge, comment, assign, close, reopen), one step at a
    time as its state allows: an open flag is acknowledged once, a closed flag is reopened before it
    is acknowledged or assigned again."""
    reviews = can_review_flag(user, flag)
    if not reviews:
        return reviews
    return decide(step in _STEPS_BY_STATUS.get(status, set()), _("This alert is not in a state for that."))


@rule("console.flag_assignee")
def can_be_assigned_flag(user, flag) -> Decision:
    """A flag is assigned only to an active account that may review it (the flag's reviewers: focal
    points, platform admins, and the society admins of the flagged account's society)."""
    if user is None or not user.is_active:
        return denied(_("A flag is assigned only to someone who may review it."))
    return decide(bool(can_review_flag(user, flag)), _("A flag is assigned only to someone who may review it."))
