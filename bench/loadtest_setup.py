"""`make loadtest`, before Locust: readers for it in the cluster's database, signed in server-side.

Run with the cluster's environment (ops/loadtest sets it): creates (or resets) 40 members of the
Colombian and Mexican Red Cross, 6 society admins and 4 focal points named loadtest-…@…, each with the
handling rules confirmed and a session made as a sign-in would make it (Django's login; the privileged
ones with TOTP and a fresh second factor, so that the console's CSV export does not ask again), and
writes their session cookies to the file given (one JSON list of {"kind", "email", "session"}).
Signing in 50 people through the form would only measure the sign-in's rate limit.
"""

import json
import sys
import time

from pathlib import Path as _Path

sys.path.insert(0, str(_Path(__file__).resolve().parent.parent))  # the project, run as a script

import django  # noqa: E402

django.setup()

from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from messages_app.catalogue.models import Edition  # noqa: E402
from messages_app.catalogue.services import rules_acknowledge  # noqa: E402
from national_societies.models import Membership, NationalSociety, User  # noqa: E402
from national_societies.services import demo_account_ensure  # noqa: E402

PEOPLE = [("member", "colombia", Membership.Role.MEMBER)] * 20 + [("member", "mexico", Membership.Role.MEMBER)] * 20
PEOPLE += [("society_admin", "colombia", Membership.Role.SOCIETY_ADMIN)] * 3 + [("society_admin", "mexico", Membership.Role.SOCIETY_ADMIN)] * 3
PEOPLE += [("focal_point", "ifrc-americas", Membership.Role.FOCAL_POINT)] * 2 + [("focal_point", "icrc-americas", Membership.Role.FOCAL_POINT)] * 2


def main(path):
    edition = Edition.objects.current_first().first()
    people = []
    for number, (kind, slug, role) in enumerate(PEOPLE, start=1):
        domain = {"colombia": "colombia.example.org", "mexico": "mexico.example.org"}.get(slug, f"{slug.split('-')[0]}.example.org")
        email = f"loadtest-{kind.replace('_', '-')}-{number:02d}@{domain}"
        user, _created = demo_account_ensure(
            email=email, first_name="Load", last_name=f"Test {number}", organisation=NationalSociety.objects.get(slug=slug),
            role=role, with_totp=role != Membership.Role.MEMBER,
        )
        rules_acknowledge(user=User.objects.get(pk=user.pk), edition=edition)
        client = Client()
        client.force_login(user)
        session = client.session
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "mfa", "type": "totp", "at": time.time() + 3600}]
        session.save()
        people.append({"kind": kind, "email": email, "organisation": slug, "session": client.cookies[settings.SESSION_COOKIE_NAME].value})
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(people, handle)
    print(f"{len(people)} readers signed in for the load test")


if __name__ == "__main__":
    main(sys.argv[1])
