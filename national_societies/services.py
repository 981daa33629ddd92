"""Writes to accounts and National Societies."""

from django.db import transaction

from .demo import DEMO_ACCOUNTS, DEMO_DOMAINS, DEMO_PASSWORD
from .models import AllowedDomain, Membership, NationalSociety, User


@transaction.atomic
def demo_accounts_ensure() -> list[tuple[str, bool]]:
    """Create the documented demo accounts, or reset them to their documented state.

    Each account gets its organisation and role; the Colombian and Mexican Red Cross get their demo
    email domains. Safe to run again: existing accounts get the demo password, organisation and role
    back and stay active. The organisations themselves come from the data migration and must exist.
    """
    slugs = {slug for _, _, _, slug, _ in DEMO_ACCOUNTS} | {slug for slug, _ in DEMO_DOMAINS}
    organisations = NationalSociety.objects.in_bulk(slugs, field_name="slug")
    if missing := slugs - organisations.keys():
        raise NationalSociety.DoesNotExist(
            f"Organisations missing: {', '.join(sorted(missing))}. Run `manage.py migrate` first."
        )
    for slug, domain in DEMO_DOMAINS:
        AllowedDomain.objects.update_or_create(
            domain=domain, defaults={"national_society": organisations[slug]}
        )
    result = []
    for email, first_name, last_name, slug, role in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name}
        )
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.is_staff = user.is_superuser = role == Membership.Role.PLATFORM_ADMIN
        user.save()
        Membership.objects.update_or_create(
            user=user, defaults={"national_society": organisations[slug], "role": role}
        )
        result.append((email, created))
    return result
