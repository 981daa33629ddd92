"""Writes of the editorial workflow. Each checks its rule (permissions.py), writes, and records itself
in the access log in the same transaction; a refusal raises NotAllowed, bad input ValidationError.

Publishing goes through the loader (catalogue.services.key_messages_load) with the content the draft
serialises to, validated by the loader's own parser: an edition published here is exactly what
`load_key_messages` would have made of the same file.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db import models
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import Action
from audit.services import audit_record
from messages_app.catalogue.content_export import edition_content
from messages_app.catalogue.content_file import ContentFileError, parse_content, slug_problem, text_problem
from messages_app.catalogue.models import Document, Edition, Message
from messages_app.catalogue.services import key_messages_load
from messages_app.editorial import permissions
from messages_app.editorial.drafts import draft_yaml
from messages_app.editorial.models import DocumentRole, Draft, DraftMessage, DraftReview, DraftSection
from messages_app.editorial.notify import tell_editors, tell_readers_of_edition, tell_reviewers
from national_societies.models import Membership
from national_societies.viewer import effective_membership, forget_membership


class EditConflict(Exception):
    """Someone saved this message (or these texts) after the editor opened it: nothing was written."""

    def __init__(self, current):
        super().__init__("edit conflict")
        self.current = current


# --- Roles ---------------------------------------------------------------------------------------


def document_role_grant(*, acting_user, document: Document, user, kind: str) -> DocumentRole:
    permissions.can_manage_document_roles(acting_user).enforce()
    if kind not in DocumentRole.Kind.values:
        raise ValidationError(_("Choose editor or reviewer."))
    membership = effective_membership(user)
    if membership is None:
        raise ValidationError(_("This account holds no role in an active organisation: it cannot edit or review."))
    with transaction.atomic():
        role, created = DocumentRole.objects.get_or_create(
            document=document, user=user, kind=kind, defaults={"granted_by": acting_user}
        )
        if not created:
            raise ValidationError(_("%(email)s is already %(role)s of this document.") % {"email": user.email, "role": role.get_kind_display()})
        Membership.objects.filter(pk=membership.pk).update(holds_document_role=True)
        audit_record(
            action=Action.DOCUMENT_ROLE_GRANTED, actor=acting_user, target=user,
            details={"document": document.slug, "role": kind},
        )
    forget_membership(user.pk)
    permissions.forget_document_roles()
    return role


def document_role_revoke(*, acting_user, role: DocumentRole) -> None:
    permissions.can_manage_document_roles(acting_user).enforce()
    with transaction.atomic():
        user, document, kind = role.user, role.document, role.kind
        role.delete()
        still = DocumentRole.objects.filter(user=user).exists()
        Membership.objects.filter(user=user).update(holds_document_role=still)
        audit_record(
            action=Action.DOCUMENT_ROLE_REVOKED, actor=acting_user, target=user,
            details={"document": document.slug, "role": kind},
        )
    forget_membership(user.pk)
    permissions.forget_document_roles()


# --- Starting a draft ----------------------------------------------------------------------------

_PREFIX_RE = re.compile(r"^([A-Z]{2,5})-(\d{2})")


def _next_label(label: str) -> str:
    return str(int(label) + 1) if label.isdigit() else f"{label}.1"


def _prefix_of(identifiers, key: str) -> str:
    for identifier in identifiers:
        if match := _PREFIX_RE.match(identifier):
            return match.group(1)
    letters = re.sub(r"[^a-z]", "", key).upper()
    return (letters[:3] or "MSG").ljust(2, "X")


def draft_start(*, acting_user, document: Document) -> Draft:
    """Open the next edition of `document` as a working copy of its current edition."""
    permissions.can_edit_document(acting_user, document).enforce()
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()  # one draft at a time
        if Draft.objects.filter(document=document, state__in=[Draft.State.EDITING, Draft.State.IN_REVIEW]).exists():
            raise ValidationError(_("A draft of the next edition is already open: work on it, or discard it first."))
        edition = Edition.objects.current_first(document).first()
        if edition is None:
            raise ValidationError(_("This document has no edition yet: import a content file to start one."))
        draft = draft_from_content(
            acting_user=acting_user, document=document, base_edition=edition, content=edition_content(edition),
            label=_next_label(edition.label), release_note="",
        )
        audit_record(
            action=Action.DRAFT_STARTED, actor=acting_user, target=draft, target_type="draft",
            details={"document": document.slug, "from_edition": edition.label},
        )
    return draft


def draft_from_content(*, acting_user, document, base_edition, content, label, release_note) -> Draft:
    """A draft holding `content` (a parsed content file): its sections and messages in bulk."""
    draft = Draft.objects.create(
        document=document, base_edition=base_edition, title=content.title, label=label, release_note=release_note,
        introduction=list(content.introduction), handling_rules=list(content.handling_rules),
        contacts=list(content.contacts), summary=content.summary,
        topics=[[topic.slug, topic.name] for topic in content.topics], created_by=acting_user,
    )
    section_rows, parents = [], {}
    for position, (spec, parent_spec) in enumerate(content.iter_sections(), start=1):
        identifiers = [m.identifier for m in spec.messages]
        row = DraftSection(
            draft=draft, key=spec.key, title=spec.title, number=spec.number, lead=spec.lead, position=position,
            prefix=_prefix_of(identifiers, spec.key),
        )
        section_rows.append((row, parent_spec))
    for with_parent in (False, True):  # a sub-section needs its parent's primary key
        batch = [row for row, parent_spec in section_rows if (parent_spec is not None) == with_parent]
        for row, parent_spec in section_rows:
            if parent_spec is not None and with_parent:
                row.parent = parents[parent_spec.key]
        DraftSection.objects.bulk_create(batch)
        parents.update({row.key: row for row in batch})
    message_rows = {}
    for position, (spec, section_spec, parent_spec) in enumerate(content.iter_messages(), start=1):
        message_rows[spec.identifier] = (
            DraftMessage(
                draft=draft, identifier=spec.identifier, section=parents[section_spec.key], position=position,
                text=spec.text, topics=list(spec.topics),
            ),
            parent_spec,
        )
    for with_parent in (False, True):
        batch = []
        for row, parent_spec in message_rows.values():
            if (parent_spec is not None) == with_parent:
                if parent_spec is not None:
                    row.parent = message_rows[parent_spec.identifier][0]
                batch.append(row)
        DraftMessage.objects.bulk_create(batch)
    return draft


# --- Editing -------------------------------------------------------------------------------------


def _problem_in_words(problem: str) -> str:
    """The loader's problem with a text (English, for file errors) as the editor's reader reads it."""
    return {
        "must not be empty": _("This text must not be empty."),
        "has white space at its start or end": _("This text has white space at its start or end."),
        "contains a NUL character": _("This text contains a NUL character."),
        "use lowercase letters, digits and hyphens": _("Use lowercase letters, digits and hyphens."),
    }.get(problem, problem)


def _text(value: str, field: str) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if problem := text_problem(value):
        raise ValidationError({field: _problem_in_words(problem)})
    return value


def _texts(values, field: str) -> list[str]:
    cleaned = [(v or "").replace("\r\n", "\n").strip() for v in values]
    cleaned = [v for v in cleaned if v]
    if not cleaned:
        raise ValidationError({field: _("Give at least one paragraph.")})
    return [_text(v, field) for v in cleaned]


def _touched(draft: Draft, acting_user) -> None:
    """Every change makes its author one of the draft's authors and withdraws standing approvals."""
    draft.authors.add(acting_user)
    now = timezone.now()
    DraftReview.objects.filter(draft=draft, decision=DraftReview.Decision.APPROVED, withdrawn_at__isnull=True).update(withdrawn_at=now)
    Draft.objects.filter(pk=draft.pk).update(updated_at=now)


