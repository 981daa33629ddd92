"""The Celery app of the background jobs (`celery -A config worker`, `celery -A config beat`).

Settings are Django's, prefixed CELERY_ (config/settings/base.py, "Background jobs"); each app that
owns a job has a tasks.py, found by autodiscovery. Like the WSGI entry point, a worker started
without DJANGO_SETTINGS_MODULE runs the production settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
