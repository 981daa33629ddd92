"""The library's URLs, one list per feature folder, under one namespace ("messages")."""

from messages_app.briefings.urls import urlpatterns as briefing_urls
from messages_app.notes.urls import urlpatterns as note_urls
from messages_app.printing.urls import urlpatterns as printing_urls
from messages_app.reading.urls import urlpatterns as reading_urls

app_name = "messages"
urlpatterns = [*reading_urls, *note_urls, *briefing_urls, *printing_urls]
