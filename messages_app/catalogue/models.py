"""The canonical document: editions, sections, messages and their immutable text versions.

Canonical text is never edited in place: a changed text is a new `MessageVersion` tied to the
edition that introduced it, and earlier versions stay readable.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.context import current_request


class Document(models.Model):
    """A key-messages document of the library, with its own sections, topics, editions and audience."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300)
    original_language = models.CharField(max_length=8, default="en", help_text=_("The language the document is written in."))
    # Who reads it: every organisation of the Movement in the region, or only those listed.
    audience_all = models.BooleanField(
        _("every organisation reads it"), default=True,
        help_text=_("Off: only the organisations listed in its audience read it (for example the IFRC and the ICRC)."),
    )
    audience = models.ManyToManyField("national_societies.NationalSociety", blank=True, related_name="+")
    retired_at = models.DateTimeField(
        null=True, blank=True,
        help_text=_("A retired document leaves readers' library and search; its editors, reviewers and focal points still read it."),
    )
    # Four eyes across organisations: a joint document may need one approval from each (e.g. IFRC and
    # ICRC) before an edition is published; none listed means any one of its reviewers' approval.
    approving_organisations = models.ManyToManyField(
        "national_societies.NationalSociety",
        blank=True,
        related_name="+",
        help_text=_("Each listed organisation's reviewers must approve a new edition."),
    )

    def __str__(self):
        return self.title


# The library's first document: the one it served before it held several. Its URLs of that time
# (/messages/GEN-01/, /sections/…) answer with a permanent redirect to /documents/<this slug>/….
DOCUMENT_SLUG = "migration-americas"

# Links name the document (/documents/<slug>/messages/GEN-01/). A page shows many messages, sections
# and topics of a few documents: their slugs are kept on the request being served (document ids are
# never reused), filled by the selectors that read the documents, so a link costs no query.
_SLUGS_ATTRIBUTE = "_km_document_slugs"


def remember_document_slugs(documents) -> None:
    request = current_request()
    if request is not None:
        slugs = getattr(request, _SLUGS_ATTRIBUTE, None)
        if slugs is None:
            slugs = {}
            setattr(request, _SLUGS_ATTRIBUTE, slugs)
        slugs.update((document.pk, document.slug) for document in documents)


def document_slug_of(part) -> str:
    """The slug of the document `part` (a message, section or topic) belongs to."""
    if type(part).document.is_cached(part):
        return part.document.slug
    slugs = getattr(current_request(), _SLUGS_ATTRIBUTE, None) or {}
    if part.document_id not in slugs:
        remember_document_slugs(Document.objects.filter(pk=part.document_id).only("slug"))
        slugs = getattr(current_request(), _SLUGS_ATTRIBUTE, None) or {}
        if part.document_id not in slugs:  # outside a request: nothing is kept
            return part.document.slug
    return slugs[part.document_id]


class EditionQuerySet(models.QuerySet):
    def current_first(self, document=DOCUMENT_SLUG):
        """Editions of `document` (a Document or its slug), newest first: `.first()` is the current
        edition, the one readers see. The one definition of "current"."""
        if isinstance(document, Document):
            return self.filter(document=document).order_by("-sequence")
        return self.filter(document__slug=document).order_by("-sequence")


class Edition(models.Model):
    """One loaded edition of the document, with the texts that frame the messages."""

    objects = EditionQuerySet.as_manager()

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="editions")
    label = models.CharField(max_length=50)
    sequence = models.PositiveIntegerField(help_text=_("1 for the first edition loaded, then 2, 3..."))
    note = models.TextField(blank=True)
    introduction = models.JSONField(default=list)
    handling_rules = models.JSONField(default=list)
    rules_version = models.CharField(max_length=64, help_text=_("SHA-256 of the handling rules."))
    contacts = models.JSONField(default=list)
    summary = models.TextField(blank=True)
    content_sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "label"], name="edition_label_unique"),
            models.UniqueConstraint(fields=["document", "sequence"], name="edition_sequence_unique"),
        ]
        ordering = ["-sequence"]

    def __str__(self):
        return f"{self.document} — edition {self.label}"


