from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from .encryption import decrypt_secret, encrypt_secret
from .forms import INVITATION_SESSION_KEY
from .permissions import needs_mfa
from .services import invitation_accept, invitation_check


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


class EncryptedSecretsMFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery-code seeds are stored encrypted; privileged users keep their TOTP."""

    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        if authenticator.type == Authenticator.Type.TOTP and needs_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)
