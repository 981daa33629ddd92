"""Roles as people read them: `{{ event.actor_role|role_label }}` gives "society admin" (translated),
never the stored code `society_admin`. An empty or unknown code is shown as it is."""

from django import template

from national_societies.models import MembershipRole

register = template.Library()
_LABELS = dict(MembershipRole.choices)


@register.filter
def role_label(code):
    return _LABELS.get(code, code)
