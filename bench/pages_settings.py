"""Settings of bench/pages.py (never used by the application).

config.settings.test — the settings the test suite runs the full middleware stack with (DEBUG off,
ATOMIC_REQUESTS on, the production MIDDLEWARE list, static files without a collectstatic step) —
plus two things the in-process test client needs:

  * ROOT_URLCONF = bench.pages_urls: config.urls plus one bare login-required view (/bench/bare/),
    the baseline every page is compared with;
  * "testserver" (django.test.Client's host name) in ALLOWED_HOSTS, rather than calling
    setup_test_environment(), which would also instrument every template render.

The database comes from DATABASE_URL (read by config.settings.base), set by bench/pages.py.
Differences with base.py that touch a request: the locmem cache instead of the database cache
(the measured pages never use the cache; the login rate limits do, and the bench signs in with
force_login) and plain instead of manifest static-file URLs.
"""

from config.settings.test import *
from config.settings.test import ALLOWED_HOSTS

ROOT_URLCONF = "bench.pages_urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
