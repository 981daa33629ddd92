"""WCAG 2.1 AA (axe-core, as in test_accessibility.py) on the sign-in pages the app took over from
allauth, in each interface language: the code step of signing in (with a security key on offer), the
recovery codes, and the export's step-up (reauthentication saying what is being confirmed)."""

import re
import time

import pytest
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.test import Client

from tests.accounts import acknowledge_rules
from tests.browser.conftest import log_in
from tests.browser.test_accessibility import assert_none, check_pages
from tests.security_keys import add_security_key

pytestmark = pytest.mark.browser

LANGUAGES = [code for code, _name in settings.LANGUAGES]
EXPORT = "/audit/export.csv?organisation=colombia"


def in_language(page, language, live_server):
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    return page


def signed_in_just_reauthenticated(page, user, live_server):
    """A session made on the server, as after signing in and confirming the password a moment ago."""
    client = Client()
    client.force_login(user)
    acknowledge_rules(user)
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time(), "reauthenticated": True}]
    session.save()
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return page


def test_the_code_step_the_recovery_codes_and_the_step_up_in_four_languages(request, new_page, admin_a, ifrc_focal, live_server):
    RecoveryCodes.activate(admin_a)
    add_security_key(admin_a, rp_id="localhost")
    failures = []
    for language in LANGUAGES:
        code_step = in_language(new_page(), language, live_server)
        log_in(code_step, admin_a.email)
        code_step.wait_for_url(re.compile(r"/accounts/2fa/authenticate/$"))
        assert code_step.locator("html").get_attribute("lang") == language
        assert code_step.locator("#mfa_webauthn_authenticate").is_visible()
        failures += check_pages(code_step, ["/accounts/2fa/authenticate/"], navigate=False)

        codes = signed_in_just_reauthenticated(in_language(new_page(), language, live_server), admin_a, live_server)
        failures += check_pages(codes, ["/accounts/2fa/recovery-codes/"])
        assert codes.locator("#recovery_codes").input_value().count("\n") == 9

        step_up = signed_in_just_reauthenticated(in_language(new_page(), language, live_server), ifrc_focal, live_server)
        step_up.goto(EXPORT)
        step_up.wait_for_url(re.compile(r"/accounts/2fa/reauthenticate/\?next="))
        assert step_up.locator("main p.lead").count() == 1  # what is being confirmed
        failures += check_pages(step_up, [step_up.url.removeprefix(live_server.url)], navigate=False)
    assert_none(request, failures)
