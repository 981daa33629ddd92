from django import forms
from django.utils.translation import gettext_lazy as _

from messages_app.editorial.models import DocumentRole, DraftReview

TEXT_MAX = 5000


class PlainTextField(forms.CharField):
    """Browsers send line breaks as CRLF: stored as LF, as the loader reads a file."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return super().to_python(value)


class ParagraphsField(PlainTextField):
    """Several texts in one box, separated by a blank line (introduction, rules, contacts)."""

    def to_python(self, value):
        value = super().to_python(value)
        return [part.strip() for part in value.split("\n\n") if part.strip()] if value else []


class MessageForm(forms.Form):
    text = PlainTextField(
        label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8, "maxlength": TEXT_MAX}),
        help_text=_("Plain text, exactly as readers will see and quote it."),
        error_messages={"required": _("A message needs its text.")},
    )
    topics = forms.MultipleChoiceField(label=_("Topics"), required=False, widget=forms.CheckboxSelectMultiple)
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].choices = list(topic_choices)


class FrameForm(forms.Form):
    label = forms.CharField(label=_("Edition label"), max_length=50)
    release_note = PlainTextField(
        label=_("Release note"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What changed in this edition, in a sentence or two: readers see it on the library's home page."),
    )
    introduction = ParagraphsField(label=_("Introduction"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}), help_text=_("One paragraph per block, blocks separated by a blank line."))
    handling_rules = ParagraphsField(label=_("Handling rules"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}), help_text=_("One rule per block, blocks separated by a blank line. Readers confirm the rules again when they change."))
    contacts = ParagraphsField(label=_("Help contacts"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), help_text=_("One contact per block, blocks separated by a blank line."))
    summary = PlainTextField(label=_("Summary"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class SectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    number = forms.CharField(label=_("Number"), max_length=10, required=False, help_text=_("A Roman numeral for an approach, or nothing."))
    lead = PlainTextField(label=_("Introductory text"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class NewSectionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    key = forms.CharField(label=_("Key"), max_length=50, help_text=_("Lowercase letters, digits and hyphens, e.g. climate-displacement. Part of the section's address."))
    prefix = forms.CharField(label=_("Identifier prefix"), max_length=5, help_text=_("2 to 5 capital letters: its messages will be numbered PREFIX-01, PREFIX-02…"))
    parent = forms.TypedChoiceField(label=_("Inside"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, parent_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("— a main section —")), *parent_choices]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your review"), choices=DraftReview.Decision.choices, widget=forms.RadioSelect)
    comment = PlainTextField(label=_("Comment"), required=False, max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}))
    message = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)


class PublishForm(forms.Form):
    when = forms.ChoiceField(
        label=_("When"), choices=[("now", _("Now")), ("later", _("At a time I choose"))], initial="now", widget=forms.RadioSelect
    )
    publish_at = forms.DateTimeField(
        label=_("Date and time (UTC)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self):
        data = super().clean()
        if data.get("when") == "later" and not data.get("publish_at"):
            self.add_error("publish_at", _("Choose when to publish."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Content file (YAML)"), help_text=_("It becomes a draft, reviewed before it is published."))


class RoleForm(forms.Form):
    email = forms.EmailField(label=_("Email of the person"))
    kind = forms.ChoiceField(label=_("Role"), choices=DocumentRole.Kind.choices)
