from django.urls import path

from messages_app.urls import IdentifierConverter  # noqa: F401  (registers the "identifier" converter)

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.events, name="events"),
    path("export.csv", views.export, name="export"),
    path("messages/<identifier:identifier>/", views.message_readers, name="message_readers"),
    path("organisations/<slug:organisation_slug>/", views.organisation, name="organisation"),
    path("flags/", views.flags, name="flags"),
    path("flags/<int:flag_id>/", views.flag, name="flag"),
]
