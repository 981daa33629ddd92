from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsoleConfig(AppConfig):
    """The access-log review console: the pages and alerts that read the log (the log itself: audit)."""

    name = "console"
    verbose_name = _("Access-log console")
