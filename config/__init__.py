# Loaded with Django, so that tasks queued by the app (`deliver_email.delay`) use this Celery app.
from config.celery import app as celery_app

__all__ = ("celery_app",)
