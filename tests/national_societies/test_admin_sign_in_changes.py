"""Every change to who can sign in, made in the Django admin, is in the access log; an account gets no
second address to sign in with there, and nobody edits an authenticator's secret."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.auth.models import Group
from django.urls import reverse

from audit.models import Action, AuditEvent


def admin_events(action, target_type):
    return AuditEvent.objects.filter(action=action, target_type=target_type)


def test_removing_an_authenticator_is_an_mfa_reset_on_record(platform_admin_client, platform_admin, admin_a):
    authenticator = Authenticator.objects.get(user=admin_a, type=Authenticator.Type.TOTP)
    url = reverse("admin:mfa_authenticator_delete", args=[authenticator.pk])
    response = platform_admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    event = admin_events(Action.ADMIN_DELETED, "authenticator").get()
    assert (event.actor_user_id, event.target_id) == (platform_admin.pk, str(authenticator.pk))


def test_an_authenticator_is_never_added_or_edited_in_the_admin(platform_admin_client, admin_a):
    authenticator = Authenticator.objects.get(user=admin_a, type=Authenticator.Type.TOTP)
    assert platform_admin_client.get(reverse("admin:mfa_authenticator_add")).status_code == 403
    change = reverse("admin:mfa_authenticator_change", args=[authenticator.pk])
    page = platform_admin_client.get(change)
    assert page.status_code == 200 and "secret" not in page.content.decode().lower()
    before = authenticator.data
    platform_admin_client.post(change, {"user": admin_a.pk, "type": "totp", "data": '{"secret": "forged"}'})
    authenticator.refresh_from_db()
    assert authenticator.data == before


def test_no_second_address_to_sign_in_with(platform_admin_client, member_a):
    assert platform_admin_client.get(reverse("admin:account_emailaddress_add")).status_code == 403
    response = platform_admin_client.post(
        reverse("admin:account_emailaddress_add"), {"user": member_a.pk, "email": "private@gmail.example", "verified": "on"}
    )
    assert response.status_code == 403
    assert not EmailAddress.objects.filter(email="private@gmail.example").exists()


def test_a_group_change_is_recorded(platform_admin_client, platform_admin):
    response = platform_admin_client.post(reverse("admin:auth_group_add"), {"name": "Exporters"})
    assert response.status_code == 302
    group = Group.objects.get(name="Exporters")
    event = admin_events(Action.ADMIN_ADDED, "group").get()
    assert (event.actor_user_id, event.target_id) == (platform_admin.pk, str(group.pk))


def test_ending_a_session_in_the_admin_is_recorded(platform_admin_client, member_a_client, member_a):
    member_a_client.get(reverse("messages:help", args=["migration-americas"]))  # the session is tracked on its first request
    session = UserSession.objects.get(user=member_a)
    response = platform_admin_client.post(reverse("admin:usersessions_usersession_delete", args=[session.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not UserSession.objects.filter(pk=session.pk).exists()
    assert admin_events(Action.ADMIN_DELETED, "usersession").filter(target_id=str(session.pk)).exists()
