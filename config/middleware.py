"""Headers that keep the library out of search engines and shared caches."""


class NotPublicHeadersMiddleware:
    """Every dynamic response is private: never indexed, never stored by a cache.

    Static files are answered by whitenoise before this runs; they carry no content.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        return response
