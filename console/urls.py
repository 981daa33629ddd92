from django.urls import path

import core.identifiers  # noqa: F401  (registers the "identifier" converter)
import core.ids  # noqa: F401  (registers the "id" converter: a database id, else 404)

from console import views

app_name = "console"
urlpatterns = [
    path("", views.events, name="events"),
    path("export.csv", views.export, name="export"),
    path("messages/<identifier:identifier>/", views.message_readers, name="message_readers"),
    path("organisations/", views.regional_overview, name="regional_overview"),
    path("organisations/<slug:organisation_slug>/", views.organisation, name="organisation"),
    path("flags/", views.flags, name="flags"),
    path("flags/<id:flag_id>/", views.flag, name="flag"),
    path("flags/<id:flag_id>/triage/", views.flag_triage, name="flag_triage"),
]
