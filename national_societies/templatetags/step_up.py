"""The reauthentication pages' tags: `{% pending_step_up as step_up %}` gives what the person is
confirming (national_societies/step_up.py), or None; `alternatives|other_ways:step_up` the other ways
allauth offers to confirm, less the password for a step-up (only a second factor will do there);
`{% this_page_with_next %}` where the language switcher sends the reader back: this page with its
`next`, if that is a path on this site."""

from django import template
from django.utils.http import urlencode

from core.redirects import local_next_url
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


@register.simple_tag(takes_context=True)
def this_page_with_next(context):
    request = context["request"]
    next_url = local_next_url(request, request.POST.get("next") or request.GET.get("next") or "")
    return request.path + ("?" + urlencode({"next": next_url}) if next_url else "")
