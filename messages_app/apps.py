from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagesAppConfig(AppConfig):
    name = "messages_app"
    verbose_name = _("Key messages")

    def ready(self):
        # Every feature's access rules registered for the {% can %} tag (core.rules) from the start,
        # not only once some view happened to import them.
        from messages_app.briefings import permissions as _briefings  # noqa: F401
        from messages_app.catalogue import permissions as _catalogue  # noqa: F401
        from messages_app.editorial import permissions as _editorial  # noqa: F401
        from messages_app.notes import permissions as _notes  # noqa: F401
