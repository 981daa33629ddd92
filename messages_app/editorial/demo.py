"""The demo editor and reviewer of the migration document (a newcomer's machine only)."""

from django.db import transaction

from messages_app.catalogue.models import Document
from messages_app.editorial.models import DocumentRole
from national_societies.demo import DEMO_EDITORIAL_ACCOUNTS, MEMBER
from national_societies.models import Membership, NationalSociety
from national_societies.services import demo_account_ensure


@transaction.atomic
def demo_editorial_ensure() -> list[tuple[str, bool]]:
    """Create (or reset) the demo editor and reviewer with TOTP on the demo secret and their role on
    the document. The document must be loaded."""
    result = []
    for email, first_name, last_name, organisation_slug, document_slug, kind in DEMO_EDITORIAL_ACCOUNTS:
        document = Document.objects.get(slug=document_slug)
        user, created = demo_account_ensure(
            email=email, first_name=first_name, last_name=last_name,
            organisation=NationalSociety.objects.get(slug=organisation_slug), role=MEMBER, with_totp=True,
        )
        DocumentRole.objects.filter(user=user).exclude(document=document, kind=kind).delete()
        DocumentRole.objects.get_or_create(user=user, document=document, kind=kind)
        Membership.objects.filter(user=user).update(holds_document_role=True)
        result.append((email, created))
    return result
