from django import forms
from django.utils.translation import gettext_lazy as _

from .note_models import NOTE_MAX_LENGTH, Visibility


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": NOTE_MAX_LENGTH}),
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        help_text=_("Plain text with a little Markdown: blank line between paragraphs, “- ” for a list, *emphasis*, **bold**, [link text](https://…)."),
        error_messages={"required": _("Write the note, or delete it.")},
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.SOCIETY, widget=forms.RadioSelect
    )
    # The revision the editor started from: a save on top of someone else's newer save is a conflict.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
