"""URLconf of bench/pages.py: the application's URLs plus a bare login-required view.

/bench/bare/ returns "ok" and nothing else. It is not marked login_not_required, so
LoginRequiredMiddleware (and every other middleware of the settings) treats it like any page of the
library: the difference between a page and this view is what the page itself costs.
"""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare, name="bench_bare"),
    path("", include("config.urls")),
]
