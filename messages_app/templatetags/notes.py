from django import template

from messages_app.notes.markup import render_note

register = template.Library()


@register.filter
def note_html(text):
    """A note's Markdown subset as safe HTML (escaped, converted, cleaned by nh3)."""
    return render_note(text)
