from allauth.account.adapter import DefaultAccountAdapter


class InvitationOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by administrators: open sign-up is closed on every path."""

    def is_open_for_signup(self, request):
        return False
