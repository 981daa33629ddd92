"""Who holds which role in which organisation.

A role comes only from the user's `Membership` row. `is_staff` and `is_superuser` open the Django
admin and nothing here: a superuser without a membership holds no role in the app.
"""

from national_societies.models import Membership
from national_societies.viewer import effective_membership

PRIVILEGED_ROLES = frozenset(
    {Membership.Role.SOCIETY_ADMIN, Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN}
)


def membership_of(user) -> Membership | None:
    """The membership that gives `user` a role, or None when nothing does.

    None for anonymous visitors, deactivated accounts, accounts without a membership and members of
    a deactivated organisation: all of them hold no role anywhere. Read once per request (see
    viewer.py), never cached on the user object, so that a role withdrawn or an organisation
    deactivated counts from the next request, not from the next sign-in.
    """
    return effective_membership(user)


def _role(user) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def is_society_admin(user) -> bool:
    """The user administers the members of their own organisation."""
    return _role(user) == Membership.Role.SOCIETY_ADMIN


def is_focal_point(user) -> bool:
    """The user is an IFRC or ICRC focal point, who oversees the use of the library across the region."""
    return _role(user) == Membership.Role.FOCAL_POINT


def is_platform_admin(user) -> bool:
    """The user runs the platform for every organisation."""
    return _role(user) == Membership.Role.PLATFORM_ADMIN


def is_privileged(user) -> bool:
    """The user holds a role above member: society admin, focal point or platform admin."""
    return _role(user) in PRIVILEGED_ROLES


def can_manage_members_of(user, national_society) -> bool:
    """A society admin manages the members of their own organisation; a platform admin, of every one.

    Focal points review but do not manage, and members manage no one. A platform admin may still
    manage the members of a deactivated organisation (to move or deactivate them); a society admin of
    a deactivated organisation holds no role at all.
    """
    membership = membership_of(user)
    if membership is None or national_society is None:
        return False
    if membership.role == Membership.Role.PLATFORM_ADMIN:
        return True
    return (
        membership.role == Membership.Role.SOCIETY_ADMIN
        and membership.national_society_id == national_society.pk
    )


def can_review_access_log_of(user, national_society) -> bool:
    """Focal points and platform admins review the access log of every organisation; a society admin,
    of their own organisation only; members, of none.

    A deactivated organisation's log stays reviewable by focal points and platform admins: looking
    back at who read what matters most after an organisation has been closed.
    """
    membership = membership_of(user)
    if membership is None or national_society is None:
        return False
    if membership.role in (Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN):
        return True
    return (
        membership.role == Membership.Role.SOCIETY_ADMIN
        and membership.national_society_id == national_society.pk
    )


def needs_mfa(user) -> bool:
    """MFA is required of privileged roles and of anyone who can open the Django admin."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or user.is_superuser or is_privileged(user)


def membership_manages_own_society(membership) -> bool:
    """`can_manage_members_of(user, own organisation)` for a membership already read in this request."""
    return membership is not None and membership.role in (Membership.Role.SOCIETY_ADMIN, Membership.Role.PLATFORM_ADMIN)
