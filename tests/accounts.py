"""Helpers that put a test user in the state the app requires before it shows content."""

from allauth.mfa.totp.internal.auth import TOTP

from messages_app.catalogue.models import RulesAcknowledgement
from messages_app.catalogue.selectors import current_rules_version
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


def person(slug, role=None, email=None, *, editor=False, **extra):
    """A user of organisation `slug` with `role` (member by default); privileged roles get TOTP, as they
    would after their first sign-in (secret of tests/totp.py). `editor`: may write the society's notes."""
    from national_societies.models import Membership, NationalSociety
    from tests.factories import MembershipFactory, UserFactory

    role = role or Membership.Role.MEMBER
    user = UserFactory(email=email, **extra) if email else UserFactory(**extra)
    MembershipFactory(user=user, national_society=NationalSociety.objects.get(slug=slug), role=role, can_edit_notes=editor)
    if role != Membership.Role.MEMBER:
        add_totp(user)
    return user
