"""Writes to accounts, memberships and invitations. Each change is recorded through `audit_record`."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from audit.services import Action, audit_record
from core.user_agents import browser_label

from national_societies.demo import DEMO_ACCOUNTS, DEMO_DOMAINS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from national_societies.models import AllowedDomain, Invitation, Membership, NationalSociety, User
from national_societies import selectors
from national_societies.permissions import (
    PRIVILEGED_ROLES,
    can_change_role_of,
    can_deactivate,
    can_end_session,
    can_grant_role,
    can_invite_outside_domains,
    can_manage_members_of,
    can_reactivate,
    can_set_editor,
)

class InvitationEmailFailed(Exception):
    """The invitation email could not be sent; nothing was saved."""


# --- Invitations ------------------------------------------------------------------------------


def invitation_token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, invitation_token_digest(token)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].lower()


def role_fits_organisation(role: str, national_society: NationalSociety) -> bool:
    """Focal points belong to the IFRC or the ICRC, never to a National Society."""
    return not (role == Membership.Role.FOCAL_POINT and national_society.kind == NationalSociety.Kind.NATIONAL_SOCIETY)


def allowed_domains_of(national_society: NationalSociety) -> list[str]:
    """The email domains whose addresses the organisation invites, in lower case, sorted."""
    return list(AllowedDomain.objects.filter(national_society=national_society).order_by("domain").values_list("domain", flat=True))


def email_in_domains(email: str, domains) -> bool:
    """The domain rule of invitations: the address ends in one of the organisation's `domains`
    (allowed_domains_of); only a platform admin invites another address, with a reason."""
    return email_domain(email) in domains


def _check_role_fits_organisation(role: str, national_society: NationalSociety):
    if not role_fits_organisation(role, national_society):
        raise ValidationError({"role": _("Focal points belong to the IFRC or the ICRC, not to a National Society.")})


def _send_invitation_email(*, invitation: Invitation, token: str, accept_url: str):
    """In the invitee's language (the inviter's own is no guide: a Mexican admin invites in Spanish,
    a platform admin in Geneva may invite someone in Haiti)."""
    context = {"invitation": invitation, "accept_url": accept_url, "expiry_days": settings.INVITATION_EXPIRY_DAYS}
    with translation.override(invitation.language or invitation.national_society.usual_language):
        subject = render_to_string("national_societies/email/invitation_subject.txt", context).strip()
        body = render_to_string("national_societies/email/invitation_message.txt", context)
    try:
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [invitation.email])
    except OSError as error:  # SMTP errors are OSErrors: refused connection, timeout, bad reply
        raise InvitationEmailFailed(str(error)) from error


def invitation_create(
    *,
    invited_by,
    national_society: NationalSociety,
    email: str,
    role: str = Membership.Role.MEMBER,
    language: str = "",
    domain_override_reason: str = "",
    build_accept_url,
) -> Invitation:
    """Invite `email` to `national_society` with `role` and email them a single-use link.

    The address must be in one of the organisation's allowed domains; only a platform admin may
    invite another address, and must say why. `build_accept_url(token)` turns the secret into the
    absolute link (the secret itself is never stored). Raises ValidationError with the field at
    fault, NotAllowed for an organisation or role outside the inviter's rights, or
    InvitationEmailFailed (and saves nothing) when the email cannot be sent.
    """
    can_manage_members_of(invited_by, national_society).enforce()
    can_grant_role(invited_by, role).enforce()
    email = email.strip().lower()
    domain_override_reason = domain_override_reason.strip()
    _check_role_fits_organisation(role, national_society)
    domains = allowed_domains_of(national_society)
    if email_in_domains(email, domains):
        domain_override_reason = ""
    elif not can_invite_outside_domains(invited_by):
        allowed = ", ".join(domains)
        raise ValidationError(
            {
                "email": _("Invitations of %(organisation)s go to addresses ending in: %(domains)s.")
                % {"organisation": national_society.official_name(translation.get_language()), "domains": allowed or _("(no domain set yet: ask a platform admin)")}
            }
        )
    elif not domain_override_reason:
        raise ValidationError(
            {"domain_override_reason": _("This address is outside the organisation's domains: say why it may be invited.")}
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this address already exists.")})
    now = timezone.now()
    with transaction.atomic():
        stale = Invitation.objects.open().select_for_update().filter(email=email).first()
        if stale is not None:
            if stale.expires_at > now:
                raise ValidationError(
                    {"email": _("This address already has a pending invitation: resend it instead.")}
                )
            # An expired link blocks nobody: close it so that the new one is the only open one.
            stale.revoked_at = now
            stale.save(update_fields=["revoked_at"])
        token, digest = _new_token()
        invitation = Invitation.objects.create(
            email=email,
            national_society=national_society,
            role=role,
            language=language if language in dict(settings.LANGUAGES) else national_society.usual_language,
            token_digest=digest,
            invited_by=invited_by,
            domain_override_reason=domain_override_reason,
            sent_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
        )
        audit_record(
            action=Action.INVITED,
            actor=invited_by,
            target=invitation,
            reason=domain_override_reason,
            details={"email": email, "organisation": national_society.slug, "role": role},
        )
        _send_invitation_email(invitation=invitation, token=token, accept_url=build_accept_url(token))
    return invitation


def invitation_resend(*, invitation: Invitation, resent_by, build_accept_url) -> Invitation:
    """Send a fresh link (the old one stops working) and restart the expiry clock."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise ValidationError(_("This invitation was already %(status)s.") % {"status": invitation.status.label})
        token, digest = _new_token()
        now = timezone.now()
        invitation.token_digest = digest
        invitation.sent_at = now
        invitation.send_count += 1
        invitation.expires_at = now + timedelta(days=settings.INVITATION_EXPIRY_DAYS)
        invitation.save(update_fields=["token_digest", "sent_at", "send_count", "expires_at"])
        audit_record(action=Action.INVITATION_RESENT, actor=resent_by, target=invitation)
        _send_invitation_email(invitation=invitation, token=token, accept_url=build_accept_url(token))
    return invitation


