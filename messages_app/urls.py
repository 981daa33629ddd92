from django.urls import path, register_converter

from . import briefing_views, note_views, views


class IdentifierConverter:
    regex = r"[A-Za-z]{2,5}-\d{2}(?:\.\d{1,2})?"

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value


register_converter(IdentifierConverter, "identifier")

app_name = "messages"
urlpatterns = [
    path("", views.home, name="home"),
    path("sections/<slug:key>/", views.section, name="section"),
    path("messages/<identifier:identifier>/", views.detail, name="detail"),
    path("messages/<identifier:identifier>/versions/<int:number>/", views.version, name="version"),
    path("messages/<identifier:identifier>/copied/", views.copied, name="copied"),
    path("messages/<identifier:identifier>/social/", views.social, name="social"),
    path("messages/<identifier:identifier>/note/", note_views.message_note, name="message_note"),
    path("sections/<slug:key>/note/", note_views.section_note, name="section_note"),
    path("notes/", note_views.notes_overview, name="notes_overview"),
    path("notes/coverage/", note_views.notes_coverage, name="notes_coverage"),
    path("notes/<int:note_id>/history/", note_views.note_history, name="note_history"),
    path("notes/<int:note_id>/revisions/<int:number>/restore/", note_views.note_restore, name="note_restore"),
    path("notes/<int:note_id>/delete/", note_views.note_delete, name="note_delete"),
    path("notes/<int:note_id>/undelete/", note_views.note_undelete, name="note_undelete"),
    path("notes/<int:note_id>/confirm/", note_views.note_confirm_review, name="note_confirm_review"),
    path("briefings/", briefing_views.briefing_list, name="briefings"),
    path("briefings/new/", briefing_views.briefing_new, name="briefing_new"),
    path("briefings/add/", briefing_views.briefing_add, name="briefing_add"),
    path("briefings/<int:briefing_id>/", briefing_views.briefing_detail, name="briefing"),
    path("briefings/<int:briefing_id>/items/<int:item_id>/", briefing_views.briefing_item, name="briefing_item"),
    path("briefings/<int:briefing_id>/duplicate/", briefing_views.briefing_duplicate, name="briefing_duplicate"),
    path("briefings/<int:briefing_id>/delete/", briefing_views.briefing_delete, name="briefing_delete"),
    path("briefings/<int:briefing_id>/print/", briefing_views.briefing_print, name="briefing_print"),
    path("briefings/<int:briefing_id>/pdf/", briefing_views.briefing_pdf, name="briefing_pdf"),
    path("sections/<slug:key>/print/", briefing_views.section_print, name="section_print"),
    path("sections/<slug:key>/pdf/", briefing_views.section_pdf, name="section_pdf"),
    path("print/", briefing_views.document_print, name="document_print"),
    path("print/pdf/", briefing_views.document_pdf, name="document_pdf"),
    path("print/marks/<str:trace_code>.css", briefing_views.print_marks, name="print_marks"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("search/", views.search, name="search"),
    path("changes/", views.changes, name="changes"),
    path("help/", views.help_page, name="help"),
    path("how-to-use/", views.acknowledge_rules, name="acknowledge_rules"),
]
