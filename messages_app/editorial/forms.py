from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from messages_app.editorial.models import DocumentRole, DraftReview
from national_societies.forms import OrganisationMultipleChoiceField
from national_societies.models import NationalSociety

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


class TopicsField(PlainTextField):
    """One topic per line, "address: Name"; a line with a name alone gets its address from the name."""

    def to_python(self, value):
        value = super().to_python(value)
        topics = []
        for line in (value or "").split("\n"):
            if not line.strip():
                continue
            slug, separator, name = line.partition(":")
            if not separator:
                name, slug = line, slugify(line)
            topics.append((slug.strip(), name.strip()))
        return topics


class TopicsForm(forms.Form):
    topics = TopicsField(
        label=_("Topics"), max_length=20000, widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("One topic per line, as “address: Name” (e.g. “detention: Detention”). A line with a name alone gets an address made from the name."),
        error_messages={"required": _("A document needs at least one topic.")},
    )
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


def _organisations():
    return NationalSociety.objects.filter(is_active=True).order_by("kind", "name")


class AudienceFields(forms.Form):
    audience_all = forms.TypedChoiceField(
        label=_("Who reads it"),
        choices=[("1", _("Every organisation of the Movement in the region")), ("0", _("Only the organisations chosen below"))],
        coerce=lambda value: value == "1", initial="1", widget=forms.RadioSelect,
    )
    audience = OrganisationMultipleChoiceField(
        label=_("Organisations that read it"), queryset=NationalSociety.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, to_field_name="slug",  # slugs, not ids: no number sent to the database
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = _organisations()


class NewDocumentForm(AudienceFields):
    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.CharField(label=_("Address"), max_length=50, help_text=_("Lowercase letters, digits and hyphens, e.g. hurricane-season-2027: part of the document's address."))
    original_language = forms.ChoiceField(label=_("Written in"), choices=[("en", "English"), ("es", "Español"), ("fr", "Français"), ("pt-br", "Português")])
    section_title = forms.CharField(label=_("Title of its first section"), max_length=300)
    section_key = forms.CharField(label=_("Key of its first section"), max_length=50, help_text=_("Lowercase letters, digits and hyphens."))
    section_prefix = forms.CharField(label=_("Identifier prefix of its first section"), max_length=5, help_text=_("2 to 5 capital letters: its messages will be numbered PREFIX-01, PREFIX-02…"))
    field_order = ["title", "slug", "original_language", "audience_all", "audience", "section_title", "section_key", "section_prefix"]


class DocumentSettingsForm(AudienceFields):
    approving_organisations = OrganisationMultipleChoiceField(
        label=_("Organisations whose reviewers must each approve a new edition"), queryset=NationalSociety.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple, to_field_name="slug",
        help_text=_("None chosen: one approval by any reviewer of the document is enough."),
    )
    retired = forms.BooleanField(
        label=_("Retired"), required=False,
        help_text=_("A retired document leaves readers' library and search; its editors, reviewers and focal points still read it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approving_organisations"].queryset = _organisations()
