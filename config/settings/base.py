"""Settings shared by every environment. Environment variables are all read here, once."""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.settings.database import database_settings, redis_cache_settings
from config.settings.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# --- Environment ----------------------------------------------------------------------------
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# Previous secret keys, comma-separated: they still verify sessions and links, and decrypt MFA secrets
# until `manage.py reencrypt_mfa_secrets` has run (see docs/DEPLOYMENT.md).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'keymessages.sqlite3'}")
REDIS_URL = env_str("REDIS_URL")
# The queue of the background jobs (config/celery.py): Redis, the same server as the cache by default.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
# How emails finally leave (SMTP by default). The app itself always sends through the outbox
# (EMAIL_BACKEND below), whose worker delivers with this backend.
OUTBOX_DELIVERY_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# The address people open the app at, for links in emails sent outside a request (background jobs:
# the alerts digest, scheduled editions, the weekly digest). Production requires it (production.py).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Key Messages <no-reply@keymessages.invalid>")
# Emails kept this long after they were sent (or given up on), then deleted: they carry sign-in links.
OUTBOX_KEEP_DAYS = env_int("OUTBOX_KEEP_DAYS", 7)
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
# /metrics: the bearer of this token, or a client of these networks (config/observability.py).
METRICS_TOKEN = env_str("METRICS_TOKEN")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS") or ["127.0.0.1/32", "::1/128"]
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env_int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", 12 * 60 * 60)
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 7)
# Invitations of a batch (a list pasted or uploaded at once) sent by each run of the job, every minute.
INVITATION_BATCH_RATE = env_int("INVITATION_BATCH_RATE", 20)
# A privileged account's first authenticator is set up through an emailed link valid this long.
MFA_ENROLMENT_LINK_MINUTES = env_int("MFA_ENROLMENT_LINK_MINUTES", 30)
DORMANT_ACCOUNT_DAYS = env_int("DORMANT_ACCOUNT_DAYS", 180)
DORMANT_WARNING_DAYS = env_int("DORMANT_WARNING_DAYS", 30)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 5 * 365)
# Where the daily job writes the archives of events older than AUDIT_RETENTION_DAYS: back it up.
AUDIT_ARCHIVE_DIR = Path(env_str("AUDIT_ARCHIVE_DIR", str(BASE_DIR / "var" / "archive")))
AUDIT_SEAL_GRACE_SECONDS = env_int("AUDIT_SEAL_GRACE_SECONDS", 10)
# Only for bench/throughput.py's comparison run; production.py refuses to start with it.
AUDIT_READS_ENABLED = not env_bool("KEYMESSAGES_BENCHMARK_WITHOUT_AUDIT", False)
# Alert rules of the access log (see console/alerts.py); thresholds are "more than".
AUDIT_ALERTS = {
    "many_messages": {"messages": env_int("AUDIT_ALERT_MESSAGES", 30), "minutes": env_int("AUDIT_ALERT_MESSAGES_MINUTES", 10)},
    "many_exports": {"per_day": env_int("AUDIT_ALERT_EXPORTS_PER_DAY", 10)},
    "repeated_denials": {"count": env_int("AUDIT_ALERT_DENIALS", 10), "minutes": 60},
    "failed_logins": {"count": env_int("AUDIT_ALERT_FAILED_LOGINS", 5), "minutes": 15},
    "new_network": {"prefix_v4": 24, "prefix_v6": 48, "lookback_days": 90},
}
# ---------------------------------------------------------------------------------------------


INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's security-key list
    "django.contrib.postgres",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "core",
    "national_societies",
    "messages_app",
    "audit",
    "outbox",
    "console",
]

MIDDLEWARE = [
    # Outermost: counts every request, whatever answers it.
    "config.observability.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Binds the request to the access log; turns a failed audit write into an error page.
    "audit.middleware.AuditMiddleware",
    "national_societies.middleware.UserLanguageMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Order matters: an expired session ends before anything else; MFA setup comes before the rules.
    "national_societies.middleware.SessionTimeoutMiddleware",
    "national_societies.middleware.PrivilegedMFARequiredMiddleware",
    "messages_app.catalogue.middleware.RulesAcknowledgementMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.NotPublicHeadersMiddleware",
    # Innermost: HEAD and prefetch requests to library pages get no text (and so record no read).
    "messages_app.catalogue.middleware.SilentReadsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.context_processors.account",
                "messages_app.translations.context_processors.content_language",
            ],
        },
    },
]

