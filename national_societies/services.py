"""Writes to accounts and National Societies."""

from django.db import transaction

from .demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from .models import User


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, bool]]:
    """Create the documented demo accounts, or reset them to their documented state.

    Safe to run again: existing accounts get the demo password back and stay active.
    """
    result = []
    for email, first_name, last_name in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = user.is_superuser = email.startswith("platform@")
        user.save()
        result.append((email, created))
    return result
