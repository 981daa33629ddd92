from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from audit.models import Action, Outcome
from core.identifiers import IDENTIFIER_RE
from console.models import COMMENT_MAX_LENGTH, FlagStep
from console.selectors import SLUG_RE, EventFilters
from national_societies.forms import OrganisationLabelMixin

# "To" is inclusive: the filter ends at the start of the next day, which must exist (date.max + 1 day
# overflows). Both dates are refused from date.max on.
END_OF_DATES = date.max


class OrganisationField(OrganisationLabelMixin, forms.ModelChoiceField):
    """An organisation by its slug. Anything that is not a slug is refused before it reaches the
    database (PostgreSQL refuses a NUL character in a query)."""

    def to_python(self, value):
        if value not in self.empty_values and not SLUG_RE.fullmatch(str(value)):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class EventFilterForm(forms.Form):
    organisation = OrganisationField(
        label=_("Organisation"), queryset=None, required=False, to_field_name="slug", empty_label=_("All")
    )
    user = forms.EmailField(label=_("User (email)"), required=False, max_length=254)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[("", _("All"))] + Action.choices)
    message = forms.RegexField(
        label=_("Message"),
        required=False,
        regex=IDENTIFIER_RE,
        max_length=16,
        error_messages={"invalid": _("A message id looks like DET-04.")},
    )
    trace_code = forms.RegexField(
        label=_("Trace code (from a printout)"),
        required=False,
        regex=r"^\s*[Kk][Mm]-?[2-9A-Za-z]{4}-?[2-9A-Za-z]{4}\s*$",
        max_length=20,
        error_messages={"invalid": _("A trace code looks like KM-7F3K-Q9XA.")},
    )
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("All"))] + Outcome.choices)
    since = forms.DateField(label=_("From (UTC)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To (UTC, inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean(self):
        cleaned = super().clean()
        for name in ("since", "until"):
            if cleaned.get(name) and cleaned[name] >= END_OF_DATES:
                self.add_error(name, _("Choose a date before %(date)s.") % {"date": date_format(END_OF_DATES)})
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def to_filters(self) -> EventFilters:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}

        def start_of(day):
            return datetime.combine(day, time.min, tzinfo=dt_timezone.utc) if day else None

        until = data.get("until")
        return EventFilters(
            organisation=data.get("organisation"),
            user_email=(data.get("user") or "").lower(),
            action=data.get("action") or "",
            message=data.get("message") or "",
            outcome=data.get("outcome") or "",
            trace_code=_normalise_trace(data.get("trace_code") or ""),
            since=start_of(data.get("since")),
            until=start_of(until + timedelta(days=1)) if until else None,
        )


def _normalise_trace(code: str) -> str:
    """"km7f3kq9xa", "KM-7F3K-Q9XA " → "KM-7F3K-Q9XA"."""
    raw = code.strip().upper().replace("-", "")
    if not raw:
        return ""
    raw = raw[2:] if raw.startswith("KM") else raw
    return f"KM-{raw[:4]}-{raw[4:]}"


class AssigneeField(forms.ModelChoiceField):
    """A reviewer of the flag, by account id; the label a person reads is their name and address."""

    def label_from_instance(self, user):
        name = user.get_full_name()
        return f"{name} ({user.email})" if name else user.email


class FlagTriageForm(forms.Form):
    """One triage step on a flag: the step, a comment (required to comment), whom to assign it to."""

    step = forms.ChoiceField(choices=FlagStep.choices, widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=COMMENT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    assignee = AssigneeField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Choose a reviewer"))

    def __init__(self, *args, assignees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
