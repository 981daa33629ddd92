from django import forms
from django.utils.translation import gettext_lazy as _

from national_societies.invitation_batches.lists import (
    MAX_BYTES,
    ListRefused,
    decode_upload,
)


class InvitationListForm(forms.Form):
    """A list pasted, or a CSV file chosen: `cleaned_data["list_text"]` is its text."""

    text = forms.CharField(
        label=_("Paste the list"),
        required=False,
        strip=False,  # leading blank lines count: the report's line numbers are those of the list
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
    )
    file = forms.FileField(
        label=_("Or choose a CSV file"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ".csv,.txt,text/csv,text/plain"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        text, upload = cleaned_data.get("text") or "", cleaned_data.get("file")
        if self.errors:
            return cleaned_data
        if upload and text.strip():
            raise forms.ValidationError(_("Paste a list or choose a file, not both."))
        if upload:
            try:
                cleaned_data["list_text"] = decode_upload(upload.read(MAX_BYTES + 1))
            except ListRefused as refusal:
                raise forms.ValidationError(refusal.message) from None
        elif text.strip():
            cleaned_data["list_text"] = text
        else:
            raise forms.ValidationError(_("Paste a list, or choose a CSV file."))
        return cleaned_data


class InvitationBatchConfirmForm(forms.Form):
    """The list again, as checked, and the digest of what its report said would be sent."""

    text = forms.CharField(strip=False, widget=forms.HiddenInput)
    digest = forms.CharField(max_length=64, widget=forms.HiddenInput)
