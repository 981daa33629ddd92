from django.conf import settings
from django.utils.functional import SimpleLazyObject

from console.permissions import membership_reviews_access_log
from national_societies.permissions import membership_manages_own_society, membership_of


def account(request):
    """The signed-in user's membership for the navigation (read lazily) and the session policy."""
    user = getattr(request, "user", None)

    def nav():
        # One read of the membership; the rules themselves live in the permissions modules.
        membership = membership_of(user)
        return {
            "membership": membership,
            "manages": membership.national_society if membership_manages_own_society(membership) else None,
            "reviews_access_log": membership_reviews_access_log(membership),
        }

    return {
        "account_nav": SimpleLazyObject(nav),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
        "absolute_hours": settings.SESSION_ABSOLUTE_TIMEOUT // 3600,
    }
