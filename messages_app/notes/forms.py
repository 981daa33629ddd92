from django import forms
from django.utils.translation import gettext_lazy as _

from messages_app.notes.models import NOTE_MAX_LENGTH, Visibility


class NoteTextField(forms.CharField):
    """Browsers send a textarea's line breaks as CRLF: counted as one character each, as the
    textarea's own `maxlength` counts them and as the note is stored, not as two."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class NoteForm(forms.Form):
    text = NoteTextField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": NOTE_MAX_LENGTH}),
        max_length=NOTE_MAX_LENGTH,
        strip=True,
        help_text=_("Plain text with a little Markdown: blank line between paragraphs, “- ” for a list, *emphasis*, **bold**, [link text](https://…)."),
        error_messages={
            "required": _("Write the note, or delete it."),
            "max_length": _("A note has at most %(limit_value)d characters (this one has %(show_value)d)."),
        },
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, initial=Visibility.SOCIETY, widget=forms.RadioSelect
    )
    # The revision the editor started from: a save on top of someone else's newer save is a conflict.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # The note that revision belongs to: a note deleted and replaced meanwhile is a conflict too.
    note = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