# One transaction per request (ATOMIC_REQUESTS); on SQLite, WAL, BEGIN IMMEDIATE and a busy timeout
# so that concurrent requests wait their turn instead of failing (config/settings/database.py).
DATABASES = {"default": database_settings(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions live in the database so that they can be revoked on the server; the cache that
# login rate limits use must be shared by every worker: the database cache unless Redis is set.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if REDIS_URL:
    CACHES = {"default": redis_cache_settings(REDIS_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "keymessages_cache",
        }
    }

AUTH_USER_MODEL = "national_societies.User"
# Django's and allauth's backends, reading the signed-in user with their membership in one query.
# (Sessions signed in before this setting name the old backends: their users sign in again once.)
AUTHENTICATION_BACKENDS = [
    "national_societies.backends.MembershipModelBackend",
    "national_societies.backends.MembershipAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "messages:home"

# --- django-allauth (65.x) --------------------------------------------------------------------
ACCOUNT_ADAPTER = "national_societies.adapters.InvitationOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# The address an account was created for is its identity: no second, personal address.
ACCOUNT_MAX_EMAIL_ADDRESSES = 1
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_PREVENT_ENUMERATION = True
# A password reset asked for an unknown address sends nothing (not a "sign up instead" email: accounts
# come only by invitation); the page answers the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/5m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Key Messages] "
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
ACCOUNT_FORMS = {"signup": "national_societies.forms.InvitationSignupForm"}
# A password change or reset ends the user's other sessions (see national_societies.signals).
USERSESSIONS_TRACK_ACTIVITY = False  # SessionTimeoutMiddleware records activity, once a minute
MFA_ADAPTER = "national_societies.adapters.EncryptedSecretsMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
# Security keys and passkeys as a second factor, beside the TOTP every privileged role must keep
# (a key can be lost; TOTP and recovery codes are the way back in). Not a password replacement.
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_PASSKEY_SIGNUP_ENABLED = False
# WebAuthn refuses plain HTTP origins; local.py and the tests allow them for http://localhost only.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_TOTP_TOLERANCE = 1  # accept the previous and next 30-second code: phones drift
MFA_TOTP_ISSUER = "Key Messages (Red Cross Americas)"

# --- Email: every email waits in the outbox (outbox/), a worker delivers it ----------------------
EMAIL_BACKEND = "outbox.backends.OutboxEmailBackend"
if OUTBOX_DELIVERY_BACKEND == EMAIL_BACKEND:
    raise ImproperlyConfigured("EMAIL_BACKEND names how the outbox delivers: a real backend (SMTP), not the outbox.")
# A failed delivery is retried after 1, 2, 4… minutes, then hourly: given up after about a day.
OUTBOX_MAX_ATTEMPTS = 30
# A mail server that stops answering fails the attempt (retried later) instead of holding the worker
# and the email's row lock.
EMAIL_TIMEOUT = 30

# --- Background jobs (Celery; config/celery.py) ------------------------------------------------
CELERY_TIMEZONE = "UTC"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True  # no result backend: the jobs' effects are in the database
# A task is acknowledged once done, so a worker that dies mid-task leaves it to another (every job
# is safe to run twice); one task at a time per worker process, so a long one holds up nothing else.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 10 * 60
CELERY_TASK_TIME_LIMIT = 15 * 60
# Redis hands an unacknowledged task to another worker after this long: longer than any task.
# A request queuing an email's delivery gives up on an unreachable Redis quickly (the sweep delivers it).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3 * 60 * 60, "socket_connect_timeout": 5}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Archiving needs the owner of the tables (it holds the archive permit): its own queue, for a worker
# that connects as the owner (docker-compose.yml's `archiver`). Everything else runs as the app.
CELERY_TASK_ROUTES = {"audit.tasks.archive_audit_log": {"queue": "archive"}}
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
# A job missed while the workers were down is not worth running several times over: the
# every-minute ones expire after a minute (the next one catches up), the others after a few hours.
CELERY_BEAT_SCHEDULE = {
    "seal the access log": {"task": "audit.tasks.seal_audit_log", "schedule": crontab(), "options": {"expires": 60}},
    "deliver the emails due": {"task": "outbox.tasks.deliver_due_emails", "schedule": crontab(), "options": {"expires": 60}},
    "send the access-log alerts": {"task": "console.tasks.send_audit_alerts", "schedule": crontab(minute=5), "options": {"expires": 3600}},
    "suspend dormant accounts": {"task": "national_societies.tasks.suspend_dormant_accounts", "schedule": crontab(minute=15, hour=3), "options": {"expires": 6 * 3600}},
    "delete old emails": {"task": "outbox.tasks.delete_old_emails", "schedule": crontab(minute=30, hour=3), "options": {"expires": 6 * 3600}},
    # Archives what AUDIT_RETENTION_DAYS lets go (usually nothing; a day's worth once the log is old enough).
    "archive the access log": {"task": "audit.tasks.archive_audit_log", "schedule": crontab(minute=45, hour=3), "options": {"expires": 6 * 3600}},
    # Also queued once when a batch is confirmed, so that its first invitations leave at once.
    "send the invitation batches": {"task": "national_societies.tasks.send_invitation_batches", "schedule": crontab(), "options": {"expires": 60}},
    "publish the editions due": {"task": "messages_app.tasks.publish_due_editions", "schedule": crontab(), "options": {"expires": 60}},
    "send the weekly digest of new editions": {
        "task": "messages_app.tasks.send_edition_digests_task", "schedule": crontab(minute=0, hour=7, day_of_week="mon"),
        "options": {"expires": 12 * 3600},
    },
}

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("pt-br", "Português")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (whitenoise; nothing from a CDN) ---------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- "Not public" headers ---------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
    }
}

# --- Content ---------------------------------------------------------------------------------
KEY_MESSAGES_CONTENT_FILE = BASE_DIR / "messages_app" / "content" / "key-messages.yaml"
# The language the canonical document is written in: the reference. The other LANGUAGES may carry
# official translations, loaded from translation files with the same loader.
KEY_MESSAGES_ORIGINAL_LANGUAGE = "en"
SEARCH_RESULTS_PER_PAGE = 20

# LOG_FORMAT=json (the production default): one JSON object per line, with the request's id.
LOG_FORMAT = env_str("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.log_format.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", **({"formatter": "json"} if LOG_FORMAT == "json" else {})}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
