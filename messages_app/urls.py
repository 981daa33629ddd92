from django.urls import path, register_converter

from . import note_views, views


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
    path("messages/<identifier:identifier>/note/", note_views.message_note, name="message_note"),
    path("sections/<slug:key>/note/", note_views.section_note, name="section_note"),
    path("notes/", note_views.notes_overview, name="notes_overview"),
    path("notes/coverage/", note_views.notes_coverage, name="notes_coverage"),
    path("notes/<int:note_id>/history/", note_views.note_history, name="note_history"),
    path("notes/<int:note_id>/revisions/<int:number>/restore/", note_views.note_restore, name="note_restore"),
    path("notes/<int:note_id>/delete/", note_views.note_delete, name="note_delete"),
    path("notes/<int:note_id>/undelete/", note_views.note_undelete, name="note_undelete"),
    path("notes/<int:note_id>/confirm/", note_views.note_confirm_review, name="note_confirm_review"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("search/", views.search, name="search"),
    path("help/", views.help_page, name="help"),
    path("how-to-use/", views.acknowledge_rules, name="acknowledge_rules"),
]
