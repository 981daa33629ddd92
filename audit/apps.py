from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access log: the bottom layer every feature writes to through `audit_record`."""

    name = "audit"
    verbose_name = _("Access log")
