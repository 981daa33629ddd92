"""Reads of briefing packs: a user sees only their own briefings (another's answers 404)."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch
from django.http import Http404

from national_societies.permissions import membership_of

from messages_app.briefings.models import Briefing, BriefingItem
from messages_app.notes.models import ContextNote
from messages_app.catalogue.permissions import can_read_library


def briefing_list(*, fetched_by):
    if not can_read_library(fetched_by):
        raise Http404
    return Briefing.objects.filter(owner_id=fetched_by.pk).annotate(item_count=Count("items")).order_by("-updated_at", "-id")


def recent_briefings(*, fetched_by, limit: int = 20) -> list[Briefing]:
    """For the "add to briefing" menus."""
    return list(Briefing.objects.filter(owner_id=fetched_by.pk).only("id", "title").order_by("-updated_at", "-id")[:limit])


@dataclass
class BriefingPage:
    briefing: Briefing
    items: list  # BriefingItem with message, current_version, section; `.note` set when notes are included
    notes: list  # the society's notes shown, for the access log


def briefing_detail(*, fetched_by, briefing_id: int) -> BriefingPage:
    briefing = (
        Briefing.objects.filter(pk=briefing_id, owner_id=fetched_by.pk)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=BriefingItem.objects.select_related("message__current_version__edition", "message__section").order_by("position"),
            )
        )
        .first()
    )
    if briefing is None or not can_read_library(fetched_by):
        raise Http404
    items = list(briefing.items.all())
    notes = []
    if briefing.include_notes and items:
        membership = membership_of(fetched_by)
        by_message = {
            note.message_id: note
            for note in ContextNote.objects.filter(
                national_society_id=membership.national_society_id,
                deleted_at__isnull=True,
                message_id__in=[item.message_id for item in items],
            ).select_related("national_society", "anchored_version")
        }
        for item in items:
            item.note = by_message.get(item.message_id)
            if item.note:
                item.note.message = item.message
                notes.append(item.note)
    return BriefingPage(briefing, items, notes)
