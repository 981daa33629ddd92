"""Where a `next` parameter may send the user: a path on this site, nothing else."""

from django.utils.http import url_has_allowed_host_and_scheme


def local_next_url(request, value: str) -> str:
    """`value` if it is a path on this site ("/…"), else "". Never another site, never a line break or
    other control character, and never handed to `redirect()` as a view name: "9999-12-31" or "-1" is
    not a place to go (`redirect` raised NoReverseMatch on them)."""
    value = (value or "").strip()
    if not value.startswith("/") or any(ord(char) < 0x20 or ord(char) == 0x7F for char in value):
        return ""
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return value
