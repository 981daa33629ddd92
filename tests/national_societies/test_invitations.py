"""Invitation-only onboarding: inviting, the single-use link, sign-up through allauth, resend and revoke.

Every account is created by invitation. These tests walk the whole flow through the real views
(society admin pages, the link in the email, allauth's sign-up), and check the services' own guards.
"""

import hashlib
import re
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.exceptions import ValidationError

from core.rules import NotAllowed
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_records_for
from national_societies.forms import INVITATION_SESSION_KEY
from national_societies.models import AllowedDomain, Invitation, Membership, NationalSociety, User
from national_societies.services import (
    invitation_accept,
    invitation_check,
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitation_token_digest,
)
from tests.accounts import persona, sign_in
from tests.factories import MembershipFactory, UserFactory

NEW_PASSWORD = "Correct-horse-battery-9"
INVITED = "new.person@colombia.example.org"
LINK = re.compile(r"(https?://testserver/invitations/([A-Za-z0-9_\-]+)/)")


# --- Fixtures and helpers ---------------------------------------------------------------------


@pytest.fixture
def colombia_domain(colombia):
    return AllowedDomain.objects.create(national_society=colombia, domain="colombia.example.org")


@pytest.fixture
def mexico_domain(mexico):
    return AllowedDomain.objects.create(national_society=mexico, domain="mexico.example.org")


def accept_url(token):
    return f"http://testserver{reverse('national_societies:invitation_accept', args=[token])}"


def create(national_society, invited_by, email=INVITED, role=Membership.Role.MEMBER, reason="", language="en"):
    """Invite through the service; returns (invitation, token) with the token read from the email."""
    sent_before = len(mail.outbox)
    invitation = invitation_create(
        invited_by=invited_by,
        national_society=national_society,
        email=email,
        role=role,
        domain_override_reason=reason,
        language=language,
        build_accept_url=accept_url,
    )
    assert len(mail.outbox) == sent_before + 1
    return invitation, token_in(mail.outbox[-1])


def token_in(message):
    match = LINK.search(message.body)
    assert match, f"no invitation link in the email:\n{message.body}"
    return match.group(2)


def invite_url(society):
    return reverse("national_societies:invitation_new", args=[society.slug])


def resend_url(invitation, society=None):
    return reverse(
        "national_societies:invitation_resend", args=[(society or invitation.national_society).slug, invitation.pk]
    )


def revoke_url(invitation, society=None):
    return reverse(
        "national_societies:invitation_revoke", args=[(society or invitation.national_society).slug, invitation.pk]
    )


def link(token):
    return reverse("national_societies:invitation_accept", args=[token])