def invitation_revoke(*, invitation: Invitation, revoked_by) -> Invitation:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise ValidationError(_("This invitation was already accepted: deactivate the account instead."))
        if invitation.revoked_at:
            return invitation
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = revoked_by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(action=Action.INVITATION_REVOKED, actor=revoked_by, target=invitation)
    return invitation


@dataclass(frozen=True)
class InvitationCheck:
    invitation: Invitation | None
    problem: str | None  # None when the invitation may be accepted


def invitation_check(*, token: str | None = None, digest: str | None = None, lock: bool = False) -> InvitationCheck:
    """Find the invitation behind a link and say whether it may still be accepted."""
    digest = digest or invitation_token_digest(token or "")
    queryset = Invitation.objects.select_related("national_society")
    if lock:
        queryset = queryset.select_for_update()
    invitation = queryset.filter(token_digest=digest).first()
    if invitation is None:
        return InvitationCheck(None, "unknown")
    status = invitation.status
    if status != Invitation.Status.PENDING:
        return InvitationCheck(invitation, status)
    if not invitation.national_society.is_active:
        return InvitationCheck(invitation, "organisation_inactive")
    if User.objects.filter(email__iexact=invitation.email).exists():
        return InvitationCheck(invitation, Invitation.Status.ACCEPTED)
    return InvitationCheck(invitation, None)


def invitation_accept(*, digest: str, user: User) -> Membership:
    """Give the new `user` the invitation's organisation and role, and close the invitation.

    Called by the sign-up flow inside its transaction, after the form checked the invitation under
    a row lock; the conditional update is the last guard against a second use.
    """
    now = timezone.now()
    claimed = Invitation.objects.filter(
        token_digest=digest, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_user=user)
    if claimed != 1:
        raise ValidationError(_("This invitation can no longer be used."))
    invitation = Invitation.objects.select_related("national_society").get(token_digest=digest)
    if user.email.lower() != invitation.email:
        raise ValidationError(_("This invitation is for another address."))
    membership = Membership.objects.create(
        user=user, national_society=invitation.national_society, role=invitation.role
    )
    if invitation.language and not user.language:
        User.objects.filter(pk=user.pk).update(language=invitation.language)
    audit_record(action=Action.INVITATION_ACCEPTED, actor=user, target=invitation)
    return membership


# --- Members ----------------------------------------------------------------------------------


