"""Writes to the canonical library. Only the loader writes: canonical text is never edited."""

import hashlib
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.db import connection, transaction

from messages_app.catalogue.content_file import ContentDocument, ContentFileError
from audit.models import Action
from audit.services import audit_record
from messages_app.catalogue.models import ChangesSeen, Document, Edition, EditionNoticeDismissal, Message, MessageVersion, RulesAcknowledgement, Section, Topic


@dataclass
class LoadReport:
    edition: str
    edition_created: bool = False
    messages_created: list[str] = field(default_factory=list)
    messages_changed: list[str] = field(default_factory=list)
    messages_retired: list[str] = field(default_factory=list)
    index_changes: int = 0  # topics, tags, sections moved: library metadata, not canonical text

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.edition_created
            or self.messages_created
            or self.messages_changed
            or self.messages_retired
            or self.index_changes
        )


def _rules_version(rules) -> str:
    return hashlib.sha256(json.dumps(list(rules), ensure_ascii=False).encode("utf-8")).hexdigest()


def _frame_texts(content: ContentDocument) -> dict:
    """The canonical texts around the messages, as stored on an Edition."""
    return {
        "introduction": list(content.introduction),
        "handling_rules": list(content.handling_rules),
        "contacts": list(content.contacts),
        "summary": content.summary,
    }


@transaction.atomic
def key_messages_load(*, content: ContentDocument, loaded_by=None, loaded_as: str = "") -> LoadReport:
    """Import a validated content file: idempotent, all or nothing.

    A text that differs from the loaded one becomes a new version, and only under a new
    edition label: changing canonical text without a new edition is refused, because the
    document asks that its messages be kept exactly as designed.

    A load that changed anything is recorded in the access log, in the same transaction, naming who
    loaded it: `loaded_by` (a user), or `loaded_as` (e.g. the server account that ran the command).
    """
    report = LoadReport(edition=content.edition)
    document, created = Document.objects.select_for_update().get_or_create(
        slug=content.slug, defaults={"title": content.title}
    )
    latest = Edition.objects.current_first(document).first()
    edition, report.edition_created = _edition_for(document, latest, content)
    if document.title != content.title:
        if not report.edition_created:
            raise ContentFileError(
                f"the document title changed but edition '{content.edition}' is already loaded: "
                "give the file a new edition"
            )
        document.title = content.title
        document.save(update_fields=["title"])

    sections = _sync_sections(document, edition, content, report)
    topics = _sync_topics(document, content, report)
    _sync_messages(document, edition, content, sections, topics, report)

    if connection.vendor == "postgresql" and (
        report.messages_created or report.messages_changed or report.index_changes
    ):
        _refresh_search_vectors(document)
    if report.changed_anything:
        record_load(
            action=Action.LOADED_EDITION, loaded_by=loaded_by, loaded_as=loaded_as, edition=edition, source=content.source_name,
            changes={
                "edition_created": report.edition_created, "new": report.messages_created,
                "changed": report.messages_changed, "retired": report.messages_retired, "index_changes": report.index_changes,
            },
        )
    return report


def record_load(*, action, loaded_by, loaded_as, edition, source, changes, language: str = "") -> None:
    """The access-log row of a load (of an edition or of its translation), naming who loaded it."""
    details = {"edition": edition.label, "document": edition.document.slug, "source": source, **changes}
    if language:
        details["language"] = language
    if loaded_by is None:
        details["loaded_as"] = loaded_as or "unknown"
    audit_record(action=action, actor=loaded_by, target=edition, target_type="edition", details=details)


def _edition_for(document, latest, content):
    frame = _frame_texts(content)
    if latest is not None and latest.label == content.edition:
        stored = {
            "introduction": latest.introduction,
            "handling_rules": latest.handling_rules,
            "contacts": latest.contacts,
            "summary": latest.summary,
        }
        for name, value in frame.items():
            if stored[name] != value:
                raise ContentFileError(
                    f"document.{name} differs from edition '{latest.label}' already loaded: "
                    "canonical text changes need a new edition"
                )
        return latest, False
    if latest is not None and document.editions.filter(label=content.edition).exists():
        raise ContentFileError(
            f"document.edition: '{content.edition}' is an older edition; the latest loaded is '{latest.label}'"
        )
    edition = Edition.objects.create(
        document=document,
        label=content.edition,
        sequence=(latest.sequence + 1) if latest else 1,
        note=content.edition_note,
        rules_version=_rules_version(content.handling_rules),
        content_sha256=content.source_sha256,
        **frame,
    )
    return edition, True


