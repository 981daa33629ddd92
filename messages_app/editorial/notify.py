"""Emails of the editorial workflow: who is told what. No message text is ever put in an email (the
document is not public): a link to the draft, and who did what.

Sent with `send_mail` inside the action's transaction: the app's email backend keeps them in an
outbox written in that transaction and sent by a background job.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection, send_mail
from django.utils import timezone
from django.template.loader import render_to_string
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from audit.context import current_request
from messages_app.catalogue.models import Edition
from messages_app.catalogue.permissions import document_readers_filter
from messages_app.editorial.models import DocumentRole
from national_societies.permissions import edition_notifications_of


def absolute_url(path: str) -> str:
    request = current_request()
    return request.build_absolute_uri(path) if request is not None else settings.SITE_URL + path


def _send(recipients, template: str, context: dict) -> None:
    for person in recipients:
        with translation.override(person.language or settings.LANGUAGE_CODE):
            subject = render_to_string(f"messages_app/editorial/email/{template}_subject.txt", context).strip()
            body = render_to_string(f"messages_app/editorial/email/{template}_message.txt", {**context, "person": person})
        send_mail(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [person.email])


def _people(document, kind, *, besides=None):
    people = get_user_model().objects.filter(
        is_active=True, document_roles__document=document, document_roles__kind=kind
    ).distinct()
    return people.exclude(pk=besides.pk) if besides is not None else people


def tell_reviewers(draft, *, submitted_by) -> None:
    context = {
        "draft": draft, "document": draft.document, "by": submitted_by,
        "url": absolute_url(reverse("editorial:draft", args=[draft.pk])),
    }
    _send(_people(draft.document, DocumentRole.Kind.REVIEWER, besides=submitted_by), "review_requested", context)


def tell_editors(draft, *, review) -> None:
    context = {
        "draft": draft, "document": draft.document, "review": review,
        "url": absolute_url(reverse("editorial:draft", args=[draft.pk])),
    }
    _send(_people(draft.document, DocumentRole.Kind.EDITOR, besides=review.reviewer), "review_given", context)


# --- Readers ---------------------------------------------------------------------------------------

DIGEST_DAYS = 7


def _readers():
    """Everyone who may read the library now: active accounts of active organisations."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__national_society__is_active=True)
        .select_related("membership")
        .order_by("pk")
    )


def _reader_ids(document):
    """Who reads `document` (its audience, its editors and reviewers; a retired one: fewer): nobody
    else is told of its editions, not even its title."""
    return get_user_model().objects.filter(document_readers_filter(document)).values_list("pk", flat=True).distinct()


def _email(person, template: str, context: dict) -> EmailMessage:
    with translation.override(person.language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"messages_app/editorial/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"messages_app/editorial/email/{template}_message.txt", {**context, "person": person})
    return EmailMessage(settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, body, None, [person.email])


def tell_readers_of_edition(edition) -> int:
    """An email to each reader who wants one per edition, in their language, sent with the publication
    (the outbox keeps them in its transaction). How many were written."""
    context = {"edition": edition, "document": edition.document, "url": absolute_url(reverse("messages:document", args=[edition.document.slug]))}
    emails = [
        _email(person, "edition_published", context)
        for person in _readers().filter(pk__in=_reader_ids(edition.document))
        if edition_notifications_of(person, person.membership.role) == "each"
    ]
    if emails:
        get_connection().send_messages(emails)
    return len(emails)


def send_edition_digests(now=None) -> int:
    """The weekly digest: to each reader who chose it, the editions published since their last digest
    (at most DIGEST_DAYS back, never before they joined). Safe to run twice or at once on two workers:
    each person's digest is claimed by moving their `edition_digest_sent_at` first."""
    now = now or timezone.now()
    recent = list(Edition.objects.filter(loaded_at__gt=now - timedelta(days=DIGEST_DAYS), loaded_at__lte=now).select_related("document").order_by("loaded_at"))
    if not recent:
        return 0
    people = get_user_model().objects
    readers_of = {document.pk: set(_reader_ids(document)) for document in {edition.document for edition in recent}}
    sent = 0
    for person in _readers():
        if edition_notifications_of(person, person.membership.role) != "digest":
            continue
        since = max(filter(None, [person.edition_digest_sent_at, person.date_joined, now - timedelta(days=DIGEST_DAYS)]))
        editions = [edition for edition in recent if edition.loaded_at > since and person.pk in readers_of[edition.document_id]]
        if not editions:
            continue
        with transaction.atomic():
            claimed = people.filter(pk=person.pk, edition_digest_sent_at=person.edition_digest_sent_at).update(edition_digest_sent_at=now)
            if not claimed:
                continue  # another run sent it
            context = {"editions": editions, "url": absolute_url(reverse("messages:home"))}
            get_connection().send_messages([_email(person, "edition_digest", context)])
        sent += 1
    return sent
