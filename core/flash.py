"""How an action went, told to the user: the shape every "act, then go back" view shares."""

from django.contrib import messages
from django.core.exceptions import ValidationError

from core.rules import NotAllowed


def flash_outcome(request, action, success) -> bool:
    """Run `action` (a service call) and flash its refusal (a ValidationError, or NotAllowed with its
    reason) or `success`.

    `success` is a message, or a function of the action's result (a count, say). True if it ran.
    """
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    except NotAllowed as refusal:
        messages.error(request, refusal.reason)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True
