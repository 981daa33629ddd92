"""The app's models, one module per feature folder; imported here so that Django registers them all
under the `messages_app` label. Code imports a model from its feature (`messages_app.notes.models`),
never from here."""

from messages_app.briefings.models import Briefing, BriefingItem  # noqa: F401
from messages_app.catalogue.models import (  # noqa: F401
    Document,
    Edition,
    EditionNoticeDismissal,
    Message,
    MessageRead,
    MessageVersion,
    RulesAcknowledgement,
    Section,
    Topic,
)
from messages_app.editorial.models import Draft, DraftMessage, DraftReview, DraftSection, DocumentRole  # noqa: F401
from messages_app.notes.models import ContextNote, ContextNoteRevision  # noqa: F401
from messages_app.printing.models import Print  # noqa: F401
from messages_app.translations.models import MessageTranslation, OfficialTranslation  # noqa: F401
