"""Every URL of the app × every kind of visitor: who gets the page, who is sent away, who gets 404.

The routes come from walking the URLconf: a new URL without an entry in ROUTES fails
`test_every_route_has_an_entry`, and a new login-exempt view fails until it is in PUBLIC. The
Django admin's routes are covered by one rule (the admin is all-or-nothing: staff only).
"""

from importlib import import_module

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.html import escape

from audit.models import AuditEvent, AuditFlag
from messages_app.catalogue.models import Document, Message
from messages_app.editorial.services import draft_review, draft_start, draft_submit
from messages_app.briefings.services import briefing_create
from messages_app.notes.services import note_save
from messages_app.printing.models import Print
from national_societies.models import InvitationBatch, InvitationBatchLine, NationalSociety
from national_societies.services import invitation_token_digest
from tests.accounts import persona, sign_in
from tests.conftest import shipped_content
from tests.messages_app.content import JOINT_SECRET, load_joint_document

# The anonymous visitor and the personas of tests/conftest.py (tests.accounts.PERSONAS).
ROLES = (
    "anonymous",
    "member_a",
    "admin_a",
    "member_b",
    "admin_b",
    "ifrc_focal",
    "icrc_focal",
    "platform_admin",
    "deactivated",
    "privileged_no_mfa",
    "doc_editor",
    "doc_reviewer",
)

# Outcomes
OK = "ok"  # 200 for a page; for a POST action, a redirect that is neither to login nor to MFA setup
LOGIN = "login"  # redirected to sign in, nothing shown
MFA_SETUP = "mfa_setup"  # redirected to set up two-factor authentication
NOT_FOUND = "404"
REACHABLE = "reachable"  # an account page: 200, or a redirect inside the account pages, never to login
PUBLIC_PAGE = "public"  # shown to anyone, never with content
ADMIN_REFUSED = "admin_refused"  # a signed-in non-staff user is sent back to the admin's login, nothing shown
STAFF = "staff"  # the platform admin is let into the Django admin
STEP_UP = "step_up"  # asked to enter the authenticator code again before an export
LINK_REFUSED = "link_refused"  # 410: an emailed link that is not (or no longer) good
FORBIDDEN = "403"  # a role that sees the object but may not do this to it (a reviewer on an editor's page)

SIGNED_IN = (*ROLES[1:8], "doc_editor", "doc_reviewer")
GONE = {"anonymous": LOGIN, "deactivated": LOGIN}


def library():
    return {**GONE, "privileged_no_mfa": MFA_SETUP, **{role: OK for role in SIGNED_IN}}


def society_pages(ok_roles=("admin_a", "platform_admin")):
    rules = {**GONE, "privileged_no_mfa": MFA_SETUP}
    rules.update({role: (OK if role in ok_roles else NOT_FOUND) for role in SIGNED_IN})
    return rules


def console(ok_roles=("admin_a", "admin_b", "ifrc_focal", "icrc_focal", "platform_admin")):
    """The access-log console: reviewers get the page; members (and other societies, where the page is
    about society A) get 404."""
    return society_pages(ok_roles)


def step_up():
    """The CSV export: reviewers are first asked for their authenticator code again."""
    return {role: (STEP_UP if outcome == OK else outcome) for role, outcome in console().items()}


def editorial(ok=("doc_editor", "doc_reviewer"), forbidden=()):
    """The editorial desk: the document's editors and reviewers; anyone else gets 404."""
    rules = {**GONE, "privileged_no_mfa": MFA_SETUP}
    rules.update({role: (OK if role in ok else FORBIDDEN if role in forbidden else NOT_FOUND) for role in SIGNED_IN})
    return rules


EDITOR_ONLY = {"ok": ("doc_editor",), "forbidden": ("doc_reviewer",)}


def account_pages():
    return {**GONE, "privileged_no_mfa": REACHABLE, **{role: REACHABLE for role in SIGNED_IN}}


def public():
    return dict.fromkeys(ROLES, PUBLIC_PAGE)


