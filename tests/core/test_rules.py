"""The shape of an access rule's answer, the one "not allowed" exception, and the {% can %} tag."""

import pytest
from django.core.exceptions import PermissionDenied
from django.template import Context, Template
from django.test import RequestFactory

from core.rules import ALLOWED, Decision, NotAllowed, check, decide, denied

pytestmark = pytest.mark.db_independent  # no test here touches the database



def test_a_decision_is_truthy_only_when_allowed_and_carries_its_reason():
    refusal = denied("Only a platform admin does this.")
    assert ALLOWED and not refusal
    assert refusal.reason == "Only a platform admin does this."
    assert decide(True, "unused") is ALLOWED
    assert decide(False, "why") == Decision(False, "why")


def test_enforce_raises_not_allowed_with_the_reason_which_django_answers_403():
    ALLOWED.enforce()
    with pytest.raises(NotAllowed) as raised:
        denied("You cannot give this role.").enforce()
    assert raised.value.reason == "You cannot give this role."
    assert isinstance(raised.value, PermissionDenied)


def test_asking_for_an_unknown_rule_fails_loudly_rather_than_allowing():
    with pytest.raises(LookupError, match="No access rule named 'notes.edti'"):
        check("notes.edti", None)


def test_the_can_tag_asks_the_registered_rule_for_the_request_user():
    request = RequestFactory().get("/")
    request.user = None
    template = Template('{% load rules %}{% can "library.read" as may %}{% if may %}yes{% else %}no: {{ may.reason }}{% endif %}')
    assert template.render(Context({"request": request})).startswith("no: Your account holds no role")
