"""Writes to briefing packs. A briefing is its owner's alone: every function checks it."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from messages_app.briefings.models import TALKING_POINTS_MAX_LENGTH, Briefing, BriefingItem
from messages_app.briefings.permissions import can_use_briefing
from core.identifiers import IDENTIFIER_RE
from messages_app.catalogue.models import DOCUMENT_SLUG, Message
from messages_app.catalogue.selectors import documents_for_reader

MAX_ITEMS = 100
SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]{1,50}$")


def _own(briefing: Briefing, acting_user) -> Briefing:
    can_use_briefing(acting_user, briefing).enforce()
    return briefing


@transaction.atomic
def briefing_create(*, acting_user, title: str, occasion: str, occasion_date=None, include_notes: bool = True, messages=()) -> Briefing:
    briefing = Briefing.objects.create(
        owner=acting_user, title=title.strip(), occasion=occasion, occasion_date=occasion_date, include_notes=include_notes
    )
    if messages:
        briefing_add_messages(acting_user=acting_user, briefing=briefing, messages=messages)
    return briefing


@transaction.atomic
def briefing_update(*, acting_user, briefing: Briefing, title: str, occasion: str, occasion_date=None, include_notes: bool) -> Briefing:
    briefing = _own(Briefing.objects.select_for_update().get(pk=briefing.pk), acting_user)
    briefing.title, briefing.occasion, briefing.occasion_date, briefing.include_notes = title.strip(), occasion, occasion_date, include_notes
    briefing.save()
    return briefing


@transaction.atomic
def briefing_add_messages(*, acting_user, briefing: Briefing, messages) -> int:
    """Append messages not yet in the briefing, in the order given. Returns how many were added."""
    briefing = _own(Briefing.objects.select_for_update().get(pk=briefing.pk), acting_user)
    present = set(briefing.items.values_list("message_id", flat=True))
    new = [m for m in dict.fromkeys(messages) if m.pk not in present and m.retired_in_id is None]
    if len(present) + len(new) > MAX_ITEMS:
        raise ValidationError(_("A briefing holds at most %(n)d messages.") % {"n": MAX_ITEMS})
    start = (briefing.items.aggregate(last=Max("position"))["last"] or 0) + 1
    BriefingItem.objects.bulk_create(
        [BriefingItem(briefing=briefing, message=message, position=start + offset) for offset, message in enumerate(new)]
    )
    briefing.save(update_fields=["updated_at"])
    return len(new)


@transaction.atomic
def briefing_remove_item(*, acting_user, briefing: Briefing, item_id: int) -> None:
    briefing = _own(Briefing.objects.select_for_update().get(pk=briefing.pk), acting_user)
    deleted, _count = briefing.items.filter(pk=item_id).delete()
    if not deleted:
        raise BriefingItem.DoesNotExist(f"no item {item_id} in briefing {briefing.pk}")
    briefing.save(update_fields=["updated_at"])


@transaction.atomic
def briefing_move_item(*, acting_user, briefing: Briefing, item_id: int, direction: str) -> None:
    """Swap an item with its neighbour ("up" or "down"); at either end nothing moves."""
    briefing = _own(Briefing.objects.select_for_update().get(pk=briefing.pk), acting_user)
    items = list(briefing.items.order_by("position"))
    index = next((i for i, item in enumerate(items) if item.pk == item_id), None)
    if index is None:
        raise BriefingItem.DoesNotExist(f"no item {item_id} in briefing {briefing.pk}")
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(items):
        return
    first, second = items[index], items[other]
    first.position, second.position = second.position, first.position
    BriefingItem.objects.filter(pk=first.pk).update(position=first.position)
    BriefingItem.objects.filter(pk=second.pk).update(position=second.position)
    briefing.save(update_fields=["updated_at"])


@transaction.atomic
def briefing_set_talking_points(*, acting_user, briefing: Briefing, item_id: int, talking_points: str) -> BriefingItem:
    """The author's own talking points for one message of their briefing (empty clears them): plain
    text kept on the item, beside the canonical text, which nothing here can change."""
    briefing = _own(Briefing.objects.select_for_update().get(pk=briefing.pk), acting_user)
    text = (talking_points or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if "\x00" in text:  # PostgreSQL refuses NUL in text
        raise ValidationError({"talking_points": _("Null characters are not allowed.")})
    if len(text) > TALKING_POINTS_MAX_LENGTH:
        raise ValidationError(
            {"talking_points": _("Talking points have at most %(max)d characters (these have %(n)d).") % {"max": TALKING_POINTS_MAX_LENGTH, "n": len(text)}}
        )
    item = briefing.items.filter(pk=item_id).first()
    if item is None:
        raise BriefingItem.DoesNotExist(f"no item {item_id} in briefing {briefing.pk}")
    if item.talking_points != text:
        item.talking_points = text
        item.save(update_fields=["talking_points"])
        briefing.save(update_fields=["updated_at"])
    return item


def _copy_title(title: str) -> str:
    """The title of a copy, "<title> (copy)", shortened to fit the column (PostgreSQL refuses
    a longer value: a 200-character title made "Duplicate" fail with a server error)."""
    limit = Briefing._meta.get_field("title").max_length
    copy = _("%(title)s (copy)") % {"title": title}
    if len(copy) <= limit:
        return copy
    suffix_length = len(copy) - len(title)
    return _("%(title)s (copy)") % {"title": title[: limit - suffix_length - 1].rstrip() + "…"}


@transaction.atomic
def briefing_duplicate(*, acting_user, briefing: Briefing) -> Briefing:
    briefing = _own(briefing, acting_user)
    copy = Briefing.objects.create(
        owner=acting_user,
        title=_copy_title(briefing.title),
        occasion=briefing.occasion,
        occasion_date=briefing.occasion_date,
        include_notes=briefing.include_notes,
    )
    BriefingItem.objects.bulk_create(
        [
            BriefingItem(briefing=copy, message_id=item.message_id, position=item.position, talking_points=item.talking_points)
            for item in briefing.items.all()
        ]
    )
    return copy


@transaction.atomic
def briefing_delete(*, acting_user, briefing: Briefing) -> None:
    _own(briefing, acting_user).delete()


def _message_key(value: str) -> tuple[str, str] | None:
    """"<document slug>:<identifier>" (what the pages send), or a bare identifier of the library's
    first document (links of the single-document library); None for anything else."""
    slug, _sep, identifier = str(value).strip().rpartition(":")
    identifier = identifier.upper()
    if not IDENTIFIER_RE.match(identifier) or (slug and not SLUG_RE.match(slug)):
        return None
    return (slug or DOCUMENT_SLUG, identifier)


def messages_by_identifier(identifiers, *, fetched_by) -> list[Message]:
    """Live messages for the keys given (see _message_key), of documents `fetched_by` reads, in that
    order, each once; unknown ones are ignored, and so is anything that is not a key (never sent to the
    database: PostgreSQL refuses NUL)."""
    wanted = list(dict.fromkeys(key for key in map(_message_key, identifiers) if key))
    documents = {d.slug: d for d in documents_for_reader(fetched_by=fetched_by)}
    found = {
        (m.document.slug, m.identifier): m
        for m in Message.objects.select_related("document").filter(
            document__in=[documents[slug] for slug, _i in wanted if slug in documents],
            identifier__in=[identifier for _s, identifier in wanted],
            retired_in__isnull=True,
        )
    }
    return [found[key] for key in wanted if key in found]