def signup_data(**overrides):
    data = {
        "email": INVITED,
        "first_name": "Ana",
        "last_name": "Gómez",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(overrides)
    return data


def open_link(client, token):
    response = client.get(link(token))
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == reverse("account_signup")
    return response


def non_field_errors(response):
    return [str(error) for error in response.context["form"].non_field_errors()]


def flash_messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def pending(colombia, colombia_domain, society_admin):
    """A pending invitation of a member of the Colombian Red Cross, and the token of its link."""
    return create(colombia, society_admin)


# --- Inviting ---------------------------------------------------------------------------------


def test_society_admin_invites_an_address_of_an_allowed_domain(admin_a_client, society_admin, colombia, colombia_domain, mailoutbox):
    before = timezone.now()
    response = admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": Membership.Role.MEMBER})

    assert response.status_code == 302
    assert response["Location"] == reverse("national_societies:members", args=[colombia.slug])
    invitation = Invitation.objects.get()
    assert invitation.email == INVITED
    assert invitation.national_society == colombia
    assert invitation.role == Membership.Role.MEMBER
    assert invitation.invited_by == society_admin
    assert invitation.domain_override_reason == ""
    assert invitation.send_count == 1
    assert invitation.status == Invitation.Status.PENDING
    assert before + timedelta(days=7) <= invitation.expires_at <= timezone.now() + timedelta(days=7)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [INVITED]
    records = audit_records_for(invitation)
    assert [record["action"] for record in records] == ["invited"]
    assert records[0]["actor_id"] == society_admin.pk
    assert {"email": INVITED, "organisation": "colombia", "role": "member"}.items() <= records[0]["details"].items()
    assert not records[0].get("reason")


def test_invited_address_is_stored_in_lower_case(admin_a_client, colombia, colombia_domain, mailoutbox):
    admin_a_client.post(invite_url(colombia), {"email": "New.Person@Colombia.Example.ORG", "role": "member"})

    assert Invitation.objects.get().email == INVITED
    assert mailoutbox[0].to == [INVITED]


def test_society_admin_can_invite_another_society_admin(admin_a_client, colombia, colombia_domain, mailoutbox):
    admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": Membership.Role.SOCIETY_ADMIN})

    assert Invitation.objects.get().role == Membership.Role.SOCIETY_ADMIN


def test_only_the_digest_of_the_token_is_stored(pending):
    invitation, token = pending

    assert invitation.token_digest == hashlib.sha256(token.encode()).hexdigest()
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    assert not any(token in str(value) for value in row.values())


def test_each_link_is_a_long_random_secret(colombia, colombia_domain, society_admin):
    _, first = create(colombia, society_admin, email="one@colombia.example.org")
    _, second = create(colombia, society_admin, email="two@colombia.example.org")

    assert first != second
    assert len(first) >= 40  # 32 random bytes, URL-safe base64


def test_society_admin_form_has_no_override_reason_but_platform_admin_form_has(admin_a_client, platform_admin_client, colombia):
    admin_form = admin_a_client.get(invite_url(colombia)).context["form"]
    platform_form = platform_admin_client.get(invite_url(colombia)).context["form"]

    assert "domain_override_reason" not in admin_form.fields
    assert "domain_override_reason" in platform_form.fields


def test_invitation_page_lists_the_allowed_domains(admin_a_client, colombia, colombia_domain):
    page = admin_a_client.get(invite_url(colombia))

    assert page.status_code == 200
    assert "colombia.example.org" in page.content.decode()


def test_society_admin_cannot_invite_outside_the_allowed_domains(admin_a_client, colombia, colombia_domain, mailoutbox):
    response = admin_a_client.post(
        invite_url(colombia),
        # A reason posted anyway does not help: a society admin cannot override.
        {"email": "someone@gmail.com", "role": "member", "domain_override_reason": "She is a volunteer"},
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["email"]
    assert any("colombia.example.org" in error for error in errors)
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_society_admin_cannot_invite_into_a_sibling_domain(admin_a_client, colombia, colombia_domain, mexico_domain):
    response = admin_a_client.post(invite_url(colombia), {"email": "someone@mexico.example.org", "role": "member"})

    assert "email" in response.context["form"].errors
    assert Invitation.objects.count() == 0


def test_society_without_domains_tells_the_admin_to_ask_a_platform_admin(admin_a_client, colombia):
    response = admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": "member"})

    assert "ask a platform admin" in " ".join(response.context["form"].errors["email"])
    assert Invitation.objects.count() == 0


def test_platform_admin_must_give_a_reason_to_invite_outside_the_domains(platform_admin_client, colombia, colombia_domain, mailoutbox):
    response = platform_admin_client.post(
        invite_url(colombia), {"email": "someone@gmail.com", "role": "member", "domain_override_reason": "   "}
    )

    assert response.status_code == 200
    assert "domain_override_reason" in response.context["form"].errors
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_platform_admin_override_is_recorded_on_the_invitation_and_in_the_audit(
    platform_admin_client, platform_admin, colombia, colombia_domain, mailoutbox
):
    reason = "Volunteer coordinator without a Red Cross address yet"
    response = platform_admin_client.post(
        invite_url(colombia), {"email": "someone@gmail.com", "role": "member", "domain_override_reason": reason}
    )

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "someone@gmail.com"
    assert invitation.national_society == colombia
    assert invitation.domain_override_reason == reason
    assert invitation.invited_by == platform_admin
    records = audit_records_for(invitation)
    assert records[0]["action"] == "invited"
    assert records[0]["reason"] == reason
    assert records[0]["actor_id"] == platform_admin.pk
    assert mailoutbox[0].to == ["someone@gmail.com"]


def test_no_override_is_recorded_when_the_domain_is_allowed(platform_admin, colombia, colombia_domain):
    invitation, _ = create(colombia, platform_admin, reason="not needed")

    assert invitation.domain_override_reason == ""
    assert not audit_records_for(invitation)[0].get("reason")


@pytest.mark.parametrize("role", [Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN])
def test_society_admin_is_not_offered_privileged_roles(admin_a_client, colombia, colombia_domain, role, mailoutbox):
    page = admin_a_client.get(invite_url(colombia))
    offered = [value for value, _label in page.context["form"].fields["role"].choices]
    assert offered == [Membership.Role.MEMBER, Membership.Role.SOCIETY_ADMIN]

    response = admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": role})

    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


@pytest.mark.parametrize("role", [Membership.Role.FOCAL_POINT, Membership.Role.PLATFORM_ADMIN])
def test_service_refuses_a_privileged_role_from_a_society_admin(society_admin, colombia, colombia_domain, role, mailoutbox):
    with pytest.raises(NotAllowed) as refused:
        invitation_create(
            invited_by=society_admin, national_society=colombia, email=INVITED, role=role, build_accept_url=accept_url
        )

    assert refused.value.reason == "You cannot give this role."
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_platform_admin_invites_a_focal_point_to_the_ifrc_but_not_to_a_national_society(
    platform_admin, ifrc, colombia, colombia_domain
):
    with pytest.raises(ValidationError) as refused:
        invitation_create(
            invited_by=platform_admin,
            national_society=colombia,
            email=INVITED,
            role=Membership.Role.FOCAL_POINT,
            build_accept_url=accept_url,
        )
    assert "role" in refused.value.error_dict

    invitation, _ = create(ifrc, platform_admin, role=Membership.Role.FOCAL_POINT, reason="Regional focal point")
    assert invitation.role == Membership.Role.FOCAL_POINT


@pytest.mark.parametrize("method", ["get", "post"])
def test_society_admin_gets_404_on_the_invitation_page_of_another_society(admin_a_client, mexico, mexico_domain, method):
    response = getattr(admin_a_client, method)(invite_url(mexico), {"email": "x@mexico.example.org", "role": "member"})

    assert response.status_code == 404
    assert Invitation.objects.count() == 0


def test_service_refuses_an_invitation_into_another_society(society_admin, mexico, mexico_domain, mailoutbox):
    with pytest.raises(NotAllowed):
        invitation_create(
            invited_by=society_admin,
            national_society=mexico,
            email="someone@mexico.example.org",
            build_accept_url=accept_url,
        )
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_a_member_cannot_invite(member, colombia, colombia_domain):
    with pytest.raises(NotAllowed):
        invitation_create(invited_by=member, national_society=colombia, email=INVITED, build_accept_url=accept_url)
    assert Invitation.objects.count() == 0


def test_inviting_an_address_that_has_an_account_is_refused(admin_a_client, colombia, colombia_domain, member, mailoutbox):
    response = admin_a_client.post(invite_url(colombia), {"email": member.email.upper(), "role": "member"})

    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["email"])
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_inviting_an_address_with_a_pending_invitation_is_refused(admin_a_client, colombia, pending, mailoutbox):
    response = admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": "member"})

    assert response.status_code == 200
    assert "pending invitation" in " ".join(response.context["form"].errors["email"])
    assert Invitation.objects.count() == 1
    assert len(mailoutbox) == 1  # the first invitation's email only


def test_an_expired_pending_invitation_is_replaced_by_a_new_one(client, colombia, society_admin, pending):
    old, old_token = pending
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    new, new_token = create(colombia, society_admin)

    old.refresh_from_db()
    assert old.revoked_at is not None
    assert new.pk != old.pk and new.status == Invitation.Status.PENDING
    assert Invitation.objects.open().get() == new
    assert client.get(link(old_token)).status_code == 410
    open_link(client, new_token)


@pytest.mark.parametrize("error", [OSError("Connection refused"), smtplib.SMTPException("550 rejected")])
def test_when_the_email_cannot_be_sent_nothing_is_saved(admin_a_client, colombia, colombia_domain, error):
    with mock.patch("national_societies.services.send_mail", side_effect=error) as send:
        response = admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": "member"})

    assert send.called
    assert response.status_code == 200
    assert any("could not be sent" in message for message in non_field_errors(response))
    assert Invitation.objects.count() == 0


def test_a_failed_email_does_not_close_an_expired_invitation_being_replaced(admin_a_client, colombia, pending):
    old, old_token = pending
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    with mock.patch("national_societies.services.send_mail", side_effect=OSError("down")):
        admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": "member"})

    old.refresh_from_db()
    assert old.revoked_at is None
    assert Invitation.objects.count() == 1


# --- The email --------------------------------------------------------------------------------


def test_invitation_email_is_addressed_to_the_invitee_and_explains_the_link(admin_a_client, colombia, colombia_domain, mailoutbox):
    admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": "member", "language": "en"})

    message = mailoutbox[0]
    assert message.to == [INVITED]
    assert message.subject.startswith("[Key Messages] ")
    assert colombia.name in message.subject
    match = LINK.search(message.body)
    assert match, message.body
    assert match.group(1) == f"http://testserver/invitations/{match.group(2)}/"
    assert "works once" in message.body
    assert "expires in 7 days" in message.body
    assert Invitation.objects.get().token_digest == invitation_token_digest(match.group(2))


def test_expiry_follows_the_setting(settings, colombia, colombia_domain, society_admin, mailoutbox):
    settings.INVITATION_EXPIRY_DAYS = 3
    before = timezone.now()

    invitation, _ = create(colombia, society_admin)

    assert before + timedelta(days=3) <= invitation.expires_at <= timezone.now() + timedelta(days=3)
    assert "expires in 3 days" in mailoutbox[0].body


# --- The link ---------------------------------------------------------------------------------


def test_a_valid_link_opens_sign_up_with_only_the_digest_in_the_session(client, pending):
    invitation, token = pending

    open_link(client, token)

    assert client.session[INVITATION_SESSION_KEY] == invitation.token_digest
    assert token not in str(dict(client.session.items()))


def test_an_unknown_link_is_refused_with_404_and_does_not_open_sign_up(client, pending):
    response = client.get(link("not-a-real-token"))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session
    assert "By invitation only" in client.get(reverse("account_signup")).content.decode()


@pytest.mark.parametrize(
    ("state", "text"),
    [
        ("expired", "has expired"),
        ("revoked", "withdrawn"),
        ("accepted", "already been used"),
    ],
)
def test_a_closed_link_is_refused_with_410_and_does_not_open_sign_up(client, pending, society_admin, state, text):
    invitation, token = pending
    now = timezone.now()
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=now - timedelta(seconds=1))
    elif state == "revoked":
        invitation_revoke(invitation=invitation, revoked_by=society_admin)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=now)

    response = client.get(link(token))

    assert response.status_code == 410
    assert text in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session
    signup = client.get(reverse("account_signup"))
    assert "By invitation only" in signup.content.decode()
    assert "password1" not in signup.content.decode()


