from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Membership
from .permissions import membership_of


def account(request):
    """The signed-in user's membership for the navigation (read lazily) and the session policy."""
    user = getattr(request, "user", None)

    def nav():
        membership = membership_of(user)
        # Same rule as permissions.can_manage_members_of for one's own organisation, from one read.
        manages = membership is not None and membership.role in (
            Membership.Role.SOCIETY_ADMIN,
            Membership.Role.PLATFORM_ADMIN,
        )
        reviews = membership is not None and membership.role != Membership.Role.MEMBER
        return {
            "membership": membership,
            "manages": membership.national_society if manages else None,
            "reviews_access_log": reviews,
        }

    return {
        "account_nav": SimpleLazyObject(nav),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
