from django import forms
from django.utils.translation import gettext_lazy as _

from messages_app.briefings.models import Occasion


class BriefingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, widget=forms.TextInput(attrs={"placeholder": _("e.g. Radio interview, 12 March")}))
    occasion = forms.ChoiceField(label=_("Occasion"), choices=Occasion.choices, initial=Occasion.MEETING)
    occasion_date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    include_notes = forms.BooleanField(label=_("Include my society's local notes"), required=False, initial=True)
