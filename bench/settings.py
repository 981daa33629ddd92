"""Settings of the gunicorn servers that bench/throughput.py starts (never used by the application).

config.settings.local with DEBUG off, made production-like where it changes the work a request does:
static files served by WhiteNoise from a collected, hashed STATIC_ROOT (bench/.work/staticfiles,
so that the benchmark writes nothing outside bench/), no finders, no autorefresh.

Why not config.settings.production: it refuses to start with KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT
(on purpose), and both runs of the comparison must use the same settings. What production.py adds
on top of base.py is security flags only (HTTPS redirect, HSTS, Secure and __Host- cookies): headers
and cookie attributes, no extra database or template work, so they do not change the comparison.
The audit switch itself (AUDIT_READS_ENABLED, from KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT) comes from
config.settings.base, untouched.
"""

from config.settings.local import *  # noqa: F401,F403
from config.settings.local import BASE_DIR

DEBUG = False
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
STATIC_ROOT = BASE_DIR / "bench" / ".work" / "staticfiles"
