"""Reads of briefing packs: a user sees only their own briefings (another's answers 404)."""

from dataclasses import dataclass

from django.db.models import Count, Max, Prefetch
from django.http import Http404

from national_societies.viewer import viewer_of

from messages_app.briefings.models import Briefing, BriefingItem
from messages_app.notes.models import ContextNote
from messages_app.briefings.permissions import can_use_briefing
from messages_app.catalogue.selectors import documents_for_reader, require_reader


def briefing_list(*, fetched_by):
    require_reader(fetched_by)
    return Briefing.objects.filter(owner_id=fetched_by.pk).annotate(item_count=Count("items")).order_by("-updated_at", "-id")


@dataclass
class BriefingMenu:
    briefings: list  # the user's most recently changed briefings
    last_used_id: int | None  # the one they last added a message to, chosen in the menu


def briefing_menu(*, fetched_by, limit: int = 20) -> BriefingMenu:
    """For the "Add to a briefing" menus, in one query: the user's briefings, and the one they last
    added a message to (it holds their newest item: item ids only grow, and moving an item keeps it)."""
    briefings = list(
        Briefing.objects.filter(owner_id=fetched_by.pk)
        .annotate(newest_item=Max("items__id"))
        .only("id", "title")
        .order_by("-updated_at", "-id")[:limit]
    )
    used = [briefing for briefing in briefings if briefing.newest_item is not None]
    last_used = max(used, key=lambda briefing: briefing.newest_item, default=None)
    return BriefingMenu(briefings, last_used.pk if last_used else None)


@dataclass
class BriefingPage:
    """Each item's message also carries the item's `talking_points`, for the pages that are given the
    messages alone (the print)."""

    briefing: Briefing
    items: list  # BriefingItem with message, current_version, section; `.note` set when notes are included
    notes: list  # the society's notes shown, for the access log
    withheld: int = 0  # items of documents the user no longer reads (audience changed): not shown


def access_briefing_by_id(*, fetched_by, briefing_id: int) -> BriefingPage:
    """The user's own briefing with its items; 404 alike for a missing briefing and another's."""
    require_reader(fetched_by)
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
    if briefing is None or not can_use_briefing(fetched_by, briefing):
        raise Http404
    readable = {document.pk for document in documents_for_reader(fetched_by=fetched_by)}
    every_item = list(briefing.items.all())
    items = [item for item in every_item if item.message.document_id in readable]
    notes = []
    for item in items:
        item.message.talking_points = item.talking_points
    if briefing.include_notes and items:
        by_message = {
            note.message_id: note
            for note in ContextNote.objects.filter(
                national_society_id=viewer_of(fetched_by).organisation_id,
                deleted_at__isnull=True,
                message_id__in=[item.message_id for item in items],
            ).select_related("national_society", "anchored_version")
        }
        for item in items:
            item.note = by_message.get(item.message_id)
            if item.note:
                item.note.message = item.message
                notes.append(item.note)
    return BriefingPage(briefing, items, notes, withheld=len(every_item) - len(items))


@dataclass
class CueCard:
    """One message of a briefing, as a card to hold during an interview: the `number`-th of `total`."""

    briefing: Briefing
    item: BriefingItem | None  # None only for a briefing without messages (its one, empty, card)
    number: int
    total: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.total else None


def briefing_cue_card(*, fetched_by, briefing_id: int, number: int) -> CueCard:
    """The `number`-th message (from 1) of the user's own briefing; 404 for another's briefing, as for
    a missing one, and for a number past its last message."""
    page = access_briefing_by_id(fetched_by=fetched_by, briefing_id=briefing_id)
    total = len(page.items)
    if not 1 <= number <= max(total, 1):
        raise Http404
    return CueCard(page.briefing, page.items[number - 1] if total else None, number, total)
