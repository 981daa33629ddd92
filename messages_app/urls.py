"""The library's URLs, one list per feature folder, under one namespace ("messages").

The pages of one document live under /documents/<document_slug>/; the library's home, search,
briefings and the society's notes span documents. The single-document library's URLs (/messages/…,
/sections/…, /topics/…, /print/…) answer with a permanent redirect to the first document's pages.
"""

from django.urls import include, path, re_path

from messages_app.briefings.urls import urlpatterns as briefing_urls
from messages_app.notes.urls import document_urlpatterns as document_note_urls
from messages_app.notes.urls import urlpatterns as note_urls
from messages_app.printing.urls import document_urlpatterns as document_printing_urls
from messages_app.printing.urls import urlpatterns as printing_urls
from messages_app.reading.urls import document_urlpatterns as document_reading_urls
from messages_app.reading.urls import urlpatterns as reading_urls
from messages_app.reading.views import legacy_redirect

app_name = "messages"

document_urls = [*document_reading_urls, *document_note_urls, *document_printing_urls]

# What the single-document library served at these paths, now one document's pages.
legacy_urls = [
    re_path(
        r"^(?:messages|sections|topics)/.*$|^(?:topics|changes|help|how-to-use|print|print/pdf|notes/coverage|edition-notice/dismiss)/$",
        legacy_redirect,
    ),
]

urlpatterns = [
    *reading_urls,
    *note_urls,
    *briefing_urls,
    *printing_urls,
    path("documents/<slug:document_slug>/", include(document_urls)),
    *legacy_urls,
]
