"""allauth's MFA and reauthentication pages in the app's layout and voice, in each interface language
(templates/mfa/, templates/account/*reauthenticate*); the security key offered only to someone who
added one; the access-log export's step-up saying what is being confirmed (national_societies/step_up.py)."""

import re
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.http import urlencode

from tests.accounts import sign_in
from tests.factories import TEST_PASSWORD
from tests.security_keys import add_security_key

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EXPORT = reverse("console:export")
REAUTHENTICATE = reverse("mfa_reauthenticate")
KEY_BUTTON = 'id="mfa_webauthn_authenticate"'
KEY_REAUTHENTICATION = reverse("mfa_reauthenticate_webauthn")
# allauth's own English, which the app's pages replace with theirs.
ALLAUTH_WORDING = ["Alternative options", "Please reauthenticate", "Enter an authenticator code", "Two-Factor Authentication"]


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def just_reauthenticated(client, user):
    """The session of someone who confirmed their password a moment ago (allauth's record of it)."""
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session.save()
    return client


def at_the_code_step(user, language="en"):
    """A browser that typed `user`'s password on the sign-in page: now at the second step."""
    client = in_language(Client(), language)
    response = client.post(reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    return client


def text_of(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_app_page(html, language):
    """The app's layout: its header, one main landmark, one h1, the page in the reader's language."""
    assert f'<html lang="{language}">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert html.count("<main") == 1 and html.count("<h1") == 1
    for english in ALLAUTH_WORDING:
        assert english not in html, english


def assert_says(html, language, *english):
    """Each English string of ours is on the page in `language` (translated unless English)."""
    for text in english:
        with translation.override(language):
            translated = translation.gettext(text)
        if language != "en":
            assert translated != text, f"{language}: {text!r} is not translated"
        assert translated in html or escape(translated) in html, f"{language}: {translated!r} is not on the page"


# --- Every page, in every language ------------------------------------------------------------------


@pytest.fixture
def keyholder(admin_a):
    """A society admin with TOTP, recovery codes and a security key: every MFA page has something to show."""
    RecoveryCodes.activate(admin_a)
    add_security_key(admin_a, name="Office key")
    return admin_a


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_mfa_pages_use_the_apps_layout_and_wording(keyholder, library, language):
    key = keyholder.authenticator_set.get(type="webauthn")
    client = in_language(just_reauthenticated(sign_in(Client(), keyholder), keyholder), language)
    pages = {
        reverse("mfa_index"): ["Two-factor authentication", "Authenticator app", "Manage my security keys", "See my recovery codes"],
        reverse("mfa_view_recovery_codes"): ["Recovery codes", "Your unused codes", "Download them"],
        reverse("mfa_generate_recovery_codes"): ["Make new recovery codes"],
        reverse("mfa_deactivate_totp"): ["Turn off the authenticator app"],
        reverse("mfa_list_webauthn"): ["My security keys", "Add a security key", "Rename"],
        reverse("mfa_add_webauthn"): ["Add a security key", "Name of the key", "Add this key", "Security keys need JavaScript, which is off in this browser."],
        reverse("mfa_edit_webauthn", args=[key.pk]): ["Rename a security key", "Name of the key"],
        reverse("mfa_remove_webauthn", args=[key.pk]): ["Remove a security key", "Remove this key"],
        REAUTHENTICATE: ["Confirm it is you", "Other ways to confirm", "Use my password", "Use a security key"],
        reverse("account_reauthenticate"): ["Confirm it is you", "Your password", "Use a code from my authenticator app, or a recovery code"],
        KEY_REAUTHENTICATION: ["Confirm it is you", "Use a security key"],
    }
    for url, wording in pages.items():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.get("Location"))
        html = response.content.decode()
        assert_app_page(html, language)
        assert_says(html, language, *wording)
        assert "<script>" not in html and " on" + "click=" not in html  # the CSP runs no inline script
    # The downloaded codes say what they are, in the reader's language.
    download = client.get(reverse("mfa_download_recovery_codes")).content.decode()
    assert_says(download, language, "Each code works once, instead of the code from your authenticator app, if you lose your phone or your security key. Keep this file somewhere safe.")
    codes = RecoveryCodes(keyholder.authenticator_set.get(type="recovery_codes")).get_unused_codes()
    assert all(code in download for code in codes)


@pytest.mark.parametrize("language", LANGUAGES)
def test_setting_up_an_authenticator_app_is_explained_in_the_readers_language(member_a, library, language):
    client = in_language(just_reauthenticated(sign_in(Client(), member_a), member_a), language)
    html = client.get(reverse("mfa_activate_totp")).content.decode()
    assert_app_page(html, language)
    assert_says(html, language, "Set up an authenticator app", "Setup key", "Code from the app", "QR code to scan with your authenticator app")
    assert 'src="data:image/svg+xml;base64,' in html  # the QR code: a data: image, which the CSP allows


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_code_step_of_signing_in_uses_the_apps_layout_and_wording(admin_a, library, language):
    html = at_the_code_step(admin_a, language).get(reverse("mfa_authenticate")).content.decode()
    assert_app_page(html, language)
    assert_says(
        html, language,
        "Second step of signing in",
        "Your account is protected by two-factor authentication. Open your authenticator app and type the 6-digit code it shows for Key Messages.",
        "Cancel and go back to sign in",
    )


def test_a_wrong_code_at_sign_in_is_said_on_the_page_and_the_field_marked(admin_a, library):
    client = at_the_code_step(admin_a)
    html = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert 'role="alert"' in html and 'aria-invalid="true"' in html


def test_a_privileged_user_is_told_why_the_app_stays_on(admin_a, member_a, library):
    admin = just_reauthenticated(sign_in(Client(), admin_a), admin_a)
    index = admin.get(reverse("mfa_index")).content.decode()
    assert "your authenticator app stays on" in index and reverse("mfa_deactivate_totp") not in index
    refused = admin.get(reverse("mfa_deactivate_totp")).content.decode()
    assert "your authenticator app stays on" in refused and 'class="danger"' not in refused


# --- The security key: offered only to someone who added one -------------------------------------------


def test_a_totp_only_user_is_never_offered_a_security_key(admin_a, library):
    html = at_the_code_step(admin_a).get(reverse("mfa_authenticate")).content.decode()
    assert KEY_BUTTON not in html and 'id="js_data"' not in html and "webauthn.js" not in html
    assert 'name="code"' in html
    client = sign_in(Client(), admin_a)
    for url in (REAUTHENTICATE, reverse("account_reauthenticate")):
        page = client.get(url).content.decode()
        assert KEY_REAUTHENTICATION not in page and "Use a security key" not in page


def test_someone_with_a_security_key_is_offered_it(admin_a, library):
    add_security_key(admin_a)
    html = at_the_code_step(admin_a).get(reverse("mfa_authenticate")).content.decode()
    assert KEY_BUTTON in html and 'id="js_data"' in html and "/static/mfa/js/webauthn.js" in html
    assert 'name="code"' in html  # the app's code still works
    page = sign_in(Client(), admin_a).get(REAUTHENTICATE).content.decode()
    assert f'href="{KEY_REAUTHENTICATION}"' in page


def test_someone_with_only_a_security_key_is_asked_for_the_key(member_a, library):
    add_security_key(member_a)
    html = at_the_code_step(member_a).get(reverse("mfa_authenticate")).content.decode()
    assert "Your account is protected by a security key" in html and KEY_BUTTON in html
    assert 'name="code"' not in html  # no app and no recovery codes: nothing to type


# --- The export's step-up: what is being confirmed ---------------------------------------------------------


def step_up_page(client, export_query="", language="en"):
    in_language(client, language)
    step_up = client.get(EXPORT + export_query)
    assert step_up.status_code == 302 and step_up["Location"].startswith(REAUTHENTICATE + "?")
    return step_up["Location"], client.get(step_up["Location"]).content.decode()


@pytest.mark.parametrize(
    "language, name",
    [("en", "Colombian Red Cross"), ("es", "Cruz Roja Colombiana"), ("fr", "Colombian Red Cross"), ("pt-br", "Colombian Red Cross")],
)
def test_the_export_step_up_says_which_organisations_log_is_being_exported(ifrc_focal_client, library, language, name):
    _url, html = step_up_page(ifrc_focal_client, "?organisation=colombia&action=searched", language)
    assert_app_page(html, language)
    with translation.override(language):
        expected = translation.gettext(
            "You are about to export the access log of the %(organisation)s. Confirm it is you: the file says who read what, and when."
        ) % {"organisation": name}
    assert escape(expected) in html
    assert reverse("account_reauthenticate") not in html  # a password would only bring them back here


def test_the_export_of_every_organisation_says_so_and_a_society_admin_reads_their_own(ifrc_focal_client, admin_a_client, library):
    _url, html = step_up_page(ifrc_focal_client)
    assert "export the access log of every organisation you review" in html
    _url, html = step_up_page(admin_a_client, language="es")
    assert "registro de accesos de Cruz Roja Colombiana" in html


def test_the_explanation_follows_a_wrong_code_and_a_security_key_is_the_only_other_way(ifrc_focal, ifrc_focal_client, library):
    add_security_key(ifrc_focal)
    _url, html = step_up_page(ifrc_focal_client, "?organisation=mexico")
    assert "access log of the Mexican Red Cross" in html
    assert f'href="{KEY_REAUTHENTICATION}?' in html and reverse("account_reauthenticate") not in html
    next_url = EXPORT + "?organisation=mexico"
    again = ifrc_focal_client.post(REAUTHENTICATE, {"code": "000000", "next": next_url}).content.decode()
    assert 'role="alert"' in again and "access log of the Mexican Red Cross" in again
    key_page = ifrc_focal_client.get(KEY_REAUTHENTICATION + "?" + urlencode({"next": next_url})).content.decode()
    assert "access log of the Mexican Red Cross" in key_page


def test_nothing_from_the_query_string_is_shown_as_what_is_being_confirmed(ifrc_focal_client, library):
    """Only a step-up the export itself remembered, for that very `next`, is explained: a link made
    elsewhere gets the general explanation, whatever its query string says."""
    step_up_page(ifrc_focal_client, "?organisation=colombia")
    for next_url in (EXPORT + "?organisation=mexico", EXPORT + "?organisation=colombia&x=Evil+Corp", "/accounts/2fa/", ""):
        html = ifrc_focal_client.get(REAUTHENTICATE + "?" + urlencode({"next": next_url})).content.decode()
        assert "You are about to export" not in html and "Evil" not in text_of(html)
        assert "this step protects your account" in html


def test_changing_language_on_the_step_up_keeps_what_is_being_confirmed(ifrc_focal_client, library):
    """The language switcher sends the reader back to the page with its query string: the step-up's
    `next`, hence its explanation and the way back to the export."""
    url, html = step_up_page(ifrc_focal_client, "?organisation=colombia")
    assert f'name="next" value="{escape(url)}"' in html
    switched = ifrc_focal_client.post(reverse("national_societies:language"), {"language": "es", "next": url})
    assert switched.status_code == 302 and switched["Location"] == url
    assert "registro de accesos de Cruz Roja Colombiana" in ifrc_focal_client.get(url).content.decode()


def test_the_language_switcher_of_a_reauthentication_page_keeps_only_a_local_next(admin_a_client, library):
    local = admin_a_client.get(REAUTHENTICATE + "?" + urlencode({"next": "/accounts/2fa/webauthn/add/"})).content.decode()
    assert f'name="next" value="{escape(REAUTHENTICATE + "?" + urlencode({"next": "/accounts/2fa/webauthn/add/"}))}"' in local
    external = admin_a_client.get(REAUTHENTICATE + "?" + urlencode({"next": "https://evil.example/"})).content.decode()
    assert f'<input type="hidden" name="next" value="{REAUTHENTICATE}">' in external
