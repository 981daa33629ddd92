"""Read-only bases for the Django admin: canonical content and the access log are read there, never written.
And the admin site's guard against NUL characters in query strings."""

from functools import wraps

from django.contrib import admin
from django.core.exceptions import BadRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


def refusing_nul_characters(admin_view):
    """Wraps an AdminSite's `admin_view`: a request whose query string holds a NUL character is
    answered 400 before any admin page runs. The admin passes list filters (`?role__exact=…`) to the
    database as they come, and PostgreSQL refuses NUL in a query (a 500). Forms refuse NUL themselves."""

    def wrap(view, cacheable=False):
        wrapped = admin_view(view, cacheable)

        @wraps(wrapped)
        def inner(request, *args, **kwargs):
            if any("\x00" in key or any("\x00" in value for value in values) for key, values in request.GET.lists()):
                raise BadRequest("NUL character in the query string")
            return wrapped(request, *args, **kwargs)

        return inner

    return wrap