def _changed_fields(row, wanted: dict) -> list[str]:
    """The fields of `row` that differ from `wanted`. Related rows are compared by key: reading
    `row.section` would fetch each message's section, one query per message of the document."""
    changed = []
    for name, value in wanted.items():
        field = row._meta.get_field(name)
        if field.is_relation:
            differs = value is None and getattr(row, field.attname) is not None
            differs = differs or (value is not None and (value.pk is None or value.pk != getattr(row, field.attname)))
        else:
            differs = getattr(row, name) != value
        if differs:
            changed.append(name)
    return changed


def _sync_sections(document, edition, content, report) -> dict[str, Section]:
    existing = {s.key: s for s in Section.objects.filter(document=document)}
    result = {}
    for position, (spec, parent_spec) in enumerate(content.iter_sections(), start=1):
        parent = result[parent_spec.key] if parent_spec else None
        wanted = {
            "title": spec.title,
            "number": spec.number,
            "lead": spec.lead,
            "parent": parent,
            "position": position,
            "retired_in": None,
        }
        section = existing.get(spec.key)
        if section is None:
            section = Section.objects.create(document=document, key=spec.key, **wanted)
            report.index_changes += 1
        else:
            if (section.title, section.number, section.lead) != (spec.title, spec.number, spec.lead):
                _require_new_edition(report, content, f"the heading of section '{spec.key}' changed")
            changed = _changed_fields(section, wanted)
            if changed:
                for name in changed:
                    setattr(section, name, wanted[name])
                section.save(update_fields=changed)
                report.index_changes += 1
        result[spec.key] = section
    for key, section in existing.items():
        if key not in result and section.retired_in_id is None:
            section.retired_in = edition
            section.save(update_fields=["retired_in"])
            report.index_changes += 1
    return result


def _sync_topics(document, content, report) -> dict[str, Topic]:
    existing = {t.slug: t for t in Topic.objects.filter(document=document)}
    missing = [spec for spec in content.topics if spec.slug not in existing]
    existing.update(
        {t.slug: t for t in Topic.objects.bulk_create(Topic(document=document, slug=s.slug, name=s.name) for s in missing)}
    )
    report.index_changes += len(missing)
    result = {}
    for spec in content.topics:
        topic = existing[spec.slug]
        if topic.name != spec.name:
            topic.name = spec.name
            topic.save(update_fields=["name"])
            report.index_changes += 1
        result[spec.slug] = topic
    # Topics no longer in the file are removed: they are an index, not canonical text.
    stale = [slug for slug in existing if slug not in result]
    if stale:
        Topic.objects.filter(document=document, slug__in=stale).delete()
        report.index_changes += len(stale)
    return result


def _sync_messages(document, edition, content, sections, topics, report):
    existing = {
        m.identifier: m
        for m in Message.objects.filter(document=document).select_related("current_version").prefetch_related("topics")
    }
    seen = set()
    created = []  # (message, spec): written together below, a handful of queries for a whole edition
    for position, (spec, section_spec, parent_spec) in enumerate(content.iter_messages(), start=1):
        seen.add(spec.identifier)
        parent = existing[parent_spec.identifier] if parent_spec else None
        wanted = {"section": sections[section_spec.key], "parent": parent, "position": position, "retired_in": None}
        message = existing.get(spec.identifier)
        if message is None:
            _require_new_edition(report, content, f"message {spec.identifier} is new")
            message = Message(document=document, identifier=spec.identifier, **wanted)
            existing[spec.identifier] = message
            created.append((message, spec))
            report.messages_created.append(spec.identifier)
            continue
        changed = _changed_fields(message, wanted)
        if "retired_in" in changed:
            _require_new_edition(report, content, f"message {spec.identifier} comes back")
        if changed:
            for name in changed:
                setattr(message, name, wanted[name])
            message.save(update_fields=changed)
            report.index_changes += 1
        if message.current_version.text != spec.text:
            _require_new_edition(report, content, f"the text of message {spec.identifier} changed")
            _add_version(message, edition, spec.text)
            report.messages_changed.append(spec.identifier)
        wanted_topics = {topics[slug].pk for slug in spec.topics}
        if wanted_topics != {t.pk for t in message.topics.all()}:
            message.topics.set(wanted_topics)
            report.index_changes += 1
    _create_messages(created, edition, topics)
    for identifier, message in existing.items():
        if identifier not in seen and message.retired_in_id is None:
            _require_new_edition(report, content, f"message {identifier} is no longer in the file")
            message.retired_in = edition
            message.save(update_fields=["retired_in"])
            report.messages_retired.append(identifier)