def _record_edit(acting_user, draft, what: str, identifier: str = "") -> None:
    details = {"document": draft.document.slug, "draft": draft.pk, "change": what}
    if identifier:
        details["message"] = identifier
    audit_record(action=Action.DRAFT_EDITED, actor=acting_user, target=draft, target_type="draft", details=details)


def draft_message_save(*, acting_user, draft: Draft, identifier: str, text: str, topics, base_revision: int) -> DraftMessage:
    """Save a message's text and topics, unless someone saved it since `base_revision` (EditConflict)."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    text = _text(text, "text")
    known = {slug for slug, _name in draft.topics}
    if unknown := [slug for slug in topics if slug not in known]:
        raise ValidationError({"topics": _("Unknown topic: %(slugs)s.") % {"slugs": ", ".join(unknown)}})
    with transaction.atomic():
        message = DraftMessage.objects.select_for_update().get(draft=draft, identifier=identifier)
        if message.revision != base_revision:
            raise EditConflict(message)
        if message.retired:
            raise ValidationError(_("This message is retired in the draft: bring it back before editing it."))
        topics = list(dict.fromkeys(topics))
        if message.text == text and message.topics == topics:
            return message
        message.text, message.topics = text, topics
        message.revision += 1
        message.last_edited_by, message.last_edited_at = acting_user, timezone.now()
        message.save(update_fields=["text", "topics", "revision", "last_edited_by", "last_edited_at"])
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, "message", identifier)
    return message


def _next_identifier(draft: Draft, section: DraftSection, parent: DraftMessage | None) -> str:
    """The next number of the section's prefix (or of the parent's children), never one used before:
    neither by the draft nor by any message the library ever had, retired ones included."""
    if parent is not None:
        base = parent.identifier
        used = [i for i in DraftMessage.objects.filter(draft=draft, identifier__startswith=base + ".").values_list("identifier", flat=True)]
        used += list(Message.objects.filter(document_id=draft.document_id, identifier__startswith=base + ".").values_list("identifier", flat=True))
        numbers = [int(i.rsplit(".", 1)[1]) for i in used if i.rsplit(".", 1)[1].isdigit()]
        number = max(numbers, default=0) + 1
        if number > 99:
            raise ValidationError(_("This message has no free sub-number left."))
        return f"{base}.{number}"
    prefix = section.prefix
    used = list(DraftMessage.objects.filter(draft=draft, identifier__startswith=prefix + "-").values_list("identifier", flat=True))
    used += list(Message.objects.filter(document_id=draft.document_id, identifier__startswith=prefix + "-").values_list("identifier", flat=True))
    numbers = [int(m.group(2)) for i in used if (m := _PREFIX_RE.match(i)) and m.group(1) == prefix]
    number = max(numbers, default=0) + 1
    if number > 99:
        raise ValidationError(_("The prefix %(prefix)s has no free number left.") % {"prefix": prefix})
    return f"{prefix}-{number:02d}"


def _end_position(draft: Draft) -> int:
    """Positions order siblings only (a section's messages, a message's children): the end of the
    draft is the end of every list."""
    return (DraftMessage.objects.filter(draft=draft).aggregate(last=Max("position"))["last"] or 0) + 1


def _known_topics(draft: Draft, topics) -> list[str]:
    known = {slug for slug, _name in draft.topics}
    if unknown := [slug for slug in topics if slug not in known]:
        raise ValidationError({"topics": _("Unknown topic: %(slugs)s.") % {"slugs": ", ".join(unknown)}})
    return list(dict.fromkeys(topics))


def draft_message_add(*, acting_user, draft: Draft, section: DraftSection, text: str, topics, parent: DraftMessage | None = None) -> DraftMessage:
    """A new message at the end of its section (or of its parent's children), with the next identifier."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    text = _text(text, "text")
    topics = _known_topics(draft, topics)
    if parent is not None and (parent.parent_id is not None or parent.section_id != section.pk or parent.retired):
        raise ValidationError(_("A message can only be added under a top-level message of the same section."))
    with transaction.atomic():
        Draft.objects.select_for_update().filter(pk=draft.pk).first()  # identifiers are given one at a time
        identifier = _next_identifier(draft, section, parent)
        message = DraftMessage.objects.create(
            draft=draft, identifier=identifier, section=section, parent=parent, position=_end_position(draft),
            text=text, topics=topics, last_edited_by=acting_user, last_edited_at=timezone.now(),
        )
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, "message added", identifier)
    return message


