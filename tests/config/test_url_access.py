"""Walks the whole URLconf: no URL of the app answers an anonymous visitor with content.

A new URL is covered automatically; a new *public* URL fails until it is added to PUBLIC below.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from messages_app.models import Message
from tests.factories import UserFactory

# Every view reachable without login, and why.
PUBLIC = {
    "healthz": "load balancer probe, no data",
    "robots_txt": "tells crawlers to stay away",
    "account_login": "sign in",
    "account_logout": "sign out",
    "account_inactive": "tells a deactivated user why they cannot sign in",
    "account_signup": "says 'by invitation only'",
    "account_email_verification_sent": "allauth confirmation step, no data",
    "account_confirm_email": "allauth confirmation step, no data",
    "account_confirm_login_code": "allauth login step, no data",
    "account_reset_password": "password reset",
    "account_reset_password_done": "password reset",
    "account_reset_password_from_key": "password reset",
    "account_reset_password_from_key_done": "password reset",
    "mfa_authenticate": "second step of sign in",
    "admin:login": "redirects to the allauth login (secure_admin_login)",
}

SAMPLE_KWARGS = {
    "key": "general-information",
    "slug": "detention",
    "identifier": "GEN-01",
    "number": 1,
    "object_id": "1",
    "id": "1",
    "content_type_id": "1",
    "app_label": "auth",
    "url": "anything",
    "uidb36": "1",
}

CANARY = "Red Cross and Red Crescent’s actions are focused"


def _walk(patterns, namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace if entry.namespace else None
            full = ":".join(filter(None, [namespace, inner])) or None
            yield from _walk(entry.url_patterns, full)
        elif isinstance(entry, URLPattern):
            yield entry, (f"{namespace}:{entry.name}" if namespace else entry.name)


def _all_routes():
    routes = []
    for pattern, name in _walk(get_resolver().url_patterns):
        if name is None or name.endswith(":None"):
            continue  # admin's unnamed redirect and catch-all: reached through named routes below
        keys = list(pattern.pattern.regex.groupindex)
        url = reverse(name, kwargs={k: SAMPLE_KWARGS[k] for k in keys})
        routes.append((name, url, pattern.callback))
    return routes


ROUTES = _all_routes()


def test_public_views_are_exactly_the_allowed_list():
    public = {name for name, _url, view in ROUTES if not getattr(view, "login_required", True)}
    assert public == set(PUBLIC)


@pytest.mark.parametrize(("name", "url"), [(n, u) for n, u, _v in ROUTES if n not in PUBLIC])
def test_anonymous_is_redirected_to_login(client, library, name, url):
    response = client.get(url)
    assert response.status_code == 302, name
    assert response["Location"].startswith(("/accounts/login/", "/admin/login/")), name
    assert CANARY not in response.content.decode()


@pytest.mark.parametrize(("name", "url"), [(n, u) for n, u, _v in ROUTES if n in PUBLIC])
def test_public_pages_show_no_message(client, library, name, url):
    response = client.get(url)
    assert response.status_code in (200, 302, 404, 405), name
    assert CANARY not in response.content.decode()


def test_platform_admin_reaches_the_admin_and_canonical_text_is_read_only(client, library):
    admin_user = UserFactory(email="platform@ifrc.example.org", is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    assert client.get("/admin/messages_app/message/").status_code == 200
    message_id = Message.objects.get(identifier="GEN-01").pk
    page = client.get(f"/admin/messages_app/message/{message_id}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # view only
    assert client.post(f"/admin/messages_app/message/{message_id}/delete/", {"post": "yes"}).status_code == 403
