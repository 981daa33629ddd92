from django.conf import settings
from django.utils.functional import SimpleLazyObject

from console.permissions import can_review_access_log
from national_societies.permissions import managed_organisation
from national_societies.viewer import viewer_of


def account(request):
    """What the navigation shows the signed-in user (asked lazily of the rules) and the session policy."""
    user = getattr(request, "user", None)

    def nav():
        viewer = viewer_of(user)
        return {
            "membership": viewer.membership,
            "manages": managed_organisation(viewer),
            "reviews_access_log": can_review_access_log(viewer),
            # Editors and reviewers of a document, and the platform admins who name them.
            "editorial": viewer.membership is not None
            and (viewer.membership.holds_document_role or viewer.role == viewer.membership.Role.PLATFORM_ADMIN),
        }

    return {
        "account_nav": SimpleLazyObject(nav),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
