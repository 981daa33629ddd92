"""`{% can "notes.edit" organisation as may_edit %}`: templates ask the rule, never restate it."""

from django import template

from core.rules import check

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context, rule_name, *args):
    request = context.get("request")
    user = getattr(request, "user", None)
    return check(rule_name, user, *args)
