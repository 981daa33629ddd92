"""Test settings: fast hashing, in-memory email, same middleware and policies as production."""

from config.settings.base import *  # noqa: F401,F403


DEBUG = False
SECRET_KEY = "test-only-secret-key-not-for-any-real-deployment-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Django's test set-up forces locmem anyway; the outbox's tests switch to the outbox backend, which
# then delivers to locmem too.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
OUTBOX_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A task queued by a test runs at once, in the test (no broker); errors surface in the test.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# Each test process gets its own cache so rate limits of one test do not leak into another.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders, without a collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The browser tests' live server is plain HTTP on localhost (a secure context for the browser).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
