from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AllowedDomain, Membership, NationalSociety, User


class AllowedDomainInline(admin.TabularInline):
    model = AllowedDomain
    extra = 0


@admin.register(NationalSociety)
class NationalSocietyAdmin(admin.ModelAdmin):
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
class UserAdmin(DjangoUserAdmin):
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
