"""Who may read the canonical library."""

from national_societies.permissions import membership_of


def can_read_library(user) -> bool:
    """Any active account that belongs to an active organisation of the Movement.

    The document is not public: anonymous visitors never get content (LoginRequiredMiddleware
    already redirects them; this check is the second lock). An account without a membership (a
    bare superuser, say) or of a deactivated organisation reads nothing.
    """
    return membership_of(user) is not None