def _create_messages(created, edition, topics):
    """New messages with their first version and topics, in bulk: parents first, then children
    (whose parent may be new too, and needs its primary key)."""
    if not created:
        return
    new_parent = {m.identifier for m, _spec in created if m.parent is not None and m.parent.pk is None}
    for children in (False, True):
        batch = [m for m, _spec in created if (m.identifier in new_parent) == children]
        for message in batch:
            message.parent = message.parent  # sets parent_id, now that a new parent has its key
        Message.objects.bulk_create(batch)
    versions = MessageVersion.objects.bulk_create(
        MessageVersion(message=message, number=1, edition=edition, text=spec.text) for message, spec in created
    )
    for (message, _spec), version in zip(created, versions):
        message.current_version = version
    Message.objects.bulk_update([m for m, _spec in created], ["current_version"])
    through = Message.topics.through
    through.objects.bulk_create(
        through(message_id=message.pk, topic_id=topics[slug].pk) for message, spec in created for slug in spec.topics
    )


def _require_new_edition(report, content, what):
    if not report.edition_created:
        raise ContentFileError(
            f"{what}, but edition '{content.edition}' is already loaded: "
            "canonical text changes need a new edition (document.edition)"
        )


def _add_version(message, edition, text):
    number = (message.current_version.number + 1) if message.current_version_id else 1
    version = MessageVersion.objects.create(message=message, number=number, edition=edition, text=text)
    message.current_version = version
    message.save(update_fields=["current_version"])


def _refresh_search_vectors(document):
    """Text weighs A, the message's topic names B (so "children detention" finds tagged messages).
    The document's versions only: the other documents' are unchanged."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {MessageVersion._meta.db_table} AS v
               SET search_vector =
                   setweight(to_tsvector('english', v.text), 'A')
                   || setweight(to_tsvector('english', coalesce((
                        SELECT string_agg(t.name, ' ')
                          FROM {Message.topics.through._meta.db_table} AS mt
                          JOIN {Topic._meta.db_table} AS t ON t.id = mt.topic_id
                         WHERE mt.message_id = v.message_id), '')), 'B')
             WHERE v.message_id IN (SELECT id FROM {Message._meta.db_table} WHERE document_id = %s)
            """,
            [document.pk],
        )


def rules_acknowledge(*, user, edition) -> RulesAcknowledgement:
    """Record that `user` read and accepted the handling rules of `edition` (idempotent)."""
    with transaction.atomic():
        acknowledgement, created = RulesAcknowledgement.objects.get_or_create(
            user=user, document_id=edition.document_id, rules_version=edition.rules_version
        )
        if created:
            audit_record(
                action=Action.RULES_ACKNOWLEDGED,
                actor=user,
                target=user,
                details={"rules_version": edition.rules_version, "edition": edition.label, "document": edition.document.slug},
            )
    return acknowledgement


def edition_notice_dismiss(*, user, edition) -> None:
    """The reader closed the "new edition" notice: not shown again for this edition (idempotent)."""
    EditionNoticeDismissal.objects.get_or_create(user=user, edition=edition)


def changes_mark_seen(*, user, document) -> None:
    """The reader marked the document's "What changed" list as seen: it starts again from now."""
    ChangesSeen.objects.update_or_create(user=user, document=document, defaults={"seen_at": timezone.now()})
