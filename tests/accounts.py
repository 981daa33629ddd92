"""Helpers that put a test user in the state the app requires before it shows content."""

from allauth.mfa.totp.internal.auth import TOTP

from messages_app.catalogue.models import Document, RulesAcknowledgement
from national_societies.demo import DEMO_TOTP_SECRET
from national_societies.models import Membership


def acknowledge_rules(user):
    """Record that `user` confirmed the current handling rules of every document (nothing to confirm
    before a load)."""
    for document in Document.objects.all():
        edition = document.editions.order_by("-sequence").first()
        if edition is not None:
            RulesAcknowledgement.objects.get_or_create(user=user, document=document, rules_version=edition.rules_version)


def add_totp(user, secret=DEMO_TOTP_SECRET):
    return TOTP.activate(user, secret)


def sign_in(client, user):
    """Signed in, rules confirmed: the state of a user who went through the whole login flow."""
    client.force_login(user)
    acknowledge_rules(user)
    return client


def person(slug, role=None, email=None, *, editor=False, totp=True, **extra):
    """A user of organisation `slug` with `role` (member by default); privileged roles get TOTP, as they
    would after their first sign-in (secret of tests/totp.py), unless `totp=False`. `editor`: may write
    the society's notes."""
    from national_societies.models import Membership, NationalSociety
    from tests.factories import MembershipFactory, UserFactory

    role = role or Membership.Role.MEMBER
    user = UserFactory(email=email, **extra) if email else UserFactory(**extra)
    MembershipFactory(user=user, national_society=NationalSociety.objects.get(slug=slug), role=role, can_edit_notes=editor)
    if role != Membership.Role.MEMBER and totp:
        add_totp(user)
    return user


# The people of the tests, by the route matrix's names: name -> (organisation slug, role, email, user fields).
# tests/conftest.py makes each a fixture (and `<name>_client`); `persona(name)` makes one where no fixture
# reaches (a module-scoped world). Society A is the Colombian Red Cross, B the Mexican Red Cross.
PERSONAS = {
    "member_a": ("colombia", Membership.Role.MEMBER, "member@colombia.example.org", {"first_name": "Camila", "last_name": "Rojas"}),
    "admin_a": ("colombia", Membership.Role.SOCIETY_ADMIN, "admin@colombia.example.org", {"first_name": "Alba", "last_name": "Admin"}),
    "member_b": ("mexico", Membership.Role.MEMBER, "member@mexico.example.org", {"first_name": "Beto", "last_name": "Mexicano"}),
    "admin_b": ("mexico", Membership.Role.SOCIETY_ADMIN, "admin@mexico.example.org", {"first_name": "Bruna", "last_name": "Admin"}),
    "ifrc_focal": ("ifrc-americas", Membership.Role.FOCAL_POINT, "focal@ifrc.example.org", {"first_name": "Grace", "last_name": "Thompson"}),
    "icrc_focal": ("icrc-americas", Membership.Role.FOCAL_POINT, "focal@icrc.example.org", {"first_name": "Iris", "last_name": "Keller"}),
    "platform_admin": (
        "ifrc-americas",
        Membership.Role.PLATFORM_ADMIN,
        "platform@ifrc.example.org",
        {"first_name": "Pat", "last_name": "Platform", "is_staff": True, "is_superuser": True},
    ),
    "deactivated": ("colombia", Membership.Role.MEMBER, "deactivated@colombia.example.org", {"is_active": False}),
    # A society admin of A who has not set up TOTP yet: every page but the account pages sends them to do so.
    "privileged_no_mfa": ("colombia", Membership.Role.SOCIETY_ADMIN, "no-mfa@colombia.example.org", {"totp": False}),
    # The migration document's editor (IFRC) and reviewer (ICRC): members of their organisation with a
    # role on the document (DOCUMENT_ROLES), hence TOTP.
    "doc_editor": ("ifrc-americas", Membership.Role.MEMBER, "editor@ifrc.example.org", {"first_name": "Sofía", "last_name": "Vargas"}),
    "doc_reviewer": ("icrc-americas", Membership.Role.MEMBER, "reviewer@icrc.example.org", {"first_name": "Jonas", "last_name": "Keller"}),
}
# persona name -> (document slug, role on it)
DOCUMENT_ROLES = {"doc_editor": ("migration-americas", "editor"), "doc_reviewer": ("migration-americas", "reviewer")}


def give_document_role(user, document, kind):
    """`user` edits or reviews `document` (and so has TOTP, as MFA is then required)."""
    from allauth.mfa.models import Authenticator

    from messages_app.editorial.models import DocumentRole

    DocumentRole.objects.create(user=user, document=document, kind=kind)
    Membership.objects.filter(user=user).update(holds_document_role=True)
    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        add_totp(user)
    return user


def persona(name):
    """The user of persona `name` (PERSONAS), created now (with their document role, if any: the
    library must be loaded)."""
    slug, role, email, fields = PERSONAS[name]
    user = person(slug, role, email, **fields)
    if name in DOCUMENT_ROLES:
        from messages_app.catalogue.models import Document

        document_slug, kind = DOCUMENT_ROLES[name]
        give_document_role(user, Document.objects.get(slug=document_slug), kind)
    return user


def follow_enrolment_link(client, user):
    """Ask for the link that opens a privileged account's first MFA set-up, and open it in this
    client, as the account's owner does from their mailbox (national_societies/enrolment.py)."""
    from django.core import mail
    from django.urls import reverse

    assert client.post(reverse("mfa_enrolment_link")).status_code == 200
    email = [m for m in mail.outbox if m.to == [user.email]][-1]
    link = next(word for word in email.body.split() if "/accounts/2fa/enrolment/" in word)
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    return link
