from django.urls import path

import core.identifiers  # noqa: F401  (registers the "identifier" converter)
import core.ids  # noqa: F401  (registers the "id" converter: a database id, else 404)

from messages_app.notes import views

# Pages of one document, under /documents/<document_slug>/ (messages_app/urls.py).
document_urlpatterns = [
    path("messages/<identifier:identifier>/note/", views.message_note, name="message_note"),
    path("sections/<slug:key>/note/", views.section_note, name="section_note"),
    path("notes/coverage/", views.notes_coverage, name="notes_coverage"),
]

urlpatterns = [
    path("notes/", views.notes_overview, name="notes_overview"),
    path("notes/<id:note_id>/history/", views.note_history, name="note_history"),
    path("notes/<id:note_id>/revisions/<int:number>/restore/", views.note_restore, name="note_restore"),
    path("notes/<id:note_id>/delete/", views.note_delete, name="note_delete"),
    path("notes/<id:note_id>/undelete/", views.note_undelete, name="note_undelete"),
    path("notes/<id:note_id>/confirm/", views.note_confirm_review, name="note_confirm_review"),
]