def test_a_refused_link_clears_a_digest_left_by_an_earlier_link(client, pending, society_admin):
    invitation, token = pending
    open_link(client, token)
    invitation_revoke(invitation=invitation, revoked_by=society_admin)

    assert client.get(link(token)).status_code == 410
    assert INVITATION_SESSION_KEY not in client.session


def test_the_link_expires_after_seven_days(client, pending):
    invitation, token = pending
    # Move the clock: the link is valid just before its expiry and refused at it.
    with mock.patch("django.utils.timezone.now", return_value=invitation.expires_at - timedelta(minutes=1)):
        assert invitation_check(token=token).problem is None
    with mock.patch("django.utils.timezone.now", return_value=invitation.created_at + timedelta(days=7, seconds=1)):
        assert invitation_check(token=token).problem == Invitation.Status.EXPIRED


def test_a_link_of_an_inactive_organisation_is_refused(client, pending, colombia):
    _, token = pending
    NationalSociety.objects.filter(pk=colombia.pk).update(is_active=False)

    response = client.get(link(token))

    assert response.status_code == 410
    assert "no longer active" in response.content.decode()


def test_a_signed_in_user_is_told_to_sign_out_first_and_nothing_is_accepted(client, pending, member):
    invitation, token = pending
    sign_in(client, member)

    response = client.get(link(token))

    assert response.status_code == 200
    assert "sign out first" in response.content.decode()
    assert INVITATION_SESSION_KEY not in client.session
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.accepted_user is None
    member.membership.refresh_from_db()
    assert member.membership.national_society.slug == "colombia"
    assert not User.objects.filter(email=INVITED).exists()


