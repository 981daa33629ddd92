"""Who may use a briefing pack: its owner alone (anyone else is answered 404, as for a missing one)."""

from django.utils.translation import gettext_lazy as _

from core.rules import Decision, decide, rule
from messages_app.catalogue.permissions import can_read_library
from national_societies.viewer import viewer_of


@rule("briefings.use")
def can_use_briefing(user, briefing) -> Decision:
    """A briefing is its author's notebook: only they see, change, print or delete it, and only while
    they may read the library."""
    viewer = viewer_of(user)
    if not (decision := can_read_library(viewer)):
        return decision
    return decide(briefing.owner_id == viewer.user.pk, _("This briefing is someone else's."))
