"""The pages of bulk invitations, as the tests read them: their addresses, and the lines of their tables."""

import html as html_lib
import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from national_societies.models import Invitation
from national_societies.services import invitation_token_digest


def bulk_url(society):
    return reverse("national_societies:invitations_bulk", args=[society.slug])


def send_url(society):
    return reverse("national_societies:invitations_bulk_send", args=[society.slug])


def batch_url(batch, society=None):
    return reverse("national_societies:invitation_batch", args=[(society or batch.national_society).slug, batch.pk])


def open_invitation(email, society, *, expires_in_days=7):
    now = timezone.now()
    return Invitation.objects.create(
        email=email, national_society=society, token_digest=invitation_token_digest(email), sent_at=now,
        expires_at=now + timedelta(days=expires_in_days),
    )


def rows(response):
    """(line number, person cell text, result text) of each line of the report's or batch's table."""
    html = response.content.decode()
    body = html[html.index("<tbody>", html.index('id="lines-title"')):]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.DOTALL):
        cells = [html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell))).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, flags=re.DOTALL)]
        found.append((int(cells[0]), cells[1], cells[2]))
    return found


def summary(response):
    html = response.content.decode()
    facts = html[html.index('id="summary-title"'):html.index("</dl>", html.index('id="summary-title"'))]
    return {html_lib.unescape(term): count for term, count in re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", facts)}
