"""Who may read the canonical library."""


def can_read_library(user) -> bool:
    """Any signed-in, active account of the Movement may read the canonical messages.

    The document is not public: anonymous visitors never get content (LoginRequiredMiddleware
    already redirects them; this check is the second lock).
    """
    return bool(user and user.is_authenticated and user.is_active)
