"""The request being served, so that services can record where an action came from without
taking the request as an argument: client IP, user agent and a request id."""

import ipaddress
import uuid
from contextvars import ContextVar

from django.conf import settings

_current_request: ContextVar = ContextVar("audit_current_request", default=None)


def current_request():
    return _current_request.get()


def bind_request(request):
    request.audit_request_id = uuid.uuid4().hex
    return _current_request.set(request)


def unbind_request(token):
    _current_request.reset(token)


def client_ip(request) -> str | None:
    """The client's address: the configured number of trusted proxies' X-Forwarded-For entry, else
    the connecting address. A malformed header never fails the request: it is ignored."""
    proxies = settings.TRUSTED_PROXY_COUNT
    candidate = None
    forwarded = request.headers.get("x-forwarded-for", "")
    if proxies > 0 and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        if len(hops) >= proxies:
            candidate = hops[-proxies]
    for value in (candidate, request.META.get("REMOTE_ADDR")):
        try:
            address = ipaddress.ip_address((value or "").strip())
        except ValueError:
            continue
        if address.version == 6:
            # An IPv4 client seen through a dual-stack socket (::ffff:203.0.113.7) is the IPv4
            # address it is: stored as such, so that per-network rules (the /24 of the sign-in
            # alert) see it, instead of one IPv6 /48 shared by every IPv4 client. A zone
            # ("fe80::1%eth0") names an interface of our host, not the client: dropped, as the
            # model field would drop it when saving.
            address = address.ipv4_mapped or ipaddress.IPv6Address(str(address).split("%", 1)[0])
        return str(address)
    return None
