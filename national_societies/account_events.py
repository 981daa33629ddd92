"""Account events recorded from Django's and allauth's signals (sign-in, sign-out, MFA, passwords)."""

from audit.models import Action, Outcome
from audit.services import audit_record


def logged_in(sender, request, user, **kwargs):
    audit_record(action=Action.LOGGED_IN, actor=user, request=request)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=Action.LOGGED_OUT, actor=user, request=request)


def login_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked secret-looking keys; only the address typed is kept, never a password.
    attempted = credentials.get("email") or credentials.get("username") or ""
    audit_record(
        action=Action.LOGIN_FAILED,
        target_type="login",
        target_id=str(attempted).lower(),
        outcome=Outcome.DENIED,
        reason="wrong email or password",
        request=request,
    )


def mfa_added(sender, request, user, authenticator, **kwargs):
    audit_record(action=Action.MFA_SET_UP, actor=user, details={"type": authenticator.type}, request=request)


def mfa_removed(sender, request, user, authenticator, **kwargs):
    audit_record(action=Action.MFA_REMOVED, actor=user, details={"type": authenticator.type}, request=request)


def mfa_used(sender, request, user, authenticator, **kwargs):
    details = {"type": authenticator.type, "reauthentication": bool(kwargs.get("reauthenticated"))}
    audit_record(action=Action.MFA_USED, actor=user, details=details, request=request)


def mfa_failed(sender, request, user, authenticator, **kwargs):
    audit_record(
        action=Action.MFA_FAILED,
        actor=user,
        outcome=Outcome.DENIED,
        reason="wrong code",
        details={"type": authenticator.type},
        request=request,
    )


def password_changed(sender, request, user, **kwargs):
    audit_record(action=Action.PASSWORD_CHANGED, actor=user, request=request)