# Every view reachable without login, and why.
PUBLIC = {
    "healthz": "load balancer probe, no data",
    "readyz": "readiness probe: which dependency is down, no data",
    "metrics": "Prometheus metrics: 404 unless the internal network or the token",
    "robots_txt": "tells crawlers to stay away",
    "account_login": "sign in",
    "account_logout": "sign out",
    "account_inactive": "tells a deactivated user why they cannot sign in",
    "account_signup": "'by invitation only', or the sign-up form of a valid invitation",
    "account_email_verification_sent": "allauth confirmation step, no data",
    "account_confirm_email": "allauth confirmation step, no data",
    "account_confirm_login_code": "allauth login step, no data",
    "account_reset_password": "password reset",
    "account_reset_password_done": "password reset",
    "account_reset_password_from_key": "password reset",
    "account_reset_password_from_key_done": "password reset",
    "mfa_authenticate": "second step of sign in",
    "admin:login": "redirects to the allauth login (secure_admin_login)",
    "national_societies:invitation_accept": "the link in an invitation email",
    "national_societies:language": "the language switcher, also on the sign-in page",
}

# name → (HTTP method, outcome per role)
ROUTES = {
    **{name: ("GET", public()) for name in PUBLIC},
    "messages:home": ("GET", library()),
    "messages:document": ("GET", library()),
    "messages:section": ("GET", library()),
    "messages:detail": ("GET", library()),
    "messages:version": ("GET", library()),
    "messages:compare": ("GET", library()),
    "messages:edition_notice_dismiss": ("POST", library()),
    "messages:topics": ("GET", library()),
    "messages:topic": ("GET", library()),
    "messages:search": ("GET", library()),
    "messages:help": ("GET", library()),
    "messages:acknowledge_rules": ("GET", library()),
    "national_societies:society_home": (
        "GET",
        {**society_pages(), "admin_b": OK},  # each admin is sent to their own society's page
    ),
    "national_societies:members": ("GET", society_pages()),
    "national_societies:member": ("GET", society_pages()),
    "national_societies:member_role": ("POST", society_pages()),
    "national_societies:member_editor": ("POST", society_pages()),
    "national_societies:member_deactivate": ("GET", society_pages()),
    "national_societies:member_reactivate": ("GET", society_pages()),
    "national_societies:invitation_new": ("GET", society_pages()),
    "national_societies:invitations_bulk": ("GET", society_pages()),
    # A list whose digest does not match its report: the report is shown again, nothing stored.
    "national_societies:invitations_bulk_send": ("POST", society_pages()),
    "national_societies:invitation_batch": ("GET", society_pages()),  # society A's batch
    "national_societies:invitation_resend": ("POST", society_pages()),
    "national_societies:invitation_revoke": ("GET", society_pages()),
    "messages:copied": ("POST", library()),
    "messages:social": ("GET", library()),
    "messages:changes": ("GET", library()),
    "messages:changes_seen": ("POST", library()),
    "messages:briefings": ("GET", library()),
    "messages:briefing_new": ("GET", library()),
    "messages:briefing_add": ("POST", library()),
    # Member A's briefing: its author's alone.
    "messages:briefing": ("GET", society_pages(("member_a",))),
    "messages:briefing_item": ("POST", society_pages(("member_a",))),
    "messages:briefing_talking_points": ("POST", society_pages(("member_a",))),
    "messages:briefing_cards": ("GET", society_pages(("member_a",))),  # another society's member: 404
    "messages:briefing_duplicate": ("POST", society_pages(("member_a",))),
    "messages:briefing_delete": ("GET", society_pages(("member_a",))),
    "messages:briefing_print": ("GET", society_pages(("member_a",))),
    "messages:briefing_pdf": ("GET", society_pages(("member_a",))),
    "messages:print_marks": ("GET", society_pages(("member_a",))),
    "messages:section_print": ("GET", library()),
    "messages:section_pdf": ("GET", library()),
    "messages:document_print": ("GET", library()),
    "messages:document_pdf": ("GET", library()),
    # Notes: society A's private note; editors of a society write only their own society's notes.
    "messages:message_note": ("GET", society_pages(("admin_a", "admin_b"))),
    "messages:section_note": ("GET", society_pages(("admin_a", "admin_b"))),
    "messages:notes_overview": ("GET", library()),
    "messages:notes_coverage": ("GET", society_pages(("ifrc_focal", "icrc_focal", "platform_admin"))),
    "messages:note_history": ("GET", society_pages(("member_a", "admin_a"))),
    "messages:note_restore": ("GET", society_pages(("admin_a",))),
    "messages:note_delete": ("GET", society_pages(("admin_a",))),
    "messages:note_undelete": ("POST", society_pages(("admin_a",))),
    "messages:note_confirm_review": ("POST", society_pages(("admin_a",))),
    "console:events": ("GET", console()),
    "console:export": ("GET", step_up()),
    "console:message_readers": ("GET", console()),
    "console:regional_overview": ("GET", console(("ifrc_focal", "icrc_focal", "platform_admin"))),
    "console:organisation": ("GET", console(("admin_a", "ifrc_focal", "icrc_focal", "platform_admin"))),
    "console:flags": ("GET", console()),
    "console:flag": ("GET", console(("admin_a", "ifrc_focal", "icrc_focal", "platform_admin"))),
    # An empty step is refused with a message, back on the flag's page: who gets that far is the point.
    "console:flag_triage": ("POST", console(("admin_a", "ifrc_focal", "icrc_focal", "platform_admin"))),
    "national_societies:my_account": ("GET", account_pages()),
    "account_email_address": ("GET", account_pages()),
    "account_email": ("GET", account_pages()),
    "account_change_password": ("GET", account_pages()),
    "account_set_password": ("GET", account_pages()),
    "account_reauthenticate": ("GET", account_pages()),
    "account_request_reauthentication_code": ("GET", account_pages()),
    "account_confirm_reauthentication_code": ("GET", account_pages()),
    "mfa_index": ("GET", account_pages()),
    "mfa_enrolment_link": ("GET", account_pages()),
    # The sample token is not a good link: refused to the one account that needs one.
    "mfa_enrolment_open": ("GET", {**account_pages(), "privileged_no_mfa": LINK_REFUSED}),
    "mfa_reauthenticate": ("GET", account_pages()),
    "mfa_activate_totp": ("GET", {**account_pages(), "privileged_no_mfa": MFA_SETUP}),  # a first authenticator: through the emailed link
    "mfa_deactivate_totp": ("GET", account_pages()),
    "mfa_view_recovery_codes": ("GET", account_pages()),
    "mfa_generate_recovery_codes": ("GET", {**account_pages(), "privileged_no_mfa": MFA_SETUP}),  # a first authenticator: through the emailed link
    "mfa_download_recovery_codes": ("GET", account_pages()),
    "mfa_list_webauthn": ("GET", account_pages()),
    "mfa_add_webauthn": ("GET", {**account_pages(), "privileged_no_mfa": MFA_SETUP}),  # a first authenticator: through the emailed link
    "mfa_reauthenticate_webauthn": ("GET", account_pages()),
    "mfa_remove_webauthn": ("GET", account_pages()),
    "mfa_edit_webauthn": ("GET", account_pages()),
    "usersessions_list": ("GET", account_pages()),
    # Member A's other session (the sample): a 404 for everyone else, who may end only their own.
    "usersessions_end": ("POST", account_pages()),
    "editorial:home": ("GET", editorial(ok=("doc_editor", "doc_reviewer", "platform_admin"))),
    "editorial:roles": ("GET", editorial(ok=("platform_admin",))),
    "editorial:document_settings": ("GET", editorial(ok=("platform_admin",))),
    "editorial:document_new": ("GET", editorial(ok=("platform_admin", "doc_editor"))),
    "editorial:draft_start": ("POST", editorial(ok=("doc_editor",))),  # a draft is open: refused with a message
    "editorial:import": ("GET", editorial(ok=("doc_editor",))),
    "editorial:edition_export": ("GET", editorial()),
    "editorial:draft": ("GET", editorial()),
    "editorial:preview": ("GET", editorial()),
    "editorial:draft_export": ("GET", editorial()),
    "editorial:frame": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:topics": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:section_new": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:section_edit": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:section_move": ("POST", editorial(**EDITOR_ONLY)),
    "editorial:message_new": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:message_edit": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:message_action": ("POST", editorial(**EDITOR_ONLY)),
    "editorial:submit": ("POST", editorial(**EDITOR_ONLY)),  # already in review: refused with a message
    "editorial:review": ("POST", editorial()),  # an empty review: refused with a message
    "editorial:review_resolve": ("POST", editorial(**EDITOR_ONLY)),
    "editorial:publish": ("GET", editorial(**EDITOR_ONLY)),
    "editorial:discard": ("GET", editorial(**EDITOR_ONLY)),
}

