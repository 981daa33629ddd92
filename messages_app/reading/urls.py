from django.urls import path

import core.identifiers  # noqa: F401  (registers the "identifier" converter)

from messages_app.reading import views

# Pages of one document, under /documents/<document_slug>/ (messages_app/urls.py).
document_urlpatterns = [
    path("", views.document_home, name="document"),
    path("edition-notice/dismiss/", views.edition_notice_dismiss, name="edition_notice_dismiss"),
    path("sections/<slug:key>/", views.section, name="section"),
    path("messages/<identifier:identifier>/", views.detail, name="detail"),
    path("messages/<identifier:identifier>/versions/<int:number>/", views.version, name="version"),
    path("messages/<identifier:identifier>/compare/", views.compare, name="compare"),
    path("messages/<identifier:identifier>/copied/", views.copied, name="copied"),
    path("messages/<identifier:identifier>/social/", views.social, name="social"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("changes/", views.changes, name="changes"),
    path("changes/seen/", views.changes_seen, name="changes_seen"),
    path("help/", views.help_page, name="help"),
    path("how-to-use/", views.acknowledge_rules, name="acknowledge_rules"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
]
