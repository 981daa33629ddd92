"""`{{ session.user_agent|browser_label }}`: "Firefox 128 on Windows", never the raw string."""

from django import template

from core.user_agents import browser_label as _browser_label

register = template.Library()


@register.filter
def browser_label(user_agent):
    return _browser_label(user_agent)
