"""Who may read the canonical library."""

from django.utils.translation import gettext_lazy as _

from core.rules import Decision, decide, rule
from national_societies.viewer import viewer_of


@rule("library.read")
def can_read_library(user) -> Decision:
    """Any active account that belongs to an active organisation of the Movement.

    The document is not public: anonymous visitors never get content (LoginRequiredMiddleware
    already redirects them; this check is the second lock). An account without a membership (a
    bare superuser, say) or of a deactivated organisation reads nothing.
    """
    return decide(
        viewer_of(user).membership is not None,
        _("Your account holds no role in an active organisation of the Movement: ask your society admin."),
    )
