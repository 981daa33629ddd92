from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared by every layer, importing nothing of ours; an app only for its template tags."""

    name = "core"
    verbose_name = "Core"
