"""A security key (WebAuthn) as a second factor, with Chromium's virtual authenticator standing in for
the key: added from the account's two-factor page, then used to sign in instead of a code."""

import re

import pytest
from allauth.mfa.models import Authenticator

from audit.models import Action, AuditEvent
from tests.browser.conftest import click_and_wait, confirm_rules, enter_totp, log_in
from tests.browser.test_accessibility import assert_none, check_pages
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.browser


def _virtual_security_key(page):
    """A CTAP2 key plugged into this browser tab that says yes to every touch (DevTools protocol)."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {"options": {"protocol": "ctap2", "transport": "usb", "hasResidentKey": True, "hasUserVerification": True,
                     "isUserVerified": True, "automaticPresenceSimulation": True}},
    )
    return devtools


def test_a_society_admin_adds_a_security_key_and_signs_in_with_it(request, page, society_admin):
    log_in(page, society_admin.email)
    enter_totp(page)
    confirm_rules(page)
    _virtual_security_key(page)

    page.goto("/accounts/2fa/webauthn/add/")
    if "/reauthenticate/" in page.url:  # changing a second factor asks for the password again
        page.fill("input[name=password]", TEST_PASSWORD)
        click_and_wait(page, page.locator("main form button[type=submit]"))
    page.wait_for_url(re.compile(r"/accounts/2fa/webauthn/add/"))
    page.fill("input[name=name]", "Office key")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")
    key = Authenticator.objects.get(user=society_admin, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Office key"
    added = AuditEvent.objects.filter(actor_user_id=society_admin.pk, action=Action.MFA_SET_UP).values_list("details", flat=True)
    assert {"type": "webauthn"} in list(added)
    failures = check_pages(page, ["/accounts/2fa/", "/accounts/2fa/webauthn/"])  # WCAG 2.1 AA, as elsewhere

    page.context.clear_cookies()  # another day: signed out
    log_in(page, society_admin.email)
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    with page.expect_navigation():
        page.click("#mfa_webauthn_authenticate")
    assert "/accounts/2fa/authenticate/" not in page.url
    assert page.locator(".nav-account .user-email").inner_text() == society_admin.email
    used = AuditEvent.objects.filter(actor_user_id=society_admin.pk, action=Action.MFA_USED).order_by("-pk").first()
    assert used is not None and used.details.get("type") == "webauthn"
    assert_none(request, failures)
