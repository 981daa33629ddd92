"""Two-factor authentication (TOTP): required of privileged roles and staff, stored encrypted, kept
by privileged users, and asked for at every sign-in of an account that has it."""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from national_societies.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from national_societies.encryption import decrypt_secret, encrypt_secret
from national_societies.models import Membership, NationalSociety
from national_societies.selectors import has_totp
from tests.accounts import acknowledge_rules, add_totp, follow_enrolment_link, sign_in
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from tests.totp import totp_code

ACTIVATE_URL = reverse("mfa_activate_totp")
ENROLMENT_URL = reverse("mfa_enrolment_link")
LOGIN_URL = reverse("account_login")
OTHER_SECRET_KEY = "another-secret-key-for-rotation-tests-0123456789-abcdefghijklmnop"



def fresh_code(secret=DEMO_TOTP_SECRET):
    """The current code, taken with at least 3 seconds left in its 30-second step (the app allows
    no tolerance, so a code taken at the very end of a step could be stale when it is checked)."""
    if time.time() % 30 > 27:
        time.sleep(30 - time.time() % 30 + 0.1)
    return totp_code(secret)


def wrong_code(secret=DEMO_TOTP_SECRET):
    """A 6-digit code that is valid in no step near now."""
    step = int(time.time() // 30)
    near = {format_hotp_value(hotp_value(secret, step + offset)) for offset in range(-3, 4)}
    return next(code for code in (f"{n:06d}" for n in range(123456, 999999, 7)) if code not in near)


def privileged(role, national_society="ifrc-americas", **user_fields):
    society = NationalSociety.objects.get(slug=national_society)
    return MembershipFactory(user=UserFactory(**user_fields), national_society=society, role=role).user


# Privileged people before they set up TOTP (the personas `admin_a`, `ifrc_focal`, `platform_admin` have it);
# the society admin of A without TOTP is the persona `privileged_no_mfa`.


@pytest.fixture
def focal_no_mfa(db):
    return privileged(Membership.Role.FOCAL_POINT)


@pytest.fixture
def platform_admin_no_mfa(db):
    return privileged(Membership.Role.PLATFORM_ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def staff_only(db):
    """Opens the Django admin without holding any role in the app."""
    return UserFactory(is_staff=True)


def _pages_for(colombia):
    """Library pages, society pages and the admin: all closed until TOTP is set up."""
    return [
        reverse("messages:home"),
        reverse("messages:topics", args=["migration-americas"]),
        reverse("messages:search") + "?q=children",
        reverse("messages:help", args=["migration-americas"]),
        reverse("messages:acknowledge_rules", args=["migration-americas"]),
        reverse("national_societies:society_home"),
        reverse("national_societies:members", args=[colombia.slug]),
        reverse("national_societies:invitation_new", args=[colombia.slug]),
        reverse("admin:index"),
        reverse("admin:national_societies_user_changelist"),
    ]


# --- Set-up is required of privileged roles -----------------------------------------------------


@pytest.mark.parametrize("who", ["privileged_no_mfa", "focal_no_mfa", "platform_admin_no_mfa", "staff_only"])
def test_privileged_users_without_totp_are_sent_to_set_it_up_from_every_page(request, client, colombia, who):
    user = request.getfixturevalue(who)
    sign_in(client, user)
    for url in _pages_for(colombia):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == ENROLMENT_URL, url
    # A form posted elsewhere is refused the same way, and does nothing.
    response = client.post(reverse("national_societies:invitation_new", args=[colombia.slug]), {"email": "x@y.org"})
    assert response["Location"] == ENROLMENT_URL
    page = client.get(reverse("national_societies:my_account")).content.decode()
    assert "Set up an authenticator app to continue." in page


@pytest.mark.parametrize("who", ["privileged_no_mfa", "platform_admin_no_mfa", "staff_only"])
def test_privileged_users_without_totp_reach_the_account_pages_and_can_sign_out(request, db, client, who):
    user = request.getfixturevalue(who)
    sign_in(client, user)
    for name in ("national_societies:my_account", "usersessions_list", "mfa_index", "account_change_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200, (name, response.get("Location"))
    # A first authenticator: not with the password alone, but through the link emailed to the account.
    assert client.get(ACTIVATE_URL)["Location"] == ENROLMENT_URL
    follow_enrolment_link(client, user)
    # Then (signed in long ago by force_login) the password is asked again first, never anything else.
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    assert client.get(response["Location"]).status_code == 200

    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] != ACTIVATE_URL
    assert SESSION_KEY not in client.session


def test_the_password_is_asked_again_for_a_first_totp_once_the_sign_in_is_older_than_five_minutes(client, privileged_no_mfa):
    client.post(LOGIN_URL, {"login": privileged_no_mfa.email, "password": TEST_PASSWORD})
    follow_enrolment_link(client, privileged_no_mfa)
    assert client.get(ACTIVATE_URL).status_code == 200
    session = client.session
    records = session["account_authentication_methods"]
    records[-1]["at"] -= 301  # ACCOUNT_REAUTHENTICATION_TIMEOUT is 300 seconds
    session["account_authentication_methods"] = records
    session.save()
    assert client.get(ACTIVATE_URL)["Location"].startswith(reverse("account_reauthenticate"))


def test_with_an_authenticator_every_mfa_change_asks_for_the_password_again(client, member):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    client.post(LOGIN_URL, {"login": member.email, "password": TEST_PASSWORD})
    RecoveryCodes.activate(member)  # one authenticator already: the exception for a first setup no longer applies
    response = client.get(ACTIVATE_URL)
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_members_are_not_forced_to_set_up_totp(member_client, member):
    assert not has_totp(member)
    for url in (reverse("messages:home"), reverse("messages:topics", args=["migration-americas"]), reverse("national_societies:my_account")):
        assert member_client.get(url).status_code == 200, url


def test_a_privileged_user_with_totp_reaches_the_pages(client, library, privileged_no_mfa, colombia):
    add_totp(privileged_no_mfa)
    sign_in(client, privileged_no_mfa)
    assert client.get(reverse("messages:home")).status_code == 200
    assert client.get(reverse("national_societies:members", args=[colombia.slug])).status_code == 200


def test_a_deactivated_organisation_does_not_force_totp_on_its_former_admin(client, library, privileged_no_mfa, colombia):
    NationalSociety.objects.filter(pk=colombia.pk).update(is_active=False)
    sign_in(client, privileged_no_mfa)
    response = client.get(reverse("messages:home"))
    assert response.status_code == 403  # no role any more: refused, not sent to set up TOTP


def test_a_privileged_user_sets_up_totp_through_allauth_and_then_reaches_pages(client, library, privileged_no_mfa, colombia):
    response = client.post(LOGIN_URL, {"login": privileged_no_mfa.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("messages:home"))["Location"] == ENROLMENT_URL
    follow_enrolment_link(client, privileged_no_mfa)

    # Straight from the sign-in: the password just typed is not asked for again.
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert response.context["form"].secret == secret
    assert secret in response.context["totp_url"]

    # A wrong code does not activate anything.
    response = client.post(ACTIVATE_URL, {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not has_totp(privileged_no_mfa)
    assert client.get(reverse("messages:home"))["Location"] == ACTIVATE_URL  # enrolment is open in this session

    response = client.post(ACTIVATE_URL, {"code": fresh_code(secret)})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert has_totp(privileged_no_mfa)
    authenticator = Authenticator.objects.get(user=privileged_no_mfa, type=Authenticator.Type.TOTP)
    assert authenticator.data["secret"] != secret
    assert decrypt_secret(authenticator.data["secret"]) == secret

    # From now on the pages open (after the rules, which come next).
    home = client.get(reverse("messages:search"))
    assert home["Location"].startswith(reverse("messages:acknowledge_rules", args=["migration-americas"]))
    acknowledge_rules(privileged_no_mfa)
    assert client.get(reverse("messages:home")).status_code == 200
    assert client.get(reverse("national_societies:members", args=[colombia.slug])).status_code == 200


# --- Secrets are stored encrypted ---------------------------------------------------------------


def test_the_stored_totp_secret_is_encrypted_and_decrypts_back(db, privileged_no_mfa):
    add_totp(privileged_no_mfa, DEMO_TOTP_SECRET)
    stored = Authenticator.objects.get(user=privileged_no_mfa, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != DEMO_TOTP_SECRET
    assert DEMO_TOTP_SECRET not in stored
    assert decrypt_secret(stored) == DEMO_TOTP_SECRET
    # Fresh randomness each time: the same secret never gives the same stored value.
    assert encrypt_secret(DEMO_TOTP_SECRET) != encrypt_secret(DEMO_TOTP_SECRET)


def test_recovery_codes_seed_is_stored_encrypted_too(db, member):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(member)
    stored = codes.instance.data["seed"]
    assert decrypt_secret(stored) != stored
    assert len(codes.get_unused_codes()) > 0


def test_a_key_in_secret_key_fallbacks_still_decrypts_after_rotation(settings, db, privileged_no_mfa):
    old_key = settings.SECRET_KEY
    add_totp(privileged_no_mfa, DEMO_TOTP_SECRET)
    stored = Authenticator.objects.get(user=privileged_no_mfa).data["secret"]

    settings.SECRET_KEY = OTHER_SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert decrypt_secret(stored) == DEMO_TOTP_SECRET
    # New secrets are encrypted with the new key: they survive removing the old one.
    newly_stored = encrypt_secret("NEWSECRETBASE32AA")
    settings.SECRET_KEY_FALLBACKS = []
    assert decrypt_secret(newly_stored) == "NEWSECRETBASE32AA"


def test_sign_in_with_totp_still_works_after_rotating_secret_key_with_a_fallback(settings, privileged_no_mfa):
    old_key = settings.SECRET_KEY
    add_totp(privileged_no_mfa, DEMO_TOTP_SECRET)
    settings.SECRET_KEY = OTHER_SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = [old_key]

    client = Client()
    response = client.post(LOGIN_URL, {"login": privileged_no_mfa.email, "password": TEST_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_code()})
    assert response.status_code == 302
    assert client.session.get(SESSION_KEY) == str(privileged_no_mfa.pk)


def test_without_the_old_key_decryption_fails_with_a_clear_error(settings, db, privileged_no_mfa):
    add_totp(privileged_no_mfa, DEMO_TOTP_SECRET)
    stored = Authenticator.objects.get(user=privileged_no_mfa).data["secret"]
    settings.SECRET_KEY = OTHER_SECRET_KEY
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(ValueError, match="could not be decrypted.*SECRET_KEY"):
        decrypt_secret(stored)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        decrypt_secret("not-a-fernet-token")


# --- Privileged users keep their TOTP -------------------------------------------------------------


def _sign_in_with_totp(user, password=TEST_PASSWORD, secret=DEMO_TOTP_SECRET):
    client = Client()
    response = client.post(LOGIN_URL, {"login": user.email, "password": password})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": fresh_code(secret)})
    assert response.status_code == 302
    assert client.session.get(SESSION_KEY) == str(user.pk)
    return client


def _reauthenticate_for(client, url, password=TEST_PASSWORD):
    response = client.get(url)
    if response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate")):
        assert client.post(response["Location"], {"password": password}).status_code == 302


@pytest.mark.parametrize("who", ["privileged_no_mfa", "focal_no_mfa", "platform_admin_no_mfa", "staff_only"])
def test_privileged_users_cannot_deactivate_their_totp(request, db, who):
    user = request.getfixturevalue(who)
    add_totp(user)
    client = _sign_in_with_totp(user)
    url = reverse("mfa_deactivate_totp")
    _reauthenticate_for(client, url)

    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"].errors  # refused before anything is posted

    response = client.post(url)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert has_totp(user)


def test_a_member_can_deactivate_their_totp(member):
    add_totp(member)
    client = _sign_in_with_totp(member)
    url = reverse("mfa_deactivate_totp")
    _reauthenticate_for(client, url)
    response = client.post(url)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert not Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    # The next sign-in asks for no code.
    response = Client().post(LOGIN_URL, {"login": member.email, "password": TEST_PASSWORD})
    assert response["Location"] != reverse("mfa_authenticate")


# --- Sign-in with TOTP ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["privileged_no_mfa", "focal_no_mfa", "platform_admin_no_mfa"])
def test_sign_in_of_a_privileged_user_with_totp_requires_a_correct_code(request, db, who):
    user = request.getfixturevalue(who)
    add_totp(user)
    client = Client()
    response = client.post(LOGIN_URL, {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # The password alone signs nobody in.
    assert SESSION_KEY not in client.session
    assert client.get(reverse("national_societies:my_account"))["Location"].startswith(LOGIN_URL)

    client = Client()
    client.post(LOGIN_URL, {"login": user.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code()})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SESSION_KEY not in client.session
    assert not response.wsgi_request.user.is_authenticated

    response = client.post(reverse("mfa_authenticate"), {"code": fresh_code()})
    assert response.status_code == 302
    assert client.session.get(SESSION_KEY) == str(user.pk)
    assert client.get(reverse("national_societies:my_account")).status_code == 200


def test_a_code_is_accepted_only_once(privileged_no_mfa):
    add_totp(privileged_no_mfa)
    code = fresh_code()
    first = Client()
    first.post(LOGIN_URL, {"login": privileged_no_mfa.email, "password": TEST_PASSWORD})
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    second = Client()
    second.post(LOGIN_URL, {"login": privileged_no_mfa.email, "password": TEST_PASSWORD})
    response = second.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert SESSION_KEY not in second.session


def test_the_demo_platform_admin_signs_in_with_the_documented_secret(settings, library):
    settings.DEBUG = True  # create_demo_accounts refuses without DEBUG or --demo
    call_command("create_demo_accounts", verbosity=0)
    email = "platform@ifrc.example.org"

    client = Client()
    response = client.post(LOGIN_URL, {"login": email, "password": DEMO_PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session

    response = client.post(reverse("mfa_authenticate"), {"code": fresh_code(DEMO_TOTP_SECRET)})
    assert response.status_code == 302
    user = response.wsgi_request.user
    assert user.email == email
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"]
    assert stored != DEMO_TOTP_SECRET and decrypt_secret(stored) == DEMO_TOTP_SECRET
    # TOTP is set up: no redirect to the set-up page, only to the rules, then the admin opens.
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("messages:acknowledge_rules", args=["migration-americas"]))
    acknowledge_rules(user)
    assert client.get(reverse("admin:index")).status_code == 200


def test_reencrypt_command_lets_the_old_key_leave_the_fallbacks(settings, db, privileged_no_mfa, member, capsys):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from django.core.management import call_command

    old_key = settings.SECRET_KEY
    add_totp(privileged_no_mfa, DEMO_TOTP_SECRET)
    codes = RecoveryCodes.activate(member).get_unused_codes()
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OTHER_SECRET_KEY, [old_key]

    call_command("reencrypt_mfa_secrets", "--dry-run")
    assert "2 MFA secret(s) can be re-encrypted." in capsys.readouterr().out
    call_command("reencrypt_mfa_secrets")
    assert "2 MFA secret(s) re-encrypted with the current SECRET_KEY." in capsys.readouterr().out

    settings.SECRET_KEY_FALLBACKS = []
    assert decrypt_secret(Authenticator.objects.get(user=privileged_no_mfa).data["secret"]) == DEMO_TOTP_SECRET
    assert RecoveryCodes(Authenticator.objects.get(user=member)).get_unused_codes() == codes


def test_reencrypt_command_changes_nothing_when_a_secret_cannot_be_read(settings, db, privileged_no_mfa, member):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    old_key = settings.SECRET_KEY
    add_totp(member, DEMO_TOTP_SECRET)
    settings.SECRET_KEY = OTHER_SECRET_KEY
    add_totp(privileged_no_mfa, DEMO_TOTP_SECRET)  # under the new key
    before = {a.pk: a.data for a in Authenticator.objects.all()}
    settings.SECRET_KEY_FALLBACKS = []  # the old key is gone too early
    with pytest.raises(CommandError, match=r"1 secret\(s\) cannot be read .* nothing was changed"):
        call_command("reencrypt_mfa_secrets")
    assert {a.pk: a.data for a in Authenticator.objects.all()} == before
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert decrypt_secret(before[Authenticator.objects.get(user=member).pk]["secret"]) == DEMO_TOTP_SECRET
