"""Step-up: an action that needs a second factor entered moments ago says, on the page that asks for
it, what the person is about to confirm.

The action's view (the access-log export, console/views.py) hands over to `step_up_redirect`, which
remembers in the session what is being confirmed — one of the `Purpose`s below and the organisation
concerned, by id — together with the address the person returns to, then sends them to allauth's code
page. The reauthentication pages ask `pending_step_up`: it answers only while their `next` is
that very address, in the reader's language, with the organisation's name from the database. Nothing
typed into a query string is ever shown; any other `next` (a stale one, a link made elsewhere) gets
the pages' generic explanation.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from national_societies.models import NationalSociety

SESSION_KEY = "km_step_up"
# The step-ups remembered at once (one per address: several tabs may each be on their way).
REMEMBERED = 5


class Purpose(StrEnum):
    """What a step-up confirms."""

    EXPORT_ACCESS_LOG = "export_access_log"


@dataclass(frozen=True)
class StepUp:
    """A step-up on its way, said in the person's language: what they confirm, and why a code is asked
    again."""

    explanation: str
    why: str


def step_up_redirect(request, *, purpose: Purpose, organisation: NationalSociety | None = None) -> HttpResponseRedirect:
    """Send the person to enter a code from their authenticator (or use a security key) before coming
    back to this very request; the page they land on says what they are confirming. `organisation`:
    the one concerned, or None for every organisation the person may act on."""
    next_url = request.get_full_path()
    remembered = [entry for entry in request.session.get(SESSION_KEY, []) if entry.get("next") != next_url]
    remembered.append({"next": next_url, "purpose": str(purpose), "organisation": organisation.pk if organisation else None})
    request.session[SESSION_KEY] = remembered[-REMEMBERED:]
    return HttpResponseRedirect(reverse("mfa_reauthenticate") + "?" + urlencode({"next": next_url}))


def pending_step_up(request) -> StepUp | None:
    """The step-up a reauthentication page is for — the one remembered for its `next` — said in the
    active language; None when the page was not reached through `step_up_redirect` (it then explains
    in general), or when what it concerned is gone."""
    next_url = request.POST.get("next") or request.GET.get("next")
    entry = next((e for e in request.session.get(SESSION_KEY, []) if next_url and e.get("next") == next_url), None)
    if entry is None or entry.get("purpose") != Purpose.EXPORT_ACCESS_LOG:
        return None
    why = _("Exporting the access log needs a code from your authenticator app (or a security key), even if you entered one at sign-in more than five minutes ago.")
    if entry.get("organisation") is None:
        return StepUp(_("You are about to export the access log of every organisation you review. Confirm it is you: the file says who read what, and when."), why)
    organisation = NationalSociety.objects.filter(pk=entry["organisation"]).first()
    if organisation is None:
        return None
    explanation = _("You are about to export the access log of the %(organisation)s. Confirm it is you: the file says who read what, and when.")
    return StepUp(explanation % {"organisation": organisation.official_name(get_language())}, why)
