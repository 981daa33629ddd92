"""Who may edit, review and publish a document's editions, and who gives those roles.

A document's editors and reviewers are named per document (DocumentRole) by platform admins; a
reviewer of one document has no right on another. Anyone else is answered 404 for a draft, as for a
missing one. The roles are read once per request and document (`document_roles`).
"""

from django.utils.translation import gettext_lazy as _

from audit.context import current_request
from core.rules import ALLOWED, Decision, decide, denied, rule
from messages_app.catalogue.permissions import can_read_library
from messages_app.editorial.models import DocumentRole, Draft, DraftReview
from national_societies.models import Membership
from national_societies.viewer import viewer_of

_ROLES_ATTRIBUTE = "_km_document_roles"


def document_roles(user, document) -> frozenset[str]:
    """The kinds of role (`editor`, `reviewer`) `user` holds on `document`; none without a role in an
    active organisation. Kept on the request for its own user, read afresh by the next request."""
    viewer = viewer_of(user)
    if viewer.membership is None or document is None:
        return frozenset()
    request = current_request()
    kept = getattr(request, _ROLES_ATTRIBUTE, None) if request is not None else None
    key = (viewer.user.pk, document.pk)
    if kept is not None and key in kept:
        return kept[key]
    roles = frozenset(DocumentRole.objects.filter(user_id=viewer.user.pk, document_id=document.pk).values_list("kind", flat=True))
    if request is not None and getattr(getattr(request, "user", None), "pk", None) == viewer.user.pk:
        kept = kept if kept is not None else {}
        kept[key] = roles
        setattr(request, _ROLES_ATTRIBUTE, kept)
    return roles


def forget_document_roles() -> None:
    """After a service changed roles within the request."""
    request = current_request()
    if request is not None and hasattr(request, _ROLES_ATTRIBUTE):
        delattr(request, _ROLES_ATTRIBUTE)


@rule("editorial.manage_roles")
def can_manage_document_roles(user) -> Decision:
    """Platform admins name each document's editors and reviewers."""
    return decide(
        viewer_of(user).role == Membership.Role.PLATFORM_ADMIN,
        _("Only a platform admin gives or takes away the roles of a document."),
    )


@rule("editorial.create_document")
def can_create_document(user) -> Decision:
    """Platform admins, and the editors of a document of the library, start new documents (and
    become their first editors)."""
    viewer = viewer_of(user)
    if not (decision := can_read_library(viewer)):
        return decision
    if viewer.role == Membership.Role.PLATFORM_ADMIN:
        return ALLOWED
    return decide(
        DocumentRole.objects.filter(user_id=viewer.user.pk, kind=DocumentRole.Kind.EDITOR).exists(),
        _("Only platform admins and the library's editors start new documents."),
    )


@rule("editorial.work_on")
def can_work_on_document(user, document) -> Decision:
    """The document's editors and reviewers see its drafts; nobody else knows they exist."""
    viewer = viewer_of(user)
    if not (decision := can_read_library(viewer)):
        return decision
    return decide(bool(document_roles(viewer, document)), _("You are neither an editor nor a reviewer of this document."))


@rule("editorial.edit")
def can_edit_document(user, document) -> Decision:
    viewer = viewer_of(user)
    if not (decision := can_read_library(viewer)):
        return decision
    return decide(
        DocumentRole.Kind.EDITOR in document_roles(viewer, document),
        _("Only the document's editors prepare its editions."),
    )


@rule("editorial.edit_draft")
def can_edit_draft(user, draft: Draft) -> Decision:
    if not (decision := can_edit_document(user, draft.document)):
        return decision
    return decide(draft.is_open, _("This draft is closed: it was published or discarded."))


@rule("editorial.review")
def can_review_draft(user, draft: Draft) -> Decision:
    """A reviewer of the document comments on an open draft, or asks for changes."""
    viewer = viewer_of(user)
    if not (decision := can_read_library(viewer)):
        return decision
    if DocumentRole.Kind.REVIEWER not in document_roles(viewer, draft.document):
        return denied(_("Only the document's reviewers review its drafts."))
    if draft.state != Draft.State.IN_REVIEW:
        return denied(_("This draft is not in review: its editors have not submitted it."))
    return ALLOWED


@rule("editorial.approve")
def can_approve_draft(user, draft: Draft, author_ids) -> Decision:
    """Four eyes: a reviewer approves a submitted draft only if they changed nothing in it."""
    if not (decision := can_review_draft(user, draft)):
        return decision
    return decide(
        viewer_of(user).user.pk not in author_ids,
        _("You changed this draft: another reviewer must approve it."),
    )


def missing_approvals(draft: Draft, approvals: list[DraftReview], required_organisations) -> list:
    """The organisations whose approval is still needed ([None] when any one approval would do)."""
    approved_by = {review.organisation_id for review in approvals}
    if not required_organisations:
        return [] if approvals else [None]
    return [organisation for organisation in required_organisations if organisation.pk not in approved_by]


@rule("editorial.publish")
def can_publish_draft(user, draft: Draft, missing) -> Decision:
    """An editor publishes a draft in review once every approval it needs stands."""
    if not (decision := can_edit_draft(user, draft)):
        return decision
    if draft.state != Draft.State.IN_REVIEW:
        return denied(_("Submit the draft for review first: it is published once approved."))
    if missing:
        names = ", ".join(str(organisation) for organisation in missing if organisation is not None)
        if names:
            return denied(_("The draft still needs an approval from: %(names)s.") % {"names": names})
        return denied(_("The draft still needs a reviewer's approval."))
    return ALLOWED
