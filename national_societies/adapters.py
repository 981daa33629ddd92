import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from national_societies.encryption import decrypt_secret, encrypt_secret
from national_societies.forms import INVITATION_SESSION_KEY
from national_societies.permissions import can_turn_off_authenticator_app
from national_societies.services import invitation_accept, invitation_check


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by invitation only: sign-up opens for a browser holding a valid invitation.

    The invitation link (`national_societies:invitation_accept`) puts the invitation's digest in the
    session; allauth's own sign-up form and flow then set the name and password.
    """

    def is_open_for_signup(self, request):
        digest = request.session.get(INVITATION_SESSION_KEY)
        if not digest:
            return False
        check = invitation_check(digest=digest)
        if check.problem is None:
            return True
        # This browser opened a valid link, but the invitation was used (in another browser),
        # revoked or expired before the form was sent: the form says so ("can no longer be used")
        # rather than "by invitation only". The form re-checks the invitation under a row lock and
        # refuses it, so nothing is created.
        return request.method == "POST" and check.invitation is not None

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=True)
        invitation_accept(digest=request.session.pop(INVITATION_SESSION_KEY), user=user)
        return user

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Not for a first authenticator set up just after signing in with the password.

        A privileged user is sent from the sign-in straight to the TOTP setup; asking for the password
        they typed a moment ago proves nothing more (allauth counts only an explicit re-entry). Once
        they have any authenticator, or the sign-in is older than the reauthentication timeout,
        allauth's rule applies again.
        """
        request = self.request
        if (
            app == "allauth.mfa"
            and request is not None
            and request.user.is_authenticated
            and _password_sign_in_age(request) < account_settings.REAUTHENTICATION_TIMEOUT
            and not Authenticator.objects.filter(user_id=request.user.pk).exists()
        ):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)


def _password_sign_in_age(request) -> float:
    """Seconds since this session signed in with the password (infinite when it did not)."""
    records = [r for r in get_authentication_records(request, request.user) if r.get("method") == "password"]
    return time.time() - records[-1]["at"] if records else float("inf")


class EncryptedSecretsMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted; privileged users keep their TOTP."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and not can_turn_off_authenticator_app(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
