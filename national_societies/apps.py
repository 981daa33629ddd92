from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalSocietiesConfig(AppConfig):
    name = "national_societies"
    verbose_name = _("National Societies and accounts")

    def ready(self):
        from allauth.account.signals import password_changed, password_reset, password_set
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals as auth_signals

        from audit.services import set_actor_resolver
        from national_societies import account_events, signals
        from national_societies.viewer import actor_of
        from national_societies.middleware import session_timestamps_reset

        set_actor_resolver(actor_of)
        password_changed.connect(signals.end_other_sessions_after_password_change, dispatch_uid="km_pw_changed")
        password_set.connect(signals.end_other_sessions_after_password_change, dispatch_uid="km_pw_set")
        password_reset.connect(signals.end_all_sessions_after_password_reset, dispatch_uid="km_pw_reset")
        auth_signals.user_logged_in.connect(session_timestamps_reset, dispatch_uid="km_session_clock")

        # Account events in the access log: sign-in and out, MFA, passwords.
        auth_signals.user_logged_in.connect(account_events.logged_in, dispatch_uid="audit_logged_in")
        auth_signals.user_logged_out.connect(account_events.logged_out, dispatch_uid="audit_logged_out")
        auth_signals.user_login_failed.connect(account_events.login_failed, dispatch_uid="audit_login_failed")
        mfa_signals.authenticator_added.connect(account_events.mfa_added, dispatch_uid="audit_mfa_added")
        mfa_signals.authenticator_removed.connect(account_events.mfa_removed, dispatch_uid="audit_mfa_removed")
        mfa_signals.authenticator_used.connect(account_events.mfa_used, dispatch_uid="audit_mfa_used")
        mfa_signals.authentication_failed.connect(account_events.mfa_failed, dispatch_uid="audit_mfa_failed")
        for signal in (password_changed, password_set, password_reset):
            signal.connect(account_events.password_changed, dispatch_uid=f"audit_{id(signal)}")
