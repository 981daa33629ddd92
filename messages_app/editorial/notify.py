"""Emails of the editorial workflow: who is told what. No message text is ever put in an email (the
document is not public): a link to the draft, and who did what.

Sent with `send_mail` inside the action's transaction: the app's email backend keeps them in an
outbox written in that transaction and sent by a background job.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from audit.context import current_request
from messages_app.editorial.models import DocumentRole


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
