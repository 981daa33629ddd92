from django.urls import path, register_converter

from . import views


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
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("search/", views.search, name="search"),
    path("help/", views.help_page, name="help"),
    path("how-to-use/", views.acknowledge_rules, name="acknowledge_rules"),
]
