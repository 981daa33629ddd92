"""Reads in the Django admin of protected content (canonical texts, translations, the access log)
are recorded like reads in the app: one row per page opened, before the page is built."""

from audit.models import Action
from audit.services import audit_record


class RecordedReadsAdmin:
    """Mixin for a ModelAdmin: each list and each object page opened is an `admin_viewed` event."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            query = request.GET.get("q", "")
            audit_record(
                action=Action.ADMIN_VIEWED, actor=request.user, target_type=self.model._meta.model_name,
                query=query, details={"page": "list"}, request=request,
            )
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            audit_record(
                action=Action.ADMIN_VIEWED, actor=request.user, target_type=self.model._meta.model_name,
                target_id=str(object_id), details={"page": "object"}, request=request, **self.recorded_message(object_id),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def recorded_message(self, object_id) -> dict:
        """`{"message": …}` when the object is a message, for "who read DET-04" (override)."""
        return {}
