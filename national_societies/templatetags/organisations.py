"""Organisations as people read them: `{{ society|organisation_name }}` gives the organisation's
official name in the active language ("Cruz Roja Colombiana" for a Spanish reader), else its name in
English; `{{ society|organisation_name:"fr" }}` in a given language. Rendering an email inside
`translation.override(<recipient's language>)` gives the recipient's. None gives ""."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def organisation_name(organisation, language=None):
    if organisation is None or organisation == "":
        return ""
    return organisation.official_name(language or get_language())


@register.filter
def recorded_organisation_name(record):
    """An access-log record's organisation for its reader: in their language while the organisation
    still bears the name recorded (national_societies.selectors.attach_recorded_organisations), else
    the name as recorded."""
    get = record.get if isinstance(record, dict) else lambda key: getattr(record, key, None)
    organisation = get("current_organisation")
    if organisation is not None:
        return organisation.official_name(get_language())
    return get("actor_organisation") or ""
