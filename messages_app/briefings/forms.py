from django import forms
from django.utils.translation import gettext_lazy as _

from messages_app.briefings.models import TALKING_POINTS_MAX_LENGTH, Occasion
from messages_app.notes.forms import NoteTextField


class BriefingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"placeholder": _("e.g. Radio interview, 12 March")}))
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices, initial=Occasion.MEETING)
    occasion_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    include_notes = forms.BooleanField(label=_("Include my society's local notes"), required=False, initial=True)


class TalkingPointsForm(forms.Form):
    """The author's talking points for one item of their briefing: one such form per message on the
    briefing page, each with its own prefix (field names and ids unique on the page). Empty clears them."""

    talking_points = NoteTextField(  # line breaks counted as one character, as the textarea counts them
        label=_("My talking points"),
        required=False,
        strip=True,
        max_length=TALKING_POINTS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": TALKING_POINTS_MAX_LENGTH}),
        error_messages={"max_length": _("Talking points have at most %(limit_value)d characters (these have %(show_value)d).")},
    )

    def __init__(self, data=None, *, item):
        super().__init__(data, prefix=f"item-{item.pk}", initial={"talking_points": item.talking_points})
        self.item = item
        self.fields["talking_points"].widget.attrs["aria-describedby"] = f"{self['talking_points'].auto_id}-help"

    def show_errors(self):
        """After a refusal: the field says it is invalid, names its error, and has the focus again
        (the page is sent back with what was typed, never with it lost)."""
        field = self["talking_points"]
        field.field.widget.attrs.update(
            {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}-error {field.auto_id}-help", "autofocus": True}
        )
