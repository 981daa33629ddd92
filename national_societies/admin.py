from allauth.account.admin import EmailAddressAdmin as AllauthEmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as AllauthAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.usersessions.admin import UserSessionAdmin as AllauthUserSessionAdmin
from allauth.usersessions.models import UserSession
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from national_societies.admin_audit import AuditedAdminMixin
from national_societies.models import AllowedDomain, Invitation, Membership, NationalSociety, User
from national_societies.services import user_sessions_end


class AllowedDomainInline(admin.TabularInline):
    model = AllowedDomain
    extra = 0


# language code -> the admin form's field for the official name in it
OFFICIAL_NAME_FIELDS = {"es": "official_name_es", "fr": "official_name_fr", "pt-br": "official_name_pt_br"}


class NationalSocietyAdminForm(forms.ModelForm):
    """The official names as one field per language (stored together in `official_names`)."""

    official_name_es = forms.CharField(label=_("Official name in Spanish"), max_length=200, required=False)
    official_name_fr = forms.CharField(label=_("Official name in French"), max_length=200, required=False)
    official_name_pt_br = forms.CharField(label=_("Official name in Portuguese"), max_length=200, required=False)

    class Meta:
        model = NationalSociety
        exclude = ("official_names",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for language, field in OFFICIAL_NAME_FIELDS.items():
            self.fields[field].initial = (self.instance.official_names or {}).get(language, "")

    def clean(self):
        cleaned = super().clean()
        self.instance.official_names = {
            language: cleaned[field].strip() for language, field in OFFICIAL_NAME_FIELDS.items() if cleaned.get(field, "").strip()
        }
        return cleaned


@admin.register(NationalSociety)
class NationalSocietyAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = NationalSocietyAdminForm
    list_display = ["name", "local_name", "kind", "country_code", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "local_name", "country_code", "slug", "allowed_domains__domain"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [AllowedDomainInline]


class MembershipInline(admin.StackedInline):
    model = Membership
    fields = ["national_society", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["national_society"]
    extra = 0
    max_num = 1


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "first_name",
        "last_name",
        "membership__national_society",
        "membership__role",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "membership__role", "membership__national_society__kind"]
    list_select_related = ["membership__national_society"]
    search_fields = ["email", "first_name", "last_name", "membership__national_society__name"]
    inlines = [MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Deactivated here too means signed out everywhere at once, as on the society pages.
            user_sessions_end(obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made and revoked on the society pages, where the rules apply."""

    list_display = ["email", "national_society", "role", "sent_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", "national_society__kind"]
    search_fields = ["email", "national_society__name"]
    list_select_related = ["national_society"]
    exclude = ["token_digest"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# allauth searches sessions by `user__username`, which our users do not have (the email is the
# username): any search in the sessions list was a FieldError. Searched by email and IP instead.
admin.site.unregister(UserSession)


@admin.register(UserSession)
class UserSessionAdmin(AuditedAdminMixin, AllauthUserSessionAdmin):
    """Ending a session here (deleting it) is recorded like every admin change."""

    search_fields = ["user__email", "ip"]


# Who can sign in, and how, is changed in the Django admin only in ways the access log records.
admin.site.unregister(Authenticator)
admin.site.unregister(EmailAddress)
admin.site.unregister(Group)


@admin.register(Authenticator)
class AuthenticatorAdmin(AuditedAdminMixin, AllauthAuthenticatorAdmin):
    """A platform admin may remove an authenticator (an MFA reset, recorded); never add or edit one:
    its secret is the user's to set up."""

    exclude = ["data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EmailAddress)
class EmailAddressAdmin(AuditedAdminMixin, AllauthEmailAddressAdmin):
    """The work address is the account's one identity: no second address is added here (it would be a
    second way to sign in), none is edited, and removing one is recorded."""

    actions = []

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Group)
class GroupAdmin(AuditedAdminMixin, DjangoGroupAdmin):
    """Groups give Django-admin permissions: every change is recorded."""
