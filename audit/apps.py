from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Access log")

    def ready(self):
        from allauth.account.signals import password_changed, password_reset, password_set
        from allauth.mfa import signals as mfa_signals
        from django.contrib.auth import signals as auth_signals

        from . import signals

        auth_signals.user_logged_in.connect(signals.logged_in, dispatch_uid="audit_logged_in")
        auth_signals.user_logged_out.connect(signals.logged_out, dispatch_uid="audit_logged_out")
        auth_signals.user_login_failed.connect(signals.login_failed, dispatch_uid="audit_login_failed")
        mfa_signals.authenticator_added.connect(signals.mfa_added, dispatch_uid="audit_mfa_added")
        mfa_signals.authenticator_removed.connect(signals.mfa_removed, dispatch_uid="audit_mfa_removed")
        mfa_signals.authenticator_used.connect(signals.mfa_used, dispatch_uid="audit_mfa_used")
        mfa_signals.authentication_failed.connect(signals.mfa_failed, dispatch_uid="audit_mfa_failed")
        for signal in (password_changed, password_set, password_reset):
            signal.connect(signals.password_changed, dispatch_uid=f"audit_{id(signal)}")
