"""allauth's MFA pages, where the app adds to what allauth gives their templates."""

from allauth.mfa.base.views import AuthenticateView as AllauthAuthenticateView
from allauth.mfa.models import Authenticator


class AuthenticateView(AllauthAuthenticateView):
    """The second step of signing in. The page offers what the account has set up: the security key
    only to someone who added one (no WebAuthn challenge is made for the others), the code field to
    someone with an authenticator app or recovery codes."""

    def get_context_data(self, **kwargs) -> dict:
        types = set(Authenticator.objects.filter(user_id=self.stage.login.user.pk).values_list("type", flat=True))
        if Authenticator.Type.WEBAUTHN not in types:
            self.webauthn_form = None  # allauth then leaves out the key's form and challenge
        context = super().get_context_data(**kwargs)
        context.update(
            has_totp=Authenticator.Type.TOTP in types,
            has_recovery_codes=Authenticator.Type.RECOVERY_CODES in types,
            has_security_key=Authenticator.Type.WEBAUTHN in types,
        )
        return context


authenticate = AuthenticateView.as_view()
