from django.urls import path

import core.identifiers  # noqa: F401  (registers the "identifier" converter)
import core.ids  # noqa: F401  (registers the "id" converter: a database id, else 404)

from messages_app.editorial import views

app_name = "editorial"
urlpatterns = [
    path("", views.editorial_home, name="home"),
    path("new-document/", views.document_new, name="document_new"),
    path("documents/<slug:document_slug>/settings/", views.document_settings, name="document_settings"),
    path("documents/<slug:document_slug>/drafts/new/", views.draft_start, name="draft_start"),
    path("documents/<slug:document_slug>/import/", views.draft_import, name="import"),
    path("documents/<slug:document_slug>/roles/", views.document_roles, name="roles"),
    path("documents/<slug:document_slug>/editions/<str:label>/export.yaml", views.edition_export, name="edition_export"),
    path("drafts/<id:draft_id>/", views.draft_detail, name="draft"),
    path("drafts/<id:draft_id>/preview/", views.draft_preview, name="preview"),
    path("drafts/<id:draft_id>/texts/", views.draft_frame, name="frame"),
    path("drafts/<id:draft_id>/topics/", views.draft_topics, name="topics"),
    path("drafts/<id:draft_id>/sections/new/", views.draft_section_new, name="section_new"),
    path("drafts/<id:draft_id>/sections/<slug:key>/", views.draft_section_edit, name="section_edit"),
    path("drafts/<id:draft_id>/sections/<slug:key>/move/", views.draft_section_move, name="section_move"),
    path("drafts/<id:draft_id>/messages/new/", views.draft_message_new, name="message_new"),
    path("drafts/<id:draft_id>/messages/<identifier:identifier>/", views.draft_message_edit, name="message_edit"),
    path("drafts/<id:draft_id>/messages/<identifier:identifier>/action/", views.draft_message_action, name="message_action"),
    path("drafts/<id:draft_id>/submit/", views.draft_submit, name="submit"),
    path("drafts/<id:draft_id>/review/", views.draft_review, name="review"),
    path("drafts/<id:draft_id>/reviews/<id:review_id>/resolve/", views.draft_review_resolve, name="review_resolve"),
    path("drafts/<id:draft_id>/publish/", views.draft_publish, name="publish"),
    path("drafts/<id:draft_id>/discard/", views.draft_discard, name="discard"),
    path("drafts/<id:draft_id>/export.yaml", views.draft_export, name="draft_export"),
]
