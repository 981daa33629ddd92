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
        return bool(digest) and invitation_check(digest=digest).problem is None

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
