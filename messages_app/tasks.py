"""The library's periodic jobs (config/settings/base.py, CELERY_BEAT_SCHEDULE). Thin: each calls the
service its management command calls; both are safe to run twice or at the same time."""

from celery import shared_task

from messages_app.editorial.notify import send_edition_digests
from messages_app.editorial.services import publish_due_drafts


@shared_task
def publish_due_editions() -> str:
    """Every minute: the drafts whose scheduled time has come (each locked while it is published)."""
    editions = publish_due_drafts()
    return "; ".join(f"published {e.document.slug} edition {e.label}" for e in editions) or "Nothing due."


@shared_task
def send_edition_digests_task() -> str:
    """Weekly: the digest of new editions to the readers who chose it (each person's claimed first)."""
    return f"{send_edition_digests()} digest(s) sent."
