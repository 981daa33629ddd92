"""Per-request account rules: session timeouts, session tracking and MFA for privileged roles."""

import time

from allauth.account.internal.flows.logout import logout as allauth_logout
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from national_societies.enrolment import ENROLMENT_VIEWS, enrolment_is_open, needs_enrolment_link
from national_societies.permissions import needs_mfa
from national_societies.selectors import has_totp

STARTED_KEY = "km_session_started"
LAST_SEEN_KEY = "km_last_seen"
TRACKED_KEY = "km_session_tracked"
# Activity is written back at most this often: the idle timeout is exact to within a minute.
TOUCH_INTERVAL_SECONDS = 60

# Views a user who must still set up MFA (or acknowledge the rules) can reach.
_ACCOUNT_PREFIXES = ("account_", "mfa_", "usersessions_")
_ALWAYS_REACHABLE = {
    "healthz",
    "robots_txt",
    "set_language",
    "national_societies:my_account",
    # A signed-in visitor opening an invitation link is told to sign out first; the token must never
    # travel on into a ?next= parameter of a redirect.
    "national_societies:invitation_accept",
}


def duration_text(seconds: int) -> str:
    """1800 → "30 minutes", 43200 → "12 hours", 5400 → "90 minutes", 30 → "1 minute"."""
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = seconds // 3600
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, round(seconds / 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def url_name_of(request) -> str | None:
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    return match.view_name


def is_account_page(view_name: str | None) -> bool:
    return view_name is None or view_name in _ALWAYS_REACHABLE or view_name.startswith(_ACCOUNT_PREFIXES)


def session_timestamps_reset(sender, request, user, **kwargs):
    """On sign-in, the idle and absolute clocks start again (connected to `user_logged_in`)."""
    now = time.time()
    request.session[STARTED_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session.pop(TRACKED_KEY, None)


class SessionTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_TIMEOUT or older than SESSION_ABSOLUTE_TIMEOUT seconds.

    Also makes sure every signed-in session is listed in allauth's user sessions, the list that
    "my sessions" shows and that deactivation uses to delete a user's sessions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request)
            if expired:
                session_key = request.session.session_key
                allauth_logout(request)
                if session_key:
                    # The session is gone from the store: it must not stay listed in "my sessions".
                    from allauth.usersessions.models import UserSession

                    UserSession.objects.filter(session_key=session_key).delete()
                messages.info(request, expired)
                return redirect_to_login(request.get_full_path() if request.method == "GET" else "/")
            self._track(request, user)
        return self.get_response(request)

    def _expired(self, request) -> str | None:
        now = time.time()
        session = request.session
        started = session.get(STARTED_KEY)
        last_seen = session.get(LAST_SEEN_KEY)
        if started is None or last_seen is None:
            session[STARTED_KEY] = session[LAST_SEEN_KEY] = now
            return None
        if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            return _("For your security, a session lasts at most %(duration)s. Please sign in again.") % {
                "duration": duration_text(settings.SESSION_ABSOLUTE_TIMEOUT)
            }
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            return _("You were signed out after %(duration)s without activity. Please sign in again.") % {
                "duration": duration_text(settings.SESSION_IDLE_TIMEOUT)
            }
        if now - last_seen > TOUCH_INTERVAL_SECONDS:
            session[LAST_SEEN_KEY] = now
            if session.session_key:
                from allauth.usersessions.models import UserSession

                UserSession.objects.filter(session_key=session.session_key).update(last_seen_at=timezone.now())
        return None

    def _track(self, request, user):
        session = request.session
        if session.get(TRACKED_KEY) == session.session_key and session.session_key:
            return
        from allauth.usersessions.models import UserSession

        UserSession.objects.create_from_request(request, user=user, session=session)
        session[TRACKED_KEY] = session.session_key


class PrivilegedMFARequiredMiddleware:
    """Society admins, focal points, platform admins and staff reach nothing until TOTP is set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not needs_mfa(user) or has_totp(user):
            return self.get_response(request)
        view_name = url_name_of(request)
        if view_name in ENROLMENT_VIEWS and needs_enrolment_link(user) and not enrolment_is_open(request):
            # A first authenticator: not with the password alone (national_societies/enrolment.py).
            return redirect("mfa_enrolment_link")
        if not is_account_page(view_name):
            messages.warning(
                request,
                _("Your role needs two-factor authentication. Set up an authenticator app to continue."),
            )
            return redirect("mfa_enrolment_link" if needs_enrolment_link(user) and not enrolment_is_open(request) else "mfa_activate_totp")
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's (LocaleMiddleware ran before the
    user was known); the language cookie of this browser still wins over both."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings as django_settings
        from django.utils import translation

        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.language
            and django_settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and user.language in dict(django_settings.LANGUAGES)
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