class Topic(models.Model):
    """An entry of a document's index (topics are the document's own: another document may use the
    same slug for another topic)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField()
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["document", "slug"], name="topic_slug_unique_in_document")]

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        """The name in the reader's language when translation_selectors.localise() gave one."""
        return getattr(self, "translated_name", None) or self.name

    def get_absolute_url(self):
        return reverse("messages:topic", args=[document_slug_of(self), self.slug])

    @property
    def document_slug(self) -> str:
        return document_slug_of(self)


class Section(models.Model):
    """A heading of the document; the management model's four approaches are sub-sections."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="sections")
    key = models.SlugField()
    title = models.CharField(max_length=300)
    number = models.CharField(max_length=10, blank=True, help_text=_("Roman numeral of an approach."))
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="subsections"
    )
    lead = models.TextField(blank=True, help_text=_("Text that introduces the sub-sections."))
    position = models.PositiveIntegerField()
    retired_in = models.ForeignKey(
        Edition, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "key"], name="section_key_unique_in_document")]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self):
        """The heading, in the reader's language when translation_selectors.localise() gave one."""
        title = getattr(self, "translated_title", None) or self.title
        return f"{self.number}. {title}" if self.number else title

    @property
    def display_lead(self):
        return getattr(self, "translated_lead", None) or self.lead

    def get_absolute_url(self):
        return reverse("messages:section", args=[document_slug_of(self), self.key])

    @property
    def document_slug(self) -> str:
        return document_slug_of(self)


class Message(models.Model):
    """A bullet of the document, identified by a stable identifier such as GEN-01."""

    # The section's document, kept on the message: identifiers are unique within a document.
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="messages")
    identifier = models.CharField(max_length=20)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="messages")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    position = models.PositiveIntegerField(help_text=_("Order in the whole document."))
    topics = models.ManyToManyField(Topic, related_name="messages", blank=True)
    current_version = models.OneToOneField(
        "MessageVersion", null=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_in = models.ForeignKey(
        Edition,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Set when a later edition no longer contains this message."),
    )

    class Meta:
        ordering = ["position"]
        indexes = [models.Index(fields=["section", "position"])]
        constraints = [models.UniqueConstraint(fields=["document", "identifier"], name="message_identifier_unique_in_document")]

    def __str__(self):
        return self.identifier

    def get_absolute_url(self):
        return reverse("messages:detail", args=[document_slug_of(self), self.identifier])

    @property
    def document_slug(self) -> str:
        return document_slug_of(self)


class MessageVersion(models.Model):
    """The canonical text of a message as one edition gave it. Never updated after creation."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="message_versions")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # Filled on PostgreSQL only (text weighted A, topic names B); SQLite searches the text itself.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="message_version_unique"),
        ]
        indexes = [GinIndex(fields=["search_vector"], name="message_version_search_gin")]

    def __str__(self):
        return f"{self.message.identifier} v{self.number}"

    def get_absolute_url(self):
        return reverse("messages:version", args=[document_slug_of(self.message), self.message.identifier, self.number])


class RulesAcknowledgement(models.Model):
    """A user confirmed that they read the handling rules of this version ("How to use this document")."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rules_acknowledgements")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    rules_version = models.CharField(max_length=64)
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "document", "rules_version"], name="rules_ack_once_per_document_version"),
        ]

    def __str__(self):
        return f"{self.user_id} acknowledged {self.rules_version[:12]}"


class MessageRead(models.Model):
    """A reader opened this version of a message (its page, its social-media helper, the changes list).

    Written by the one read path (catalogue/reads.py) in the same transaction as the access-log row,
    and kept by the library itself: "what changed since your last visit" reads this table, never the
    access log, whose old rows are archived away. One row per version read, the first time.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    version_number = models.PositiveIntegerField()
    first_read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "message", "version_number"], name="message_read_once_per_version"),
        ]

    def __str__(self):
        return f"{self.user_id} read {self.message_id} v{self.version_number}"


class EditionNoticeDismissal(models.Model):
    """A reader closed the "new edition" notice of this edition: it is not shown to them again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "edition"], name="edition_notice_dismissed_once")]

    def __str__(self):
        return f"{self.user_id} dismissed the notice of {self.edition_id}"


class ChangesSeen(models.Model):
    """A reader marked "What changed since my last visit" of a document as seen: the list starts again
    from then (catalogue.selectors.changes_since_last_visit)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "document"], name="changes_seen_once_per_document")]

    def __str__(self):
        return f"{self.user_id} saw the changes of {self.document_id} at {self.seen_at:%Y-%m-%d %H:%M}"
