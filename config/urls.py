from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

import core.ids  # noqa: F401  (registers the "id" converter)
from core.admin import refusing_nul_characters
from national_societies import mfa_views
from national_societies import views as national_societies_views

from config import views

# The admin login goes through allauth, so it is rate-limited (and later, MFA-protected) too.
admin.site.login = secure_admin_login(admin.site.login)
# Every admin page answers 400 to a NUL character in its query string (list filters reach the database).
admin.site.admin_view = refusing_nul_characters(admin.site.admin_view)
admin.site.site_header = _("Key Messages administration")

# A database that does not answer: 503, "temporarily unavailable" (config/views.py).
handler500 = "config.views.server_error"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # The invited work address is the account's identity: it is shown, never changed by its owner.
    path("accounts/email/", national_societies_views.email_address, name="account_email_address"),
    # A privileged account's first authenticator: through a link sent to its work address.
    path("accounts/2fa/enrolment/", national_societies_views.mfa_enrolment_link, name="mfa_enrolment_link"),
    path("accounts/2fa/enrolment/<str:token>/", national_societies_views.mfa_enrolment_open, name="mfa_enrolment_open"),
    # The second step of signing in: allauth's, offering a security key only to someone who added one.
    path("accounts/2fa/authenticate/", mfa_views.authenticate, name="mfa_authenticate"),
    # "My sessions": allauth's page, recorded in the access log, and each session ended on its own.
    path("accounts/sessions/", national_societies_views.user_sessions, name="usersessions_list"),
    path("accounts/sessions/<id:session_id>/end/", national_societies_views.user_session_end, name="usersessions_end"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("national_societies.urls")),
    path("audit/", include("console.urls")),
    path("editorial/", include("messages_app.editorial.urls")),
    path("", include("messages_app.urls")),
]
