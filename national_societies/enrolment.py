"""A privileged account's first authenticator is enrolled only through a link sent to its work address.

Whoever knows the password of an account that was just promoted (or whose MFA a platform admin reset)
must not be able to attach their own authenticator to it. So, while an account that needs MFA has no
authenticator at all, allauth's pages that add one open only in a session that followed a link
emailed to the account: proof of the mailbox as well as the password. The link is signed, lasts
MFA_ENROLMENT_LINK_MINUTES, and stops working once an authenticator exists (or the password changes).
"""

import hashlib
import time

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string

from audit.models import Action
from audit.services import audit_record
from national_societies.permissions import needs_mfa

SALT = "km.mfa-enrolment"
SESSION_KEY = "km_mfa_enrolment_until"
# allauth's pages that add an authenticator.
ENROLMENT_VIEWS = frozenset({"mfa_activate_totp", "mfa_add_webauthn", "mfa_generate_recovery_codes"})
# How long the session may enrol after following the link.
OPEN_SECONDS = 10 * 60


class EnrolmentEmailFailed(Exception):
    """The link could not be sent."""


def needs_enrolment_link(user) -> bool:
    """The account needs MFA and has no authenticator yet: its first one comes through the link."""
    return needs_mfa(user) and not Authenticator.objects.filter(user_id=user.pk).exists()


def _state(user) -> str:
    """What the link is bound to: the account, its password and its authenticators (none yet)."""
    authenticators = ",".join(str(pk) for pk in Authenticator.objects.filter(user_id=user.pk).order_by("pk").values_list("pk", flat=True))
    return hashlib.sha256(f"{user.pk}|{user.email}|{user.password}|{authenticators}".encode()).hexdigest()[:32]


def enrolment_token(user) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{user.pk}:{_state(user)}")


def enrolment_token_valid(user, token: str) -> bool:
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=settings.MFA_ENROLMENT_LINK_MINUTES * 60)
    except signing.BadSignature:  # also SignatureExpired
        return False
    return value == f"{user.pk}:{_state(user)}"


def enrolment_link_send(*, user, build_url) -> None:
    """Email the account a link that opens enrolment in the session that follows it; recorded.
    `build_url(token)` makes the absolute link."""
    context = {"user": user, "link": build_url(enrolment_token(user)), "minutes": settings.MFA_ENROLMENT_LINK_MINUTES}
    subject = render_to_string("national_societies/email/mfa_enrolment_subject.txt", context).strip()
    body = render_to_string("national_societies/email/mfa_enrolment_message.txt", context)
    audit_record(action=Action.MFA_ENROLMENT_LINK_SENT, actor=user, target=user)
    try:
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [user.email])
    except OSError as error:  # SMTP errors are OSErrors
        raise EnrolmentEmailFailed(str(error)) from error


def enrolment_open(*, request, token: str) -> bool:
    """Follow the link: open enrolment in this session for a while, if the link is this account's and
    still good; recorded either way."""
    user = request.user
    if not enrolment_token_valid(user, token):
        audit_record(action=Action.MFA_ENROLMENT_LINK_USED, actor=user, target=user, outcome="denied", reason="link not valid")
        return False
    request.session[SESSION_KEY] = time.time() + OPEN_SECONDS
    audit_record(action=Action.MFA_ENROLMENT_LINK_USED, actor=user, target=user)
    return True


def enrolment_is_open(request) -> bool:
    return request.session.get(SESSION_KEY, 0) > time.time()