# The Django admin: staff only; a privileged user without MFA is sent to set it up first.
ADMIN_RULE = (
    "GET",
    {
        "anonymous": LOGIN,
        "deactivated": LOGIN,
        "privileged_no_mfa": MFA_SETUP,
        **{role: ADMIN_REFUSED for role in SIGNED_IN},
        "platform_admin": STAFF,
    },
)

CANARY = "Red Cross and Red Crescent’s actions are focused"  # from GEN-01, on the library pages


def _walk(patterns, namespace=None, outer_keys=()):
    """(pattern, full name, the keyword arguments of the includes around it) of every URL pattern."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = entry.namespace if entry.namespace else None
            full = ":".join(filter(None, [namespace, inner])) or None
            yield from _walk(entry.url_patterns, full, (*outer_keys, *entry.pattern.regex.groupindex))
        elif isinstance(entry, URLPattern):
            yield entry, (f"{namespace}:{entry.name}" if namespace else entry.name), outer_keys


def _url_routes():
    """(name, kwarg names, view) of every named URL; unnamed admin catch-alls are reached by name."""
    routes = []
    for pattern, name, outer_keys in _walk(get_resolver().url_patterns):
        if name is None or name.endswith(":None"):
            continue
        routes.append((name, [*outer_keys, *pattern.pattern.regex.groupindex], pattern.callback))
    return routes


URL_ROUTES = _url_routes()


def _rule(name):
    if name in ROUTES:
        return ROUTES[name]
    if name.startswith("admin:"):
        return ADMIN_RULE
    return None


@pytest.mark.db_independent
def test_every_route_has_an_entry():
    missing = [name for name, _keys, _view in URL_ROUTES if _rule(name) is None]
    assert missing == [], f"add these routes to ROUTES with who may reach them: {missing}"
    stale = set(ROUTES) - {name for name, _keys, _view in URL_ROUTES}
    assert stale == set(), f"ROUTES lists URLs that no longer exist: {stale}"


@pytest.mark.db_independent
def test_public_views_are_exactly_the_allowed_list():
    public = {name for name, _keys, view in URL_ROUTES if not getattr(view, "login_required", True)}
    assert public == set(PUBLIC)


@pytest.fixture
def world(db, library):
    return build_world()


def build_world():
    """The personas (tests.accounts.PERSONAS), one per role but "anonymous": two National Societies (A:
    Colombia, B: Mexico) with members and admins, focal points of the IFRC and ICRC, a platform admin,
    a deactivated member of A, an admin of A without MFA, and the migration document's editor and
    reviewer, with a draft of its next edition in review and a review comment on it.

    (users by role, sample URL kwargs); needs the library loaded. Also used by test_hostile_input.py."""
    colombia = NationalSociety.objects.get(slug="colombia")
    users = {role: persona(role) for role in ROLES if role != "anonymous"}
    from national_societies.models import Invitation

    from django.utils import timezone

    invitation = Invitation.objects.create(
        email="new@colombia.example.org",
        national_society=colombia,
        token_digest=invitation_token_digest("valid-token"),
        sent_at=timezone.now(),
        expires_at=timezone.now() + timezone.timedelta(days=7),
    )
    batch = InvitationBatch.objects.create(national_society=colombia, created_by=users["admin_a"])
    InvitationBatchLine.objects.create(batch=batch, line_number=2, email="batch@colombia.example.org", language="es")
    note = note_save(
        acting_user=users["admin_a"],
        message=Message.objects.get(identifier="GEN-01"),
        text="Colombian context: private.",
        visibility="society",
        expected_revision=None,
    )
    briefing = briefing_create(
        acting_user=users["member_a"],
        title="Radio interview",
        occasion="media_interview",
        messages=list(Message.objects.filter(identifier__in=["GEN-01", "GEN-02"]).order_by("position")),
    )
    AuditEvent.objects.create(
        action="printed",
        actor_user_id=users["member_a"].pk,
        actor_email=users["member_a"].email,
        actor_organisation=colombia.name,
        trace_code="KM-TEST-CODE",
        details={"paper": "letter"},
    )
    Print.objects.create(
        trace_code="KM-TEST-CODE",
        reader=users["member_a"],
        reader_name=users["member_a"].email,
        reader_email=users["member_a"].email,
        organisation=colombia.name,
        paper="Letter",
        kind="document",
        format="print",
    )
    flag = AuditFlag.objects.create(
        rule="many_messages",
        subject=users["member_a"].email,
        actor_user_id=users["member_a"].pk,
        actor_organisation_id=colombia.pk,
        window_start=timezone.now(),
        window_end=timezone.now(),
        summary="test flag",
    )
    other_browser = import_module(settings.SESSION_ENGINE).SessionStore()
    other_browser.create()
    user_session = UserSession.objects.create(
        user=users["member_a"], ip="192.0.2.10", user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        session_key=other_browser.session_key,
    )
    draft = draft_start(acting_user=users["doc_editor"], document=Document.objects.get(slug="migration-americas"))
    draft_submit(acting_user=users["doc_editor"], draft=draft)
    review = draft_review(acting_user=users["doc_reviewer"], draft=draft, decision="changes_requested", comment="Shorter.", message_identifier="GEN-01")
    kwargs = {
        "draft_id": draft.pk,
        "review_id": review.pk,
        "document_slug": "migration-americas",
        "label": "1",
        "key": "general-information",
        "slug": "detention",
        "identifier": "GEN-01",
        "number": 1,
        "society_slug": colombia.slug,
        "user_id": users["member_a"].pk,
        "invitation_id": invitation.pk,
        "batch_id": batch.pk,
        "token": "valid-token",
        "organisation_slug": colombia.slug,
        "flag_id": flag.pk,
        "session_id": user_session.pk,
        "note_id": note.pk,
        "briefing_id": briefing.pk,
        "trace_code": "KM-TEST-CODE",
        "item_id": briefing.items.order_by("position").last().pk,
        "object_id": str(Message.objects.get(identifier="GEN-01").pk),
        "id": "1",
        "content_type_id": "1",
        "app_label": "national_societies",
        "url": "anything",
        "uidb36": "1",
        "pk": 1,
    }
    return users, kwargs


def _client_for(role, users):
    client = Client()
    if role != "anonymous":
        sign_in(client, users[role])
    return client


class _Visitor:
    """One role's browser: a fresh client per route (no cookie carried over from a response), on one
    signed-in session, signed in again only when a route ended that session (sign-out, say)."""

    def __init__(self, role, users):
        self.role, self.users, self.session_key = role, users, None
        self.sessions = import_module(settings.SESSION_ENGINE).SessionStore

    def client(self):
        if self.role == "anonymous":
            return Client()
        if self.session_key is None or not self.sessions().exists(self.session_key):
            self.session_key = _client_for(self.role, self.users).cookies[settings.SESSION_COOKIE_NAME].value
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = self.session_key
        return client


@pytest.fixture
def pdfs_not_rendered(monkeypatch):
    """The matrix is about who gets through, not about the PDF (tests/messages_app/printing/test_printing.py
    renders and reads those): PDF routes run all their checks and records, then skip WeasyPrint."""
    monkeypatch.setattr("messages_app.printing.views.render_pdf", lambda html: b"%PDF-1.7 (not rendered in the route matrix)")


POST_DATA = {
    "national_societies:member_role": {"role": "member"},
    "national_societies:invitations_bulk_send": {"text": "email;name\nnew.one@colombia.example.org;Ana", "digest": "stale"},
    "messages:briefing_add": {"briefing": "new", "message": "GEN-01"},
    "messages:briefing_item": {"action": "up"},
}


def _outcome(response, expected):
    """The observed outcome, named like the expected ones."""
    status, location = response.status_code, response.get("Location", "")
    if expected == PUBLIC_PAGE and status in (200, 302, 403, 404, 405, 410):
        return PUBLIC_PAGE  # content is checked separately: a public page never shows a message
    if status == 302 and location.startswith(("/accounts/login/", "/admin/login/")) and expected != ADMIN_REFUSED:
        return LOGIN
    if expected == FORBIDDEN and status == 403:
        return FORBIDDEN
    if expected == LINK_REFUSED and status == 410:
        return LINK_REFUSED
    if expected == STEP_UP and status == 302 and location.startswith(reverse("mfa_reauthenticate")):
        return STEP_UP
    if status == 302 and location.startswith((reverse("mfa_activate_totp"), reverse("mfa_enrolment_link"))):
        return MFA_SETUP  # to set up a first authenticator (through the emailed link: enrolment.py)
    if expected == ADMIN_REFUSED and status == 302 and location.startswith("/admin/"):
        return ADMIN_REFUSED
    if expected == STAFF and status in (200, 302, 403, 404, 405):
        return STAFF  # through the door; 403/404/405 are the admin's read-only models and sample ids
    if expected == REACHABLE and status == 404:
        return REACHABLE  # "nothing to show": recovery codes or TOTP the user has not set up
    if status == 404:
        return NOT_FOUND
    if expected == REACHABLE and (status == 200 or (status == 302 and location.startswith("/accounts/"))):
        return REACHABLE
    if expected == OK and status in (200, 204):
        return OK
    if expected == OK and status == 302 and location and not location.startswith("/accounts/"):
        return OK  # an action's redirect back to the page it acted on
    return f"HTTP {status} {location}".strip()


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_role(world, pdfs_not_rendered, role):
    """One visitor against every URL (GETs first, then the POST actions, which are idempotent here).

    One test per role rather than per route: the world is built ten times, not once per URL.
    """
    users, sample = world
    routes = sorted(URL_ROUTES, key=lambda route: _rule(route[0])[0] == "POST")
    mismatches = []
    visitor = _Visitor(role, users)
    for name, keys, _view in routes:
        url = reverse(name, kwargs={key: sample[key] for key in keys})
        method, expectations = _rule(name)
        client = visitor.client()
        response = client.post(url, POST_DATA.get(name, {})) if method == "POST" else client.get(url)
        expected = expectations[role]
        observed = _outcome(response, expected)
        if observed != expected:
            mismatches.append(f"{name} ({method} {url}): expected {expected}, got {observed}")
        if expected not in (OK, STAFF):
            assert CANARY not in response.content.decode(errors="replace"), f"{name} showed content to {role}"
    assert mismatches == [], f"{role}:\n" + "\n".join(mismatches)


def test_a_deactivated_user_is_anonymous_on_the_next_request(world):
    users, _ = world
    client = _client_for("deactivated", users)
    response = client.get(reverse("messages:home"))
    assert response.wsgi_request.user.is_anonymous


def test_platform_admin_reaches_the_admin_and_canonical_text_is_read_only(world):
    users, _ = world
    client = _client_for("platform_admin", users)
    assert client.get("/admin/messages_app/message/").status_code == 200
    message_id = Message.objects.get(identifier="GEN-01").pk
    page = client.get(f"/admin/messages_app/message/{message_id}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content  # view only
    assert client.post(f"/admin/messages_app/message/{message_id}/delete/", {"post": "yes"}).status_code == 403


# --- A document with a chosen audience ---------------------------------------------------------

# Organisations of the personas outside the IFRC + ICRC audience below: every page of that document
# is a 404 to them (the route matrix's outcome otherwise).
OUTSIDE_THE_JOINT_AUDIENCE = {"member_a", "admin_a", "member_b", "admin_b"}


def _document_routes():
    return [(name, keys) for name, keys, _view in URL_ROUTES if name.startswith("messages:") and "document_slug" in keys]


@pytest.mark.db_independent
def test_every_page_of_a_document_is_in_the_audience_matrix():
    assert len(_document_routes()) >= 20  # the reading, note and print pages of one document


# A National Society's member and admin, another society's member; the IFRC's focal point and the
# ICRC's reviewer (of the audience); and the visitors that never get anything. The other roles get
# what their organisation gets, which these already show.
@pytest.mark.parametrize("role", ["anonymous", "member_a", "admin_a", "member_b", "ifrc_focal", "doc_reviewer", "deactivated"])
def test_every_document_route_for_role_on_a_document_of_the_ifrc_and_icrc(world, pdfs_not_rendered, role):
    """The same matrix, on a second document read only by the IFRC and the ICRC: a National Society's
    people get 404 on every one of its pages; its audience gets what the first document gives them."""
    users, sample = world
    load_joint_document(shipped_content())
    visitor = _Visitor(role, users)
    mismatches = []
    for name, keys in sorted(_document_routes(), key=lambda route: _rule(route[0])[0] == "POST"):
        url = reverse(name, kwargs={**{key: sample[key] for key in keys}, "document_slug": "joint-statement"})
        method, expectations = _rule(name)
        expected = NOT_FOUND if role in OUTSIDE_THE_JOINT_AUDIENCE and expectations[role] == OK else expectations[role]
        client = visitor.client()
        response = client.post(url, POST_DATA.get(name, {})) if method == "POST" else client.get(url)
        observed = _outcome(response, expected)
        if observed != expected:
            mismatches.append(f"{name} ({method} {url}): expected {expected}, got {observed}")
        if expected != OK:
            assert escape(JOINT_SECRET) not in response.content.decode(errors="replace"), f"{name} showed the joint document to {role}"
    assert mismatches == [], f"{role}:\n" + "\n".join(mismatches)
