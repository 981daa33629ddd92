"""Helpers that put a test user in the state the app requires before it shows content."""

from allauth.mfa.totp.internal.auth import TOTP

from messages_app.models import RulesAcknowledgement
from messages_app.selectors import current_rules_version
from national_societies.demo import DEMO_TOTP_SECRET


def acknowledge_rules(user):
    """Record that `user` confirmed the current handling rules (nothing to confirm before a load)."""
    version = current_rules_version()
    if version:
        RulesAcknowledgement.objects.get_or_create(user=user, rules_version=version)


def add_totp(user, secret=DEMO_TOTP_SECRET):
    return TOTP.activate(user, secret)


def sign_in(client, user):
    """Signed in, rules confirmed: the state of a user who went through the whole login flow."""
    client.force_login(user)
    acknowledge_rules(user)
    return client
