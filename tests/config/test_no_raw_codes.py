"""Issue 16: no raw code where a person reads — roles and actions appear as translated labels in the
console, the readers of a message and the account history (CSV headers may keep codes). This test reads
the visible text of those pages (attributes such as option values are codes by design) and fails on any
role or action code."""

import re

import pytest
from html.parser import HTMLParser

from django.urls import reverse

from audit.models import Action
from national_societies.models import Membership, MembershipRole
from national_societies.services import member_role_change

CODES = sorted({code for code in [*Action.values, *MembershipRole.values] if "_" in code}, key=len, reverse=True)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def raw_codes(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    return [code for code in CODES if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]


@pytest.mark.db_independent
def test_the_check_finds_a_raw_code():
    assert raw_codes("<p>focal_point viewed_message</p><option value='society_admin'>society admin</option>") == [
        "viewed_message", "focal_point",
    ]


def test_console_readers_and_account_history_show_labels_not_codes(admin_a, admin_a_client, member_a_client, member_a, platform_admin_client, ifrc_focal_client):
    member_a_client.get(reverse("messages:detail", args=["migration-americas", "DET-04"]))
    member_role_change(changed_by=admin_a, membership=Membership.objects.get(user=member_a), role=Membership.Role.SOCIETY_ADMIN)
    pages = {
        "console": ifrc_focal_client.get(reverse("console:events")),
        "readers": ifrc_focal_client.get(reverse("console:message_readers", args=["DET-04"])),
        "history": platform_admin_client.get(reverse("national_societies:member", args=["colombia", member_a.pk])),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert raw_codes(response.content.decode()) == [], name
    assert "society admin" in pages["history"].content.decode()
