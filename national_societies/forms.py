from allauth.account.forms import SignupForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from national_societies.models import Membership
from national_societies.permissions import can_invite_outside_domains, grantable_roles
from national_societies.services import invitation_check

INVITATION_SESSION_KEY = "invitation_digest"


class OrganisationLabelMixin:
    """For a form field choosing organisations: each is read by its name in the reader's language
    (NationalSociety.official_name), as everywhere else a person reads it."""

    def label_from_instance(self, obj):
        return obj.official_name(get_language())


class OrganisationMultipleChoiceField(OrganisationLabelMixin, forms.ModelMultipleChoiceField):
    pass


def _role_choices(user):
    allowed = grantable_roles(user)
    return [(value, capfirst(label)) for value, label in Membership.Role.choices if value in allowed]


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Work email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), initial=Membership.Role.MEMBER)
    language = forms.ChoiceField(
        label=_("Language of the invitation"), choices=settings.LANGUAGES, required=False,
        help_text=_("The email is written in it, and the new account starts in it."),
    )
    domain_override_reason = forms.CharField(
        label=_("Reason for inviting an address outside the allowed domains"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Platform admins only. Recorded with the invitation."),
    )

    def __init__(self, *args, inviter, national_society=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(inviter)
        if national_society is not None:
            self.fields["language"].initial = national_society.usual_language
        if not can_invite_outside_domains(inviter):
            del self.fields["domain_override_reason"]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, changer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _role_choices(changer)


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        help_text=_("For example: left the National Society. Recorded with the deactivation."),
    )


class InvitationSignupForm(SignupForm):
    """allauth's sign-up form, opened only by a valid invitation: the address is the invited one."""

    first_name = forms.CharField(label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    field_order = ["email", "first_name", "last_name", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation_digest = context.request.session.get(INVITATION_SESSION_KEY)
        check = invitation_check(digest=self.invitation_digest) if self.invitation_digest else None
        email = check.invitation.email if check and check.invitation else ""
        self.fields["email"].initial = email
        self.fields["email"].disabled = True
        self.fields["email"].help_text = _("The address you were invited with. It cannot be changed.")

    def clean(self):
        cleaned_data = super().clean()
        # Locked until the end of the request's transaction: a second tab cannot use the link too.
        check = invitation_check(digest=self.invitation_digest or "", lock=True)
        if check.problem is not None:
            raise forms.ValidationError(
                _("This invitation can no longer be used. Ask your National Society's admin for a new one."),
                code="invitation_unusable",
            )
        return cleaned_data

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])


class EditionNotificationsForm(forms.Form):
    edition_notifications = forms.ChoiceField(
        label=_("Emails about new editions of the key messages"),
        choices=[("each", _("An email for each new edition")), ("digest", _("A weekly digest")), ("none", _("No email"))],
        widget=forms.RadioSelect,
        help_text=_("The emails say what was published and link to it; they never contain the messages themselves."),
    )
