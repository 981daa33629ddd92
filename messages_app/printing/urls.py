from django.urls import path

import core.identifiers  # noqa: F401  (registers the "identifier" converter)
import core.ids  # noqa: F401  (registers the "id" converter: a database id, else 404)

from messages_app.printing import views

# Pages of one document, under /documents/<document_slug>/ (messages_app/urls.py).
document_urlpatterns = [
    path("sections/<slug:key>/print/", views.section_print, name="section_print"),
    path("sections/<slug:key>/pdf/", views.section_pdf, name="section_pdf"),
    path("print/", views.document_print, name="document_print"),
    path("print/pdf/", views.document_pdf, name="document_pdf"),
]

urlpatterns = [
    path("briefings/<id:briefing_id>/print/", views.briefing_print, name="briefing_print"),
    path("briefings/<id:briefing_id>/pdf/", views.briefing_pdf, name="briefing_pdf"),
    path("print/marks/<str:trace_code>.css", views.print_marks, name="print_marks"),
]
