"""Development on a laptop: SQLite under var/, emails printed to the console."""

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import SECRET_KEY, env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
# A fixed development key is fine here: production.py refuses to start without its own.
SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
# Emails still go through the outbox, and jobs queued by the app (the outbox's delivery) run at once,
# in its process: `make run` needs no Redis and no worker, and prints each email to the console.
OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.console.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
# Serve static files from the finders, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# `make run` serves plain HTTP on 127.0.0.1: let security keys work there (never in production).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
