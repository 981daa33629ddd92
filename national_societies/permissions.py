"""Who holds which role in which organisation, and what each role may do to accounts.

A role comes only from the user's `Membership` row. `is_staff` and `is_superuser` open the Django
admin and nothing here: a superuser without a membership holds no role in the app.

Each rule is one function returning a `Decision` (allowed, or denied with a reason). Services
enforce it, forms and views ask it, templates ask it with `{% can "<name>" … %}`. Every function
takes a user or the request's `Viewer`.
"""

from django.utils.translation import gettext_lazy as _

from core.rules import ALLOWED, Decision, decide, denied, rule
from national_societies.models import Membership, NationalSociety
from national_societies.viewer import Viewer, effective_membership, viewer_of

PRIVILEGED_ROLES = frozenset(
    {Membership.Role.SOCIETY_ADMIN, Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN}
)
# Roles a society admin gives and takes away; a platform admin gives every role.
SOCIETY_ADMIN_GRANTABLE_ROLES = (Membership.Role.MEMBER, Membership.Role.SOCIETY_ADMIN)


def membership_of(user) -> Membership | None:
    """The membership that gives `user` a role, or None when nothing does.

    None for anonymous visitors, deactivated accounts, accounts without a membership and members of
    a deactivated organisation: all of them hold no role anywhere. Read once per request (see
    viewer.py), never cached on the user object, so that a role withdrawn or an organisation
    deactivated counts from the next request, not from the next sign-in.
    """
    return effective_membership(user)


def _role(user) -> str | None:
    return viewer_of(user).role


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


def needs_mfa(user) -> bool:
    """MFA is required of privileged roles, of a document's editors and reviewers, and of anyone who
    can open the Django admin."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or user.is_superuser or is_privileged(user):
        return True
    membership = viewer_of(user).membership
    return membership is not None and membership.holds_document_role


@rule("mfa.turn_off_authenticator_app")
def can_turn_off_authenticator_app(user) -> Decision:
    """Whoever needs MFA (`needs_mfa`) keeps their authenticator app: a security key may be lost, and
    the app with its recovery codes is the way back in. Others may turn it off."""
    return decide(
        not needs_mfa(user),
        _("Your role needs two-factor authentication: your authenticator app stays on, and your recovery codes are the way back in if you lose your phone."),
    )


@rule("members.manage")
def can_manage_members_of(user, national_society) -> Decision:
    """A society admin manages the members of their own organisation; a platform admin, of every one.

    Focal points review but do not manage, and members manage no one. A platform admin may still
    manage the members of a deactivated organisation (to move or deactivate them); a society admin of
    a deactivated organisation holds no role at all.
    """
    viewer = viewer_of(user)
    refusal = _("You cannot manage the members of this organisation.")
    if viewer.membership is None or national_society is None:
        return denied(refusal)
    if viewer.role == Membership.Role.PLATFORM_ADMIN:
        return ALLOWED
    return decide(viewer.role == Membership.Role.SOCIETY_ADMIN and viewer.belongs_to(national_society), refusal)


def managed_organisation(user) -> NationalSociety | None:
    """The organisation whose members the navigation links to: the user's own, if they manage it."""
    viewer = viewer_of(user)
    return viewer.organisation if viewer.organisation and can_manage_members_of(viewer, viewer.organisation) else None


@rule("members.grant_role")
def can_grant_role(user, role: str) -> Decision:
    """A platform admin gives and takes away every role; a society admin, member and society admin."""
    viewer = viewer_of(user)
    if viewer.role == Membership.Role.PLATFORM_ADMIN:
        return ALLOWED
    return decide(
        viewer.role == Membership.Role.SOCIETY_ADMIN and role in SOCIETY_ADMIN_GRANTABLE_ROLES,
        _("You cannot give this role."),
    )


def grantable_roles(user) -> list[str]:
    """The roles `user` may give, in the order of Membership.Role (for the role choices of forms)."""
    viewer = viewer_of(user)
    return [role for role in Membership.Role.values if can_grant_role(viewer, role)]


@rule("members.change_role")
def can_change_role_of(user, membership) -> Decision:
    """Someone who manages the organisation, for an account whose role they could give, never their own
    (another admin changes it: nobody promotes or locks out themselves)."""
    viewer = viewer_of(user)
    if not (decision := can_manage_members_of(viewer, membership.national_society)):
        return decision
    if membership.user_id == viewer.user.pk:
        return denied(_("This is your own account: another admin changes your role or deactivates it."))
    return decide(can_grant_role(viewer, membership.role), _("Only a platform admin changes the role or access of this account."))


@rule("members.set_editor")
def can_set_editor(user, membership) -> Decision:
    """Who manages the organisation decides which of its members write the society's notes (society
    admins always write them; focal points and platform admins write none)."""
    if not (decision := can_manage_members_of(user, membership.national_society)):
        return decision
    return decide(membership.role == Membership.Role.MEMBER, _("Only members are made editors: society admins always write the notes."))


@rule("members.deactivate")
def can_deactivate(user, membership) -> Decision:
    """As for roles: a society admin does not lock out a focal point or a platform admin, and nobody
    deactivates their own account."""
    viewer = viewer_of(user)
    if not (decision := can_reactivate(viewer, membership)):
        return decision
    return decide(membership.user_id != viewer.user.pk, _("You cannot deactivate your own account."))


@rule("members.reactivate")
def can_reactivate(user, membership) -> Decision:
    """Someone who manages the organisation, for an account whose role they could give."""
    viewer = viewer_of(user)
    if not (decision := can_manage_members_of(viewer, membership.national_society)):
        return decision
    return decide(can_grant_role(viewer, membership.role), _("You cannot deactivate or reactivate this account."))


@rule("members.invite_outside_domains")
def can_invite_outside_domains(user) -> Decision:
    """Only a platform admin invites an address outside the organisation's email domains (with a reason)."""
    return decide(is_platform_admin(user), _("Only a platform admin invites addresses outside the allowed domains."))


@rule("sessions.end")
def can_end_session(user, user_session, current_session_key: str | None = None) -> Decision:
    """Everyone ends their own sessions (a browser they no longer use, or do not recognise), never
    another person's; not the one they are using here, which "Sign out" ends."""
    user = user.user if isinstance(user, Viewer) else user
    if user is None or not user.is_authenticated or user_session.user_id != user.pk:
        return denied(_("This is not one of your sessions."))
    return decide(user_session.session_key != current_session_key, _("This is the session you are using: sign out to end it."))


def edition_notifications_of(user, role: str | None = None) -> str:
    """How `user` hears of a new edition: "each" (an email per edition), "digest" (weekly) or "none".
    Their own choice, else their role's default: an email per edition for the roles that answer for
    their organisation's use of the document, a digest for members. `role` spares reading it again."""
    if user.edition_notifications:
        return user.edition_notifications
    role = role if role is not None else _role(user)
    return "each" if role in PRIVILEGED_ROLES else "digest"
