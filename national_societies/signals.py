"""Signal receivers, connected in NationalSocietiesConfig.ready()."""

from national_societies.services import user_sessions_end


def end_other_sessions_after_password_change(sender, request, user, **kwargs):
    """Changing or setting a password ends every other session of the user (a stolen session too)."""
    keep = request.session.session_key if request.user.is_authenticated and request.user.pk == user.pk else None
    user_sessions_end(user, keep_session_key=keep)


def end_all_sessions_after_password_reset(sender, request, user, **kwargs):
    user_sessions_end(user)
