from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalSocietiesConfig(AppConfig):
    name = "national_societies"
    verbose_name = _("National Societies and accounts")

    def ready(self):
        from allauth.account.signals import password_changed, password_reset, password_set
        from django.contrib.auth.signals import user_logged_in

        from . import signals
        from .middleware import session_timestamps_reset

        password_changed.connect(signals.end_other_sessions_after_password_change, dispatch_uid="km_pw_changed")
        password_set.connect(signals.end_other_sessions_after_password_change, dispatch_uid="km_pw_set")
        password_reset.connect(signals.end_all_sessions_after_password_reset, dispatch_uid="km_pw_reset")
        user_logged_in.connect(session_timestamps_reset, dispatch_uid="km_session_clock")
