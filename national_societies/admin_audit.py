"""Every change a platform admin makes in the Django admin goes through `audit_record`."""

import json

from audit.services import Action, audit_record


def _as_list(message):
    if isinstance(message, str):
        try:
            message = json.loads(message) if message else []
        except ValueError:
            message = [{"note": message}]
    return list(message or [])


class AuditedAdminMixin:
    """Replaces the admin's own history writes by the app's one recording function."""

    def log_addition(self, request, obj, message):
        return audit_record(action=Action.ADMIN_ADDED, actor=request.user, target=obj, admin_message=_as_list(message))

    def log_change(self, request, obj, message):
        return audit_record(action=Action.ADMIN_CHANGED, actor=request.user, target=obj, admin_message=_as_list(message))

    def log_deletions(self, request, queryset):
        return [
            audit_record(action=Action.ADMIN_DELETED, actor=request.user, target=obj, details={"deleted": str(obj)})
            for obj in queryset
        ]
