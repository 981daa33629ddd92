"""Production: refuses to start with a missing secret or with DEBUG on."""

from django.core.exceptions import ImproperlyConfigured

from config.settings.base import *  # noqa: F401,F403
from config.settings.base import AUDIT_READS_ENABLED, DEBUG, LOGGING, SECRET_KEY, env_bool, env_int, env_str

if DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG must be off in production.")
if not AUDIT_READS_ENABLED:
    raise ImproperlyConfigured("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT is for benchmarks: every read is recorded in production.")
if not SECRET_KEY or len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to a random value of at least 50 characters.")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

# Log lines as JSON objects carrying the request id, unless LOG_FORMAT=text.
if env_str("LOG_FORMAT", "json") == "json":
    LOGGING["handlers"]["console"]["formatter"] = "json"
