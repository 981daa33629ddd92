"""The reauthentication pages' tags: `{% pending_step_up as step_up %}` gives what the person is
confirming (national_societies/step_up.py), or None; `alternatives|other_ways:step_up` the other ways
allauth offers to confirm, less the password for a step-up (only a second factor will do there)."""

from django import template

from national_societies import step_up

register = template.Library()


@register.simple_tag(takes_context=True)
def pending_step_up(context):
    request = context.get("request")
    return step_up.pending_step_up(request) if request is not None else None


@register.filter
def other_ways(alternatives, pending):
    if not pending:
        return list(alternatives or [])
    return [alternative for alternative in alternatives or [] if alternative.get("id") != "reauthenticate"]