@pytest.mark.parametrize("state", ["rules not confirmed", "privileged without MFA"])
def test_a_signed_in_user_who_owes_a_step_still_sees_the_sign_out_page_and_the_token_goes_nowhere(client, pending, colombia, state):
    """Neither the rules page nor the MFA setup catches the link: its token would travel on in ?next=."""
    invitation, token = pending
    role = Membership.Role.MEMBER if state == "rules not confirmed" else Membership.Role.SOCIETY_ADMIN
    user = MembershipFactory(user=UserFactory(email="busy@colombia.example.org"), national_society=colombia, role=role).user
    client.force_login(user)  # no rules confirmed, no TOTP

    response = client.get(link(token))

    assert response.status_code == 200
    assert "sign out first" in response.content.decode()
    assert token not in response.get("Location", "")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


# --- Sign-up ----------------------------------------------------------------------------------


def test_sign_up_form_shows_the_invited_address_locked_and_asks_for_names_and_password_twice(client, pending):
    open_link(client, pending[1])

    page = client.get(reverse("account_signup"))

    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.fields) == ["email", "first_name", "last_name", "password1", "password2"]
    assert form.fields["email"].disabled
    assert form["email"].value() == INVITED
    html = page.content.decode()
    assert INVITED in html
    assert "By invitation only" not in html


