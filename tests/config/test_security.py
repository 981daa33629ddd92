"""'Not public' in every response, closed sign-up, rate-limited login without enumeration."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from national_societies.models import User
from tests.factories import TEST_PASSWORD


def test_content_pages_carry_the_not_public_headers(member_client, library):
    response = member_client.get(reverse("messages:detail", args=["migration-americas", "GEN-01"]))
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "Internal:" in response.content.decode()


def test_pages_have_no_inline_script_or_style(member_client, library):
    pages = [member_client.get(reverse("messages:home")), member_client.get(reverse("messages:detail", args=["migration-americas", "GCO-05"]))]
    pages.append(Client().get("/accounts/login/"))
    for page in pages:
        html = page.content.decode()
        assert "<script>" not in html and "style=" not in html and "<style" not in html
        assert "<script src=" in html


def test_login_page_and_redirects_are_not_indexed(client, db):
    for url in ("/accounts/login/", "/"):
        assert client.get(url)["X-Robots-Tag"] == "noindex, nofollow"


def test_robots_txt_disallows_everything(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.content.decode() == "User-agent: *\nDisallow: /\n"


def test_healthz_answers_without_login_and_without_data(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_signup_says_by_invitation_only_and_creates_nobody(client, db):
    page = client.get(reverse("account_signup"))
    assert "By invitation only" in page.content.decode()
    client.post(
        reverse("account_signup"),
        {"email": "outsider@example.com", "password1": "x-very-long-pass-1", "password2": "x-very-long-pass-1"},
    )
    assert not User.objects.filter(email="outsider@example.com").exists()


def test_member_can_sign_in_with_email_and_password(client, member, library):
    response = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    # First sign-in: the handling rules come before any message.
    assert client.get(reverse("messages:search"))["Location"] == reverse("messages:acknowledge_rules", args=["migration-americas"]) + "?next=%2Fsearch%2F"
    client.post(reverse("messages:acknowledge_rules", args=["migration-americas"]), {"confirm": "on"})
    assert client.get(reverse("messages:home")).status_code == 200


def test_login_errors_do_not_reveal_whether_an_account_exists(client, member):
    wrong_password = client.post(reverse("account_login"), {"login": member.email, "password": "wrong-password-1"})
    unknown = client.post(reverse("account_login"), {"login": "nobody@colombia.example.org", "password": "wrong-password-1"})
    assert wrong_password.status_code == unknown.status_code == 200
    assert wrong_password.context["form"].errors == unknown.context["form"].errors


def test_login_is_rate_limited(client, member):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": member.email, "password": "wrong-password-1"})
    blocked = client.post(reverse("account_login"), {"login": member.email, "password": TEST_PASSWORD})
    assert blocked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in blocked.content.decode()


def test_password_reset_does_not_reveal_accounts(client, member):
    known = client.post(reverse("account_reset_password"), {"email": member.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@colombia.example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The known address gets a reset link; the unknown address gets nothing (no "sign up instead":
    # accounts come only by invitation).
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == [member.email]
    assert "/accounts/password/reset/key/" in next(m.body for m in mail.outbox if m.to == [member.email])


def test_password_reset_link_sets_a_new_password(client, member):
    client.post(reverse("account_reset_password"), {"email": member.email})
    body = mail.outbox[-1].body
    link = next(word for word in body.split() if "/accounts/password/reset/key/" in word)
    path = link[link.index("/accounts/"):]
    form_page = client.get(path, follow=True)
    new_password = "another-long-password-77"
    client.post(form_page.redirect_chain[-1][0] if form_page.redirect_chain else path, {"password1": new_password, "password2": new_password})
    member.refresh_from_db()
    assert member.check_password(new_password)


def test_admin_login_goes_through_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_admin_refuses_a_signed_in_non_staff_user(member_client):
    assert member_client.get("/admin/login/").status_code == 403


def _manage(*args, env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.db_independent
def test_production_settings_pass_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_extra={"DJANGO_SECRET_KEY": "p" * 20 + "-a-random-looking-production-secret-0123456789", "DJANGO_ALLOWED_HOSTS": "keymessages.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.db_independent
def test_production_settings_refuse_a_missing_secret_or_debug():
    missing = _manage("check", env_extra={})
    assert missing.returncode != 0 and "DJANGO_SECRET_KEY" in missing.stderr
    debug = _manage("check", env_extra={"DJANGO_SECRET_KEY": "s" * 60, "DJANGO_DEBUG": "1"})
    assert debug.returncode != 0 and "DJANGO_DEBUG must be off" in debug.stderr


@pytest.mark.db_independent
def test_production_reads_previous_secret_keys_for_a_rotation_and_check_deploy_still_passes():
    previous = "q" * 20 + "-the-previous-production-secret-key-0123456789"
    env = {"DJANGO_SECRET_KEY": "p" * 20 + "-a-random-looking-production-secret-0123456789", "DJANGO_ALLOWED_HOSTS": "keymessages.example.org", "DJANGO_SECRET_KEY_FALLBACKS": previous}
    shown = _manage("shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY_FALLBACKS)", env_extra=env)
    assert shown.stdout.strip().splitlines()[-1] == repr([previous]), shown.stderr
    assert _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=env).returncode == 0