def _active_admin_count(national_society, *, excluding_user_id=None) -> int:
    queryset = Membership.objects.filter(
        national_society=national_society, role=Membership.Role.SOCIETY_ADMIN, user__is_active=True
    )
    if excluding_user_id is not None:
        queryset = queryset.exclude(user_id=excluding_user_id)
    return queryset.count()


def _lock_membership(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("user", "national_society").get(pk=membership.pk)


def member_role_change(*, membership: Membership, role: str, changed_by) -> Membership:
    """Change a member's role. A society admin moves people between member and society admin only,
    and the society keeps at least one active admin."""
    with transaction.atomic():
        membership = _lock_membership(membership)
        can_change_role_of(changed_by, membership).enforce()
        can_grant_role(changed_by, role).enforce()
        _check_role_fits_organisation(role, membership.national_society)
        if role == membership.role:
            return membership
        if (
            membership.role == Membership.Role.SOCIETY_ADMIN
            and membership.user.is_active
            and _active_admin_count(membership.national_society, excluding_user_id=membership.user_id) == 0
        ):
            raise ValidationError(_("%(organisation)s needs at least one active society admin.") % {"organisation": membership.national_society.official_name(translation.get_language())})
        previous = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_record(
            action=Action.ROLE_CHANGED,
            actor=changed_by,
            target=membership.user,
            details={"from": previous, "to": role},
        )
    return membership


def member_editor_set(*, membership: Membership, can_edit_notes: bool, changed_by) -> Membership:
    """Give or take a member's permission to write the society's contextualisation notes."""
    with transaction.atomic():
        membership = _lock_membership(membership)
        can_set_editor(changed_by, membership).enforce()
        if membership.can_edit_notes == can_edit_notes:
            return membership
        membership.can_edit_notes = can_edit_notes
        membership.save(update_fields=["can_edit_notes"])
        audit_record(
            action=Action.ROLE_CHANGED,
            actor=changed_by,
            target=membership.user,
            details={"editor": can_edit_notes},
        )
    return membership


def user_sessions_end(user, *, keep_session_key: str | None = None) -> int:
    """Delete the user's sessions from the session store (all, or all but one). Returns how many."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for user_session in UserSession.objects.filter(user_id=user.pk).exclude(session_key=keep_session_key or ""):
        user_session.end()
        ended += 1
    return ended


def user_session_end(*, user_session, ended_by, current_session_key: str | None) -> None:
    """End one of `ended_by`'s own sessions (never the one in use): that browser is signed out at once."""
    with transaction.atomic():
        can_end_session(ended_by, user_session, current_session_key).enforce()
        with translation.override("en"):  # the log is read in any language: its details stay in English
            browser = browser_label(user_session.user_agent)
        details = {"scope": "one", "browser": browser, "ip": user_session.ip, "signed_in_at": user_session.created_at.isoformat()}
        user_session.end()
        audit_record(action=Action.SESSION_ENDED, actor=ended_by, target=ended_by, details=details)


def user_other_sessions_end(*, user, current_session_key: str | None) -> int:
    """"End all other sessions": every session of `user` but the one in use. Returns how many."""
    with transaction.atomic():
        ended = user_sessions_end(user, keep_session_key=current_session_key)
        audit_record(action=Action.SESSION_ENDED, actor=user, target=user, details={"scope": "others", "count": ended})
    return ended


def member_deactivate(*, membership: Membership, deactivated_by, reason: str = "") -> Membership:
    """Close the account at once: it cannot sign in, and its open sessions are deleted."""
    with transaction.atomic():
        membership = _lock_membership(membership)
        user = membership.user
        if deactivated_by is not None:  # None: the dormant-accounts command
            can_deactivate(deactivated_by, membership).enforce()
        if not user.is_active:
            return membership
        if (
            membership.role == Membership.Role.SOCIETY_ADMIN
            and _active_admin_count(membership.national_society, excluding_user_id=user.pk) == 0
        ):
            raise ValidationError(
                _("%(person)s is the last active admin of %(organisation)s: make someone else admin first.")
                % {"person": user.get_full_name() or user.email, "organisation": membership.national_society.official_name(translation.get_language())}
            )
        user.is_active = False
        user.save(update_fields=["is_active"])
        user_sessions_end(user)
        audit_record(action=Action.DEACTIVATED, actor=deactivated_by, target=user, reason=reason)
    return membership


def member_reactivate(*, membership: Membership, reactivated_by) -> Membership:
    """Open the account again. Counts as use, so the dormant-accounts command does not close it overnight."""
    with transaction.atomic():
        membership = _lock_membership(membership)
        can_reactivate(reactivated_by, membership).enforce()
        user = membership.user
        if user.is_active:
            return membership
        user.is_active = True
        user.last_login = timezone.now()
        user.save(update_fields=["is_active", "last_login"])
        audit_record(action=Action.REACTIVATED, actor=reactivated_by, target=user)
    return membership


def dormant_accounts_suspend(*, days: int, dry_run: bool = False, now=None) -> list[User]:
    """Deactivate every active account not used for `days` days (never signed in: since it was created).

    Meant for a daily cron. The last active admin of a society is suspended too: an unused admin
    account is the riskiest kind; a platform admin can reactivate it.
    """
    cutoff = (now or timezone.now()) - timedelta(days=days)
    users = list(selectors.dormant_users(cutoff=cutoff))
    if dry_run:
        return users
    suspended = []
    for user in users:
        with transaction.atomic():
            # Checked again under the lock: someone who signed in (or was reactivated, or deactivated by
            # hand) since the list was read is no longer dormant and is left alone.
            locked = selectors.dormant_users(cutoff=cutoff).select_for_update().filter(pk=user.pk).first()
            if locked is None:
                continue
            locked.is_active = False
            locked.save(update_fields=["is_active"])
            user_sessions_end(locked)
            audit_record(
                action=Action.DEACTIVATED,
                actor=None,
                target=locked,
                reason=f"dormant: not used for {days} days",
            )
            suspended.append(locked)
    return suspended


# --- Demo -------------------------------------------------------------------------------------


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, bool]]:
    """Create the documented demo accounts, or reset them to their documented state.

    Each account gets its organisation and role; the Colombian and Mexican Red Cross get their demo
    email domains; privileged accounts get TOTP on the documented demo secret, so that a newcomer
    can sign in with any authenticator app. Safe to run again. The organisations come from the data
    migration and must exist.
    """
    slugs = {slug for _, _, _, slug, _ in DEMO_ACCOUNTS} | {slug for slug, _ in DEMO_DOMAINS}
    organisations = NationalSociety.objects.in_bulk(slugs, field_name="slug")
    if missing := slugs - organisations.keys():
        raise NationalSociety.DoesNotExist(
            f"Organisations missing: {', '.join(sorted(missing))}. Run `manage.py migrate` first."
        )
    for slug, domain in DEMO_DOMAINS:
        AllowedDomain.objects.update_or_create(
            domain=domain, defaults={"national_society": organisations[slug]}
        )
    result = []
    for email, first_name, last_name, slug, role in DEMO_ACCOUNTS:
        user, created = demo_account_ensure(
            email=email, first_name=first_name, last_name=last_name, organisation=organisations[slug], role=role,
            with_totp=role in PRIVILEGED_ROLES,
        )
        result.append((email, created))
    return result


def demo_account_ensure(*, email, first_name, last_name, organisation, role, with_totp: bool):
    """One demo account in its documented state: (user, created). TOTP on the documented demo secret
    for the accounts that need MFA."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    user, created = User.objects.get_or_create(email=email, defaults={"first_name": first_name, "last_name": last_name})
    user.set_password(DEMO_PASSWORD)
    user.is_active = True
    user.last_login = timezone.now()  # the dormant-accounts command leaves a fresh demo alone
    user.is_staff = user.is_superuser = role == Membership.Role.PLATFORM_ADMIN
    user.save()
    Membership.objects.update_or_create(user=user, defaults={"national_society": organisation, "role": role})
    Authenticator.objects.filter(user=user).delete()
    if with_totp:
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user, created



def edition_notifications_set(*, user, choice: str) -> None:
    """The person's choice of emails about new editions ("each", "digest", "none")."""
    if choice not in {value for value, _label in User._meta.get_field("edition_notifications").choices}:
        raise ValidationError(_("Choose one of the options."))
    User.objects.filter(pk=user.pk).update(edition_notifications=choice)


def user_language_set(*, user, language: str) -> None:
    """Remember the interface language on the account (applied at every request once signed in)."""
    User.objects.filter(pk=user.pk).update(language=language)