def test_accepting_creates_the_account_membership_and_signs_in(client, pending, colombia, library):
    invitation, token = pending
    open_link(client, token)

    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 302
    user = User.objects.get(email=INVITED)
    assert (user.first_name, user.last_name) == ("Ana", "Gómez")
    assert user.has_usable_password()
    assert user.check_password(NEW_PASSWORD)
    assert user.is_active
    assert user.membership.national_society == colombia
    assert user.membership.role == Membership.Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_user == user
    assert "invitation_accepted" in [record["action"] for record in audit_records_for(invitation)]
    assert int(client.session[SESSION_KEY]) == user.pk
    assert INVITATION_SESSION_KEY not in client.session
    # Signed in: the next page is the handling rules, not the sign-in page.
    home = client.get(reverse("messages:search"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse("messages:acknowledge_rules", args=["migration-americas"]))


def test_the_new_password_signs_in(client, pending):
    open_link(client, pending[1])
    client.post(reverse("account_signup"), signup_data())

    fresh = Client()
    response = fresh.post(reverse("account_login"), {"login": INVITED, "password": NEW_PASSWORD})

    assert response.status_code == 302
    assert int(fresh.session[SESSION_KEY]) == User.objects.get(email=INVITED).pk


def test_the_account_gets_the_role_of_the_invitation(client, colombia, colombia_domain, society_admin):
    _, token = create(colombia, society_admin, role=Membership.Role.SOCIETY_ADMIN)
    open_link(client, token)

    client.post(reverse("account_signup"), signup_data())

    user = User.objects.get(email=INVITED)
    assert user.membership.role == Membership.Role.SOCIETY_ADMIN
    assert user.membership.national_society == colombia
    # A privileged role needs two-factor authentication before anything else, its first
    # authenticator set up through a link sent to the work address.
    assert client.get(reverse("messages:home"))["Location"] == reverse("mfa_enrolment_link")


def test_a_focal_point_invitation_gives_the_focal_point_role_in_the_ifrc(client, ifrc, platform_admin):
    email = "focal@ifrc.example.org"
    _, token = create(ifrc, platform_admin, email=email, role=Membership.Role.FOCAL_POINT, reason="Regional focal point")
    open_link(client, token)

    client.post(reverse("account_signup"), signup_data(email=email))

    membership = User.objects.get(email=email).membership
    assert (membership.national_society, membership.role) == (ifrc, Membership.Role.FOCAL_POINT)


def test_posting_another_address_does_not_change_the_account_address(client, pending):
    open_link(client, pending[1])

    client.post(reverse("account_signup"), signup_data(email="attacker@gmail.com"))

    user = User.objects.get(email=INVITED)
    assert not User.objects.filter(email="attacker@gmail.com").exists()
    assert User.objects.count() == 2  # the society admin and the invited person
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [INVITED]
    assert not EmailAddress.objects.filter(email="attacker@gmail.com").exists()


@pytest.mark.parametrize(
    ("password1", "password2", "field"),
    [
        ("short-pw1", "short-pw1", "password1"),  # under 12 characters
        ("password1234", "password1234", "password1"),  # a common password
        (NEW_PASSWORD, NEW_PASSWORD + "x", "password2"),  # not the same twice
    ],
)
def test_a_weak_or_mismatched_password_is_refused_and_creates_nobody(client, pending, password1, password2, field):
    invitation, token = pending
    open_link(client, token)

    response = client.post(reverse("account_signup"), signup_data(password1=password1, password2=password2))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(email=INVITED).exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    # The person can correct the password and try again with the same link.
    client.post(reverse("account_signup"), signup_data())
    assert User.objects.filter(email=INVITED).exists()


@pytest.mark.parametrize("missing", ["first_name", "last_name"])
def test_names_are_required(client, pending, missing):
    open_link(client, pending[1])

    response = client.post(reverse("account_signup"), signup_data(**{missing: ""}))

    assert missing in response.context["form"].errors
    assert not User.objects.filter(email=INVITED).exists()


def test_a_used_link_is_refused_the_second_time(client, pending):
    _, token = pending
    open_link(client, token)
    client.post(reverse("account_signup"), signup_data())

    other = Client()
    response = other.get(link(token))

    assert response.status_code == 410
    assert "already been used" in response.content.decode()
    assert User.objects.filter(email=INVITED).count() == 1


def test_two_browsers_on_one_link_the_first_to_submit_wins(pending):
    invitation, token = pending
    first, second = Client(), Client()
    open_link(first, token)
    open_link(second, token)

    first.post(reverse("account_signup"), signup_data(first_name="First"))
    response = second.post(reverse("account_signup"), signup_data(first_name="Second"))

    assert response.status_code == 200
    assert any("can no longer be used" in error for error in non_field_errors(response))
    assert SESSION_KEY not in second.session
    assert User.objects.filter(email=INVITED).count() == 1
    winner = User.objects.get(email=INVITED)
    assert winner.first_name == "First"
    assert Membership.objects.filter(user__email=INVITED).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_user == winner


def test_invitation_accept_service_closes_the_invitation_for_a_second_user(pending, colombia):
    invitation, _ = pending
    user = UserFactory(email=INVITED)

    membership = invitation_accept(digest=invitation.token_digest, user=user)

    assert (membership.user, membership.national_society) == (user, colombia)
    with pytest.raises(ValidationError, match="can no longer be used"):
        invitation_accept(digest=invitation.token_digest, user=UserFactory(email="other@colombia.example.org"))
    assert Membership.objects.filter(national_society=colombia).count() == 2  # the admin and the new user


@pytest.mark.parametrize("closed_by", ["expiry", "revocation"])
def test_a_link_closed_between_opening_and_submitting_creates_nobody(client, pending, society_admin, closed_by):
    invitation, token = pending
    open_link(client, token)
    if closed_by == "expiry":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        invitation_revoke(invitation=invitation, revoked_by=society_admin)

    response = client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 200
    assert any("can no longer be used" in error for error in non_field_errors(response))
    assert not User.objects.filter(email=INVITED).exists()
    assert SESSION_KEY not in client.session
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    # Opening the sign-up page again shows no form.
    assert "By invitation only" in client.get(reverse("account_signup")).content.decode()


@pytest.mark.parametrize("state", ["expired", "revoked"])
def test_invitation_accept_service_refuses_a_closed_invitation(pending, society_admin, state):
    invitation, _ = pending
    if state == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    else:
        invitation_revoke(invitation=invitation, revoked_by=society_admin)

    with pytest.raises(ValidationError, match="can no longer be used"):
        invitation_accept(digest=invitation.token_digest, user=UserFactory(email=INVITED))

    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not Membership.objects.filter(user__email=INVITED).exists()


# --- Sign-up without an invitation ------------------------------------------------------------


def test_sign_up_page_without_an_invitation_says_by_invitation_only(client, db):
    response = client.get(reverse("account_signup"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "By invitation only" in html
    assert 'name="password1"' not in html


def test_posting_the_sign_up_form_without_an_invitation_creates_nobody(client, db):
    response = client.post(
        reverse("account_signup"),
        signup_data(email="outsider@colombia.example.org"),
    )

    assert "By invitation only" in response.content.decode()
    assert not User.objects.exists()
    assert SESSION_KEY not in client.session


def test_sign_up_with_a_forged_digest_in_the_session_creates_nobody(client, db):
    session = client.session
    session[INVITATION_SESSION_KEY] = invitation_token_digest("guessed")
    session.save()

    response = client.post(reverse("account_signup"), signup_data())

    assert "By invitation only" in response.content.decode()
    assert not User.objects.exists()


def test_after_signing_up_the_sign_up_page_is_closed_again(client, pending):
    open_link(client, pending[1])
    client.post(reverse("account_signup"), signup_data())
    client.logout()

    response = client.post(reverse("account_signup"), signup_data(email="second@colombia.example.org"))

    assert "By invitation only" in response.content.decode()
    assert User.objects.filter(email__endswith="@colombia.example.org").count() == 2


# --- Resend -----------------------------------------------------------------------------------


def test_resend_sends_a_new_link_and_the_old_one_stops_working(admin_a_client, society_admin, pending, mailoutbox):
    invitation, old_token = pending
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
    before = timezone.now()

    response = admin_a_client.post(resend_url(invitation), follow=True)

    assert response.status_code == 200
    assert any("new link was sent" in message for message in flash_messages(response))
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == [INVITED]
    new_token = token_in(mailoutbox[1])
    assert new_token != old_token
    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert invitation.token_digest == invitation_token_digest(new_token)
    assert invitation.expires_at >= before + timedelta(days=7)  # the clock restarts
    assert invitation.status == Invitation.Status.PENDING
    assert [record["action"] for record in audit_records_for(invitation)] == ["invited", "invitation_resent"]
    anonymous = Client()
    assert anonymous.get(link(old_token)).status_code == 404
    open_link(anonymous, new_token)


def test_the_old_link_opened_before_a_resend_no_longer_signs_up(client, society_admin, pending):
    invitation, old_token = pending
    open_link(client, old_token)

    invitation_resend(invitation=invitation, resent_by=society_admin, build_accept_url=accept_url)
    response = client.post(reverse("account_signup"), signup_data())

    assert "By invitation only" in response.content.decode()
    assert not User.objects.filter(email=INVITED).exists()


def test_resend_counts_every_send(society_admin, pending):
    invitation, _ = pending

    invitation_resend(invitation=invitation, resent_by=society_admin, build_accept_url=accept_url)
    invitation_resend(invitation=invitation, resent_by=society_admin, build_accept_url=accept_url)

    invitation.refresh_from_db()
    assert invitation.send_count == 3


def test_a_failed_resend_keeps_the_previous_link(admin_a_client, pending, mailoutbox):
    invitation, old_token = pending

    with mock.patch("national_societies.services.send_mail", side_effect=smtplib.SMTPException("down")):
        response = admin_a_client.post(resend_url(invitation), follow=True)

    assert any("could not be sent" in message for message in flash_messages(response))
    invitation.refresh_from_db()
    assert invitation.send_count == 1
    assert invitation.token_digest == invitation_token_digest(old_token)
    open_link(Client(), old_token)


@pytest.mark.parametrize("state", ["revoked", "accepted"])
def test_a_closed_invitation_cannot_be_resent(admin_a_client, society_admin, pending, mailoutbox, state):
    invitation, token = pending
    if state == "revoked":
        invitation_revoke(invitation=invitation, revoked_by=society_admin)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())

    response = admin_a_client.post(resend_url(invitation), follow=True)

    assert response.status_code == 200
    assert any(f"already {state}" in message for message in flash_messages(response))
    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.send_count == 1
    assert invitation.token_digest == invitation_token_digest(token)


def test_resending_an_invitation_of_another_society_is_404(admin_a_client, admin_b, mexico, mexico_domain, colombia, mailoutbox):
    invitation, token = create(mexico, admin_b, email="someone@mexico.example.org")

    assert admin_a_client.post(resend_url(invitation)).status_code == 404
    # Nor through the admin's own society's address with the other society's invitation.
    assert admin_a_client.post(resend_url(invitation, society=colombia)).status_code == 404

    invitation.refresh_from_db()
    assert invitation.send_count == 1
    assert invitation.token_digest == invitation_token_digest(token)
    assert len(mailoutbox) == 1


def test_resend_is_post_only(admin_a_client, pending):
    invitation, _ = pending

    assert admin_a_client.get(resend_url(invitation)).status_code == 405
    invitation.refresh_from_db()
    assert invitation.send_count == 1


# --- Revoke -----------------------------------------------------------------------------------


def test_revoke_asks_for_confirmation_first(admin_a_client, pending):
    invitation, token = pending

    page = admin_a_client.get(revoke_url(invitation))

    assert page.status_code == 200
    assert INVITED in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    open_link(Client(), token)


def test_revoking_makes_the_link_refused(admin_a_client, society_admin, pending, colombia):
    invitation, token = pending

    response = admin_a_client.post(revoke_url(invitation))

    assert response.status_code == 302
    assert response["Location"] == reverse("national_societies:members", args=[colombia.slug])
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert invitation.revoked_by == society_admin
    assert [record["action"] for record in audit_records_for(invitation)] == ["invited", "invitation_revoked"]
    refused = Client().get(link(token))
    assert refused.status_code == 410
    assert "withdrawn" in refused.content.decode()


def test_a_revoked_address_can_be_invited_again(admin_a_client, colombia, pending, mailoutbox):
    invitation, _ = pending
    admin_a_client.post(revoke_url(invitation))

    response = admin_a_client.post(invite_url(colombia), {"email": INVITED, "role": "member"})

    assert response.status_code == 302
    assert Invitation.objects.filter(email=INVITED).count() == 2
    open_link(Client(), token_in(mailoutbox[-1]))


def test_an_accepted_invitation_cannot_be_revoked(admin_a_client, client, pending):
    invitation, token = pending
    open_link(client, token)
    client.post(reverse("account_signup"), signup_data())

    response = admin_a_client.post(revoke_url(invitation), follow=True)

    assert any("already accepted" in message for message in flash_messages(response))
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.revoked_at is None


@pytest.mark.parametrize("method", ["get", "post"])
def test_revoking_an_invitation_of_another_society_is_404(admin_a_client, admin_b, mexico, mexico_domain, colombia, method):
    invitation, token = create(mexico, admin_b, email="someone@mexico.example.org")

    assert getattr(admin_a_client, method)(revoke_url(invitation)).status_code == 404
    assert getattr(admin_a_client, method)(revoke_url(invitation, society=colombia)).status_code == 404

    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    open_link(Client(), token)


def test_platform_admin_can_resend_and_revoke_in_any_society(platform_admin_client, admin_b, mexico, mexico_domain, mailoutbox):
    invitation, _ = create(mexico, admin_b, email="someone@mexico.example.org")

    assert platform_admin_client.post(resend_url(invitation)).status_code == 302
    assert platform_admin_client.post(revoke_url(invitation)).status_code == 302

    invitation.refresh_from_db()
    assert invitation.send_count == 2
    assert invitation.status == Invitation.Status.REVOKED


# --- invitation_check -------------------------------------------------------------------------


def test_invitation_check_names_the_problem(pending, society_admin):
    invitation, token = pending

    assert invitation_check(token=token) == invitation_check(digest=invitation.token_digest)
    assert invitation_check(token=token).problem is None
    assert invitation_check(token=token).invitation == invitation
    assert invitation_check(token="wrong").problem == "unknown"
    assert invitation_check(token="").problem == "unknown"
    # An account created meanwhile for the address (by a platform admin, say) closes the link too.
    UserFactory(email=INVITED)
    assert invitation_check(token=token).problem == Invitation.Status.ACCEPTED


def test_a_refused_invitation_names_whom_to_ask_first_who_sent_it(client, colombia, pending, society_admin):
    """Issue 16: the refusal page tells the holder of the link whom to ask (the society admins who can
    invite: the sender first), never "your focal point" (focal points cannot invite)."""
    other_admin = persona("admin_b")  # another society's admin: never named
    invitation, token = pending
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timezone.timedelta(days=1))
    response = client.get(link(token))
    page = response.content.decode()
    assert response.status_code == 410
    assert page.index(society_admin.email) > 0 and "focal point" not in page
    assert other_admin.email not in page


def test_an_unknown_link_names_nobody(client, colombia, pending, society_admin):
    response = client.get(link("not-a-real-token"))
    page = response.content.decode()
    assert response.status_code == 404 and society_admin.email not in page
    assert "Ask the administrator of your National Society" in page and "focal point" not in page


def test_the_invitation_email_is_in_the_invitees_language_and_the_account_starts_in_it(admin_a_client, colombia, colombia_domain, mailoutbox):
    """Issue 16: not the inviter's language — the one chosen for the invitee (default: the society's)."""
    url = reverse("national_societies:invitation_new", args=[colombia.slug])
    form = admin_a_client.get(url).content.decode()
    assert '<option value="es" selected>' in form  # the Colombian Red Cross writes in Spanish
    response = admin_a_client.post(url, {"email": INVITED, "role": "member", "language": "fr"})
    assert response.status_code == 302
    [email] = [m for m in mailoutbox if m.to == [INVITED]]
    assert "Messages clés" in email.body and "invites you" not in email.body
    invitation = Invitation.objects.get(email=INVITED)
    assert invitation.language == "fr"


def test_the_usual_language_of_an_organisation(db):
    by_slug = {society.slug: society.usual_language for society in NationalSociety.objects.all()}
    assert (by_slug["brazil"], by_slug["haiti"], by_slug["jamaica"], by_slug["colombia"], by_slug["ifrc-americas"]) == (
        "pt-br", "fr", "en", "es", "en"
    )