def draft_message_retire(*, acting_user, draft: Draft, message: DraftMessage, retired: bool = True) -> None:
    """Retire a message (and its children) from the next edition, or bring it back. Its identifier is
    never given to another message."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    if not retired and message.parent_id and message.parent.retired:
        raise ValidationError(_("Bring back %(parent)s first.") % {"parent": message.parent.identifier})
    with transaction.atomic():
        family = DraftMessage.objects.filter(draft=draft, pk=message.pk) | DraftMessage.objects.filter(draft=draft, parent=message)
        DraftMessage.objects.filter(pk__in=[m.pk for m in family]).update(
            retired=retired, revision=models.F("revision") + 1, last_edited_by=acting_user, last_edited_at=timezone.now()
        )
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, "message retired" if retired else "message restored", message.identifier)


def _swap_with_neighbour(row, siblings, direction: str) -> bool:
    """Swap `row` (a draft's message or section) with the sibling before ("up") or after it ("down"):
    False, and nothing written, at the end of the list. Both rows' revisions move on."""
    neighbour = (
        siblings.filter(position__lt=row.position).order_by("-position")
        if direction == "up"
        else siblings.filter(position__gt=row.position).order_by("position")
    ).first()
    if neighbour is None:
        return False
    model = type(row)
    model.objects.filter(pk=row.pk).update(position=neighbour.position, revision=models.F("revision") + 1)
    model.objects.filter(pk=neighbour.pk).update(position=row.position, revision=models.F("revision") + 1)
    return True


def draft_message_move(*, acting_user, draft: Draft, message: DraftMessage, direction: str = "", section: DraftSection | None = None) -> None:
    """Move a message up or down among its siblings, or (top-level messages) to the end of another section."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    with transaction.atomic():
        if section is not None and section.pk != message.section_id:
            if message.parent_id:
                raise ValidationError(_("A sub-message moves with its parent."))
            position = _end_position(draft)
            DraftMessage.objects.filter(pk=message.pk).update(section=section, position=position, revision=models.F("revision") + 1)
            DraftMessage.objects.filter(parent=message).update(section=section)
            what = "message moved to another section"
        elif direction in ("up", "down"):
            siblings = DraftMessage.objects.filter(draft=draft, section_id=message.section_id, parent_id=message.parent_id)
            if not _swap_with_neighbour(message, siblings, direction):
                return
            what = "message moved"
        else:
            raise ValidationError(_("Choose where to move the message."))
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, what, message.identifier)


# --- Sections ------------------------------------------------------------------------------------


def _section_position(draft: Draft) -> int:
    return (DraftSection.objects.filter(draft=draft).aggregate(last=Max("position"))["last"] or 0) + 1


def draft_section_add(*, acting_user, draft: Draft, key: str, title: str, prefix: str, parent: DraftSection | None = None, number: str = "") -> DraftSection:
    permissions.can_edit_draft(acting_user, draft).enforce()
    key = (key or "").strip()
    if problem := slug_problem(key):
        raise ValidationError({"key": _problem_in_words(problem)})
    prefix = (prefix or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{2,5}", prefix):
        raise ValidationError({"prefix": _("The prefix is 2 to 5 capital letters, such as DET.")})
    if parent is not None and parent.parent_id is not None:
        raise ValidationError(_("Sections have one level of sub-sections, not more."))
    title = _text(title, "title")
    with transaction.atomic():
        if DraftSection.objects.filter(draft=draft, key=key).exists():
            raise ValidationError({"key": _("Another section already has this key.")})
        section = DraftSection.objects.create(
            draft=draft, key=key, title=title, number=(number or "").strip(), parent=parent,
            position=_section_position(draft), prefix=prefix,
        )
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, f"section {key} added")
    return section


def draft_section_save(*, acting_user, draft: Draft, section: DraftSection, title: str, number: str, lead: str, base_revision: int) -> DraftSection:
    permissions.can_edit_draft(acting_user, draft).enforce()
    title = _text(title, "title")
    lead = (lead or "").replace("\r\n", "\n").strip()
    if lead and (problem := text_problem(lead)):
        raise ValidationError({"lead": _problem_in_words(problem)})
    with transaction.atomic():
        current = DraftSection.objects.select_for_update().get(pk=section.pk)
        if current.revision != base_revision:
            raise EditConflict(current)
        number = (number or "").strip()
        if (current.title, current.number, current.lead) == (title, number, lead):
            return current
        current.title, current.number, current.lead = title, number, lead
        current.revision += 1
        current.save(update_fields=["title", "number", "lead", "revision"])
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, f"section {current.key} renamed")
    return current


def draft_section_move(*, acting_user, draft: Draft, section: DraftSection, direction: str) -> None:
    permissions.can_edit_draft(acting_user, draft).enforce()
    if direction not in ("up", "down"):
        raise ValidationError(_("Choose where to move the section."))
    with transaction.atomic():
        if not _swap_with_neighbour(section, DraftSection.objects.filter(draft=draft, parent_id=section.parent_id), direction):
            return
        _touched(draft, acting_user)
        _record_edit(acting_user, draft, f"section {section.key} moved")


# --- The texts around the messages ---------------------------------------------------------------


@dataclass(frozen=True)
class FrameTexts:
    label: str
    release_note: str
    introduction: list[str]
    handling_rules: list[str]
    contacts: list[str]
    summary: str


def draft_frame_save(*, acting_user, draft: Draft, texts: FrameTexts, base_revision: int) -> Draft:
    """The edition label, release note, introduction, handling rules, contacts and summary."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    errors = {}
    cleaned = {}
    for name, clean in (
        ("label", lambda v: _text(v, "label")),
        ("release_note", lambda v: (v or "").replace("\r\n", "\n").strip()),
        ("introduction", lambda v: _texts(v, "introduction")),
        ("handling_rules", lambda v: _texts(v, "handling_rules")),
        ("contacts", lambda v: _texts(v, "contacts")),
        ("summary", lambda v: _text(v, "summary")),
    ):
        try:
            cleaned[name] = clean(getattr(texts, name))
        except ValidationError as error:
            errors.update(error.message_dict if hasattr(error, "error_dict") else {name: error.messages})
    label = cleaned.get("label")
    if label and Edition.objects.filter(document=draft.document, label=label).exists():
        errors["label"] = [_("Edition %(label)s exists already: give the new edition its own label.") % {"label": label}]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = Draft.objects.select_for_update().get(pk=draft.pk)
        if current.frame_revision != base_revision:
            raise EditConflict(current)
        changed = [name for name, value in cleaned.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, cleaned[name])
        current.frame_revision += 1
        current.save(update_fields=[*changed, "frame_revision", "updated_at"])
        _touched(current, acting_user)
        _record_edit(acting_user, current, "texts: " + ", ".join(changed))
    return current


def draft_topics_save(*, acting_user, draft: Draft, topics: list[tuple[str, str]], base_revision: int) -> Draft:
    """The document's index: (slug, name) pairs in order. A topic still given to a message is not
    removed (its messages are named); slugs are checked as the loader checks them."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    cleaned, seen, errors = [], set(), []
    for slug, name in topics:
        slug, name = slug.strip(), name.strip()
        if problem := slug_problem(slug):
            errors.append(_("“%(slug)s”: %(problem)s") % {"slug": slug, "problem": _problem_in_words(problem)})
        elif slug in seen:
            errors.append(_("“%(slug)s” is given twice.") % {"slug": slug})
        elif not name:
            errors.append(_("“%(slug)s” needs a name.") % {"slug": slug})
        seen.add(slug)
        cleaned.append([slug, name])
    if not cleaned:
        errors.append(_("A document needs at least one topic."))
    with transaction.atomic():
        current = Draft.objects.select_for_update().get(pk=draft.pk)
        if current.frame_revision != base_revision:
            raise EditConflict(current)
        removed = {slug for slug, _name in current.topics} - seen
        if removed:
            for message in DraftMessage.objects.filter(draft=draft, retired=False):
                if used := removed & set(message.topics):
                    errors.append(
                        _("“%(slug)s” is a topic of %(identifier)s: take it off the message first.")
                        % {"slug": ", ".join(sorted(used)), "identifier": message.identifier}
                    )
        if errors:
            raise ValidationError({"topics": errors})
        if current.topics == cleaned:
            return current
        current.topics = cleaned
        current.frame_revision += 1
        current.save(update_fields=["topics", "frame_revision", "updated_at"])
        _touched(current, acting_user)
        _record_edit(acting_user, current, "topics")
    return current


# --- Review and publication ----------------------------------------------------------------------


def draft_validate(draft: Draft):
    """The draft as the loader will read it: the parsed content, or ValidationError with the
    loader's own words."""
    try:
        return parse_content(
            draft_yaml(draft), source_name=_("the draft"),
            original_language="en", translation_languages=(),
        )
    except ContentFileError as error:
        raise ValidationError(str(error)) from error


def draft_submit(*, acting_user, draft: Draft) -> Draft:
    permissions.can_edit_draft(acting_user, draft).enforce()
    if draft.state != Draft.State.EDITING:
        raise ValidationError(_("This draft is already in review."))
    draft_validate(draft)
    with transaction.atomic():
        updated = Draft.objects.filter(pk=draft.pk, state=Draft.State.EDITING).update(
            state=Draft.State.IN_REVIEW, submitted_at=timezone.now()
        )
        if not updated:
            raise ValidationError(_("This draft is already in review."))
        draft.refresh_from_db()
        audit_record(
            action=Action.DRAFT_SUBMITTED, actor=acting_user, target=draft, target_type="draft",
            details={"document": draft.document.slug, "edition": draft.label},
        )
        tell_reviewers(draft, submitted_by=acting_user)
    return draft


def draft_review(*, acting_user, draft: Draft, decision: str, comment: str = "", message_identifier: str = "") -> DraftReview:
    """A reviewer approves the draft, asks for changes, or comments (on the draft or on one message)."""
    if decision not in DraftReview.Decision.values:
        raise ValidationError(_("Choose approve, request changes or comment."))
    author_ids = set(draft.authors.values_list("pk", flat=True))
    if decision == DraftReview.Decision.APPROVED:
        permissions.can_approve_draft(acting_user, draft, author_ids).enforce()
    else:
        permissions.can_review_draft(acting_user, draft).enforce()
    comment = (comment or "").replace("\r\n", "\n").strip()
    if decision != DraftReview.Decision.APPROVED and not comment:
        raise ValidationError({"comment": _("Say what should change, or what you want to point out.")})
    if "\x00" in comment:
        raise ValidationError({"comment": _("This text contains a NUL character.")})
    if message_identifier and not DraftMessage.objects.filter(draft=draft, identifier=message_identifier).exists():
        raise ValidationError(_("No such message in this draft."))
    membership = effective_membership(acting_user)
    with transaction.atomic():
        review = DraftReview.objects.create(
            draft=draft, reviewer=acting_user, organisation_id=membership.national_society_id, decision=decision,
            comment=comment, message_identifier=message_identifier,
        )
        audit_record(
            action=Action.DRAFT_REVIEWED, actor=acting_user, target=draft, target_type="draft",
            details={"document": draft.document.slug, "decision": decision, "message": message_identifier},
        )
        tell_editors(draft, review=review)
    return review


def draft_review_resolve(*, acting_user, draft: Draft, review: DraftReview) -> None:
    """An editor marks a requested change as dealt with (it stays in the draft's history)."""
    permissions.can_edit_draft(acting_user, draft).enforce()
    with transaction.atomic():
        DraftReview.objects.filter(pk=review.pk, draft=draft, resolved_at__isnull=True).update(resolved_at=timezone.now())
        _record_edit(acting_user, draft, "review comment resolved")


def _approvals(draft: Draft) -> list[DraftReview]:
    return list(
        DraftReview.objects.filter(draft=draft, decision=DraftReview.Decision.APPROVED, withdrawn_at__isnull=True)
        .select_related("reviewer", "organisation")
    )


def draft_publish(*, acting_user, draft: Draft, publish_at=None) -> Edition | None:
    """Publish an approved draft now, through the loader; or schedule it (`publish_at` in the future):
    `publish_due_drafts` publishes it then, in the name of whoever scheduled it."""
    approvals = _approvals(draft)
    missing = permissions.missing_approvals(draft, approvals, list(draft.document.approving_organisations.all()))
    permissions.can_publish_draft(acting_user, draft, missing).enforce()
    if publish_at is not None and publish_at > timezone.now():
        with transaction.atomic():
            Draft.objects.filter(pk=draft.pk).update(publish_at=publish_at, scheduled_by=acting_user)
            audit_record(
                action=Action.DRAFT_SCHEDULED, actor=acting_user, target=draft, target_type="draft",
                details={"document": draft.document.slug, "edition": draft.label, "publish_at": publish_at.isoformat()},
            )
        return None
    return _publish(draft, publisher=acting_user, approvals=approvals)


def _publish(draft: Draft, *, publisher, approvals) -> Edition:
    content = draft_validate(draft)
    with transaction.atomic():
        locked = Draft.objects.select_for_update().get(pk=draft.pk)
        if locked.state != Draft.State.IN_REVIEW:
            raise ValidationError(_("This draft is no longer in review."))
        report = key_messages_load(content=content, loaded_by=publisher)
        edition = Edition.objects.current_first(draft.document).first()
        if not report.edition_created or edition.label != draft.label:
            raise ValidationError(_("Publishing made no new edition: the draft changes nothing."))
        Draft.objects.filter(pk=draft.pk).update(state=Draft.State.PUBLISHED, published_edition=edition, publish_at=None)
        authors = sorted(draft.authors.values_list("email", flat=True))
        audit_record(
            action=Action.PUBLISHED_EDITION, actor=publisher, target=edition, target_type="edition",
            details={
                "document": draft.document.slug, "edition": edition.label, "draft": draft.pk,
                "authors": authors, "approvers": sorted(review.reviewer.email for review in approvals),
                "publisher": publisher.email,
                "new": report.messages_created, "changed": report.messages_changed, "retired": report.messages_retired,
                "rules_changed": edition.rules_version != (draft.base_edition.rules_version if draft.base_edition else ""),
            },
        )
        tell_readers_of_edition(edition)
    return edition


def publish_due_drafts(now=None) -> list[Edition]:
    """Publish the drafts whose scheduled time has come (run every minute by the job queue).

    Each is published in the name of whoever scheduled it, if they still may: approvals withdrawn
    since (an edit) or a role taken away leave the draft unpublished, in review."""
    now = now or timezone.now()
    published = []
    for draft in Draft.objects.filter(state=Draft.State.IN_REVIEW, publish_at__lte=now).select_related("scheduled_by", "document", "base_edition"):
        approvals = _approvals(draft)
        missing = permissions.missing_approvals(draft, approvals, list(draft.document.approving_organisations.all()))
        if draft.scheduled_by is None or not permissions.can_publish_draft(draft.scheduled_by, draft, missing):
            Draft.objects.filter(pk=draft.pk).update(publish_at=None)
            continue
        try:
            published.append(_publish(draft, publisher=draft.scheduled_by, approvals=approvals))
        except ValidationError:
            # Published meanwhile by another run (or the draft no longer loads): it stays for its editors.
            Draft.objects.filter(pk=draft.pk, state=Draft.State.IN_REVIEW).update(publish_at=None)
    return published


def draft_discard(*, acting_user, draft: Draft) -> None:
    permissions.can_edit_draft(acting_user, draft).enforce()
    with transaction.atomic():
        Draft.objects.filter(pk=draft.pk).update(state=Draft.State.DISCARDED, publish_at=None)
        audit_record(
            action=Action.DRAFT_DISCARDED, actor=acting_user, target=draft, target_type="draft",
            details={"document": draft.document.slug, "edition": draft.label},
        )


# --- Files ---------------------------------------------------------------------------------------


def draft_import(*, acting_user, document: Document, raw: str, source_name: str) -> Draft:
    """A content file prepared offline becomes a draft (never a published edition): it goes through
    review like any other."""
    permissions.can_edit_document(acting_user, document).enforce()
    try:
        content = parse_content(raw, source_name=source_name)
    except ContentFileError as error:
        raise ValidationError(str(error)) from error
    if content.slug != document.slug:
        raise ValidationError(
            _("This file is for the document “%(slug)s”, not “%(this)s”.") % {"slug": content.slug, "this": document.slug}
        )
    with transaction.atomic():
        Document.objects.select_for_update().filter(pk=document.pk).first()
        if Draft.objects.filter(document=document, state__in=[Draft.State.EDITING, Draft.State.IN_REVIEW]).exists():
            raise ValidationError(_("A draft of the next edition is already open: work on it, or discard it first."))
        if Edition.objects.filter(document=document, label=content.edition).exists():
            raise ValidationError(
                _("Edition %(label)s exists already: give the file a new edition label.") % {"label": content.edition}
            )
        draft = draft_from_content(
            acting_user=acting_user, document=document, base_edition=Edition.objects.current_first(document).first(),
            content=content, label=content.edition, release_note=content.edition_note,
        )
        draft.authors.add(acting_user)
        audit_record(
            action=Action.DRAFT_STARTED, actor=acting_user, target=draft, target_type="draft",
            details={"document": document.slug, "imported_from": source_name[:200]},
        )
    return draft


def record_edition_export(*, acting_user, edition: Edition) -> None:
    """An edition leaves the app as a file: recorded like a print."""
    permissions.can_work_on_document(acting_user, edition.document).enforce()
    audit_record(
        action=Action.EXPORTED_EDITION, actor=acting_user, target=edition, target_type="edition",
        details={"document": edition.document.slug, "edition": edition.label},
    )


# --- New documents and their settings -------------------------------------------------------------


def document_create(
    *, acting_user, slug: str, title: str, original_language: str, audience_all: bool, audience, section_title: str,
    section_key: str, section_prefix: str,
) -> Draft:
    """A new document, its creator as its first editor, and the draft of its first edition (one empty
    section to start from). Readers see nothing of it until that edition is published."""
    permissions.can_create_document(acting_user).enforce()
    slug = (slug or "").strip()
    errors = {}
    if problem := slug_problem(slug):
        errors["slug"] = [_problem_in_words(problem)]
    elif Document.objects.filter(slug=slug).exists():
        errors["slug"] = [_("Another document already has this address.")]
    try:
        title = _text(title, "title")
    except ValidationError as error:
        errors.update(error.message_dict)
    if not audience_all and not audience:
        errors["audience"] = [_("Choose the organisations that read it, or let every organisation read it.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        document = Document.objects.create(slug=slug, title=title, original_language=original_language, audience_all=audience_all)
        if not audience_all:
            document.audience.set(audience)
        DocumentRole.objects.create(document=document, user=acting_user, kind=DocumentRole.Kind.EDITOR, granted_by=acting_user)
        Membership.objects.filter(user=acting_user).update(holds_document_role=True)
        draft = Draft.objects.create(document=document, title=title, label="1", created_by=acting_user)
        draft.authors.add(acting_user)
        audit_record(
            action=Action.DOCUMENT_CREATED, actor=acting_user, target=document, target_type="document", target_id=document.slug,
            details={
                "document": document.slug, "audience": "all" if audience_all else sorted(o.slug for o in audience),
                "original_language": original_language,
            },
        )
        try:
            draft_section_add(acting_user=acting_user, draft=draft, key=section_key, title=section_title, prefix=section_prefix)
        except ValidationError as error:  # the section's own fields, as the form names them
            raise ValidationError({f"section_{name}": messages for name, messages in error.message_dict.items()}) from error
    forget_membership(acting_user.pk)
    permissions.forget_document_roles()
    return draft


def document_settings_save(*, acting_user, document: Document, audience_all: bool, audience, approving_organisations, retired: bool) -> None:
    """Who reads the document, whose reviewers must approve its editions, and whether it is retired
    (gone from readers' library and search, still read by its editors, reviewers and focal points)."""
    permissions.can_manage_document_roles(acting_user).enforce()
    if not audience_all and not audience:
        raise ValidationError({"audience": _("Choose the organisations that read it, or let every organisation read it.")})
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        before = {
            "audience": "all" if locked.audience_all else sorted(locked.audience.values_list("slug", flat=True)),
            "approving": sorted(locked.approving_organisations.values_list("slug", flat=True)),
            "retired": locked.retired_at is not None,
        }
        locked.audience_all = audience_all
        if retired and locked.retired_at is None:
            locked.retired_at = timezone.now()
        elif not retired:
            locked.retired_at = None
        locked.save(update_fields=["audience_all", "retired_at"])
        locked.audience.set([] if audience_all else audience)
        locked.approving_organisations.set(approving_organisations)
        after = {
            "audience": "all" if audience_all else sorted(o.slug for o in audience),
            "approving": sorted(o.slug for o in approving_organisations),
            "retired": retired,
        }
        if after != before:
            audit_record(
                action=Action.DOCUMENT_SETTINGS_CHANGED, actor=acting_user, target=locked, target_type="document",
                target_id=locked.slug, details={"document": locked.slug, "before": before, "after": after},
            )
