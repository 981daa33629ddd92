"""Who may read the canonical library, and which of its documents."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.rules import Decision, decide, rule
from national_societies.models import MembershipRole
from national_societies.viewer import viewer_of

from messages_app.catalogue.models import Document


@rule("library.read")
def can_read_library(user) -> Decision:
    """Any active account that belongs to an active organisation of the Movement.

    The document is not public: anonymous visitors never get content (LoginRequiredMiddleware
    already redirects them; this check is the second lock). An account without a membership (a
    bare superuser, say) or of a deactivated organisation reads nothing.
    """
    return decide(
        viewer_of(user).membership is not None,
        _("Your account holds no role in an active organisation of the Movement: ask your society admin."),
    )


def readable_documents_filter(user) -> Q:
    """Which documents `user` reads, as a filter on Document (the one statement of the rule):

    - the organisations of a document's audience (every organisation, or those listed) read it;
    - its editors and reviewers read it, whatever their organisation;
    - a retired document leaves the library: only its editors and reviewers, and the IFRC/ICRC focal
      points of its audience, still read it.
    Nobody without an active membership reads anything.
    """
    viewer = viewer_of(user)
    if viewer.membership is None:
        return Q(pk__in=[])
    audience = Document.audience.through.objects.filter(document_id=OuterRef("pk"), nationalsociety_id=viewer.organisation_id)
    in_audience = Q(audience_all=True) | Q(Exists(audience))
    # The editorial roles live a layer above; their table is reached through the reverse relation.
    roles = Document._meta.get_field("roles").related_model.objects.filter(document_id=OuterRef("pk"), user_id=viewer.user.pk)
    live = Q(retired_at__isnull=True)
    if viewer.role == MembershipRole.FOCAL_POINT:
        live = Q(pk__isnull=False)  # focal points review the log: they still read a retired document of their audience
    return Q(Exists(roles)) | (in_audience & live)


def document_readers_filter(document) -> Q:
    """The rule of readable_documents_filter seen from the other side: which users read `document`, as
    a filter on User (for telling readers of a new edition). tests/messages_app/catalogue/
    test_documents.py checks that both sides agree for every persona."""
    active = Q(is_active=True, membership__national_society__is_active=True)
    everyone = Q(pk__isnull=False)  # not Q(): an empty Q drops out of an OR
    in_audience = everyone if document.audience_all else Q(membership__national_society__in=document.audience.all())
    live = everyone if document.retired_at is None else Q(membership__role=MembershipRole.FOCAL_POINT)
    return active & (Q(document_roles__document=document) | (in_audience & live))
