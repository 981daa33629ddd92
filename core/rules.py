"""The shape of an access rule's answer, and the one exception for "not allowed".

Each rule is one function in a `permissions.py`, registered here under a name, that returns a
`Decision`: allowed, or denied with a reason a person can read. Services raise `NotAllowed` with that
reason, views and forms ask the same function, and templates ask it through `{% can %}`
(core/templatetags/rules.py) — so a rule is written once and enforced on the server.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self) -> None:
        """Raise NotAllowed with the reason unless allowed: for services."""
        if not self.allowed:
            raise NotAllowed(self.reason)


ALLOWED = Decision(True)


def denied(reason="") -> Decision:
    return Decision(False, str(reason))


def decide(condition: bool, reason="") -> Decision:
    return ALLOWED if condition else denied(reason)


class NotAllowed(PermissionDenied):
    """A service refused an action under an access rule. Views flash the reason (core.flash) or let
    Django answer 403; the access log records the denial like any other 403."""

    def __init__(self, reason=""):
        super().__init__(str(reason))
        self.reason = str(reason)


_RULES: dict = {}


def rule(name: str):
    """Register a permission function under `name` for the `{% can %}` template tag."""

    def register(function):
        _RULES[name] = function
        return function

    return register


def check(name: str, user, *args) -> Decision:
    """The rule registered as `name`, asked for `user` (and the object the rule is about)."""
    try:
        function = _RULES[name]
    except KeyError:
        raise LookupError(f"No access rule named {name!r}: registered are {sorted(_RULES)}") from None
    return function(user, *args)


class NotFound(Http404):
    """404 for what is missing or not the reader's, with the reason the access log records (the reader
    sees the same page either way: existence does not leak)."""

    def __init__(self, audit_reason="not found"):
        super().__init__()
        self.audit_reason = str(audit_reason)
