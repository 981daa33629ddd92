"""Reads for the society admin pages, each limited to what the requesting user may manage.

Another organisation's members and invitations answer 404, never 403: their existence is not
confirmed to someone who may not manage them.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Concat
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from national_societies.models import Invitation, Membership, NationalSociety, User
from national_societies.permissions import can_manage_members_of, membership_of


class MemberStatus:
    ACTIVE = "active"
    DEACTIVATED = "deactivated"
    DORMANT = "dormant"
    DORMANT_SOON = "dormant_soon"
    ALL = "all"
    CHOICES = (ACTIVE, DORMANT_SOON, DORMANT, DEACTIVATED, ALL)


def managed_society(*, slug: str, fetched_by) -> NationalSociety:
    """The organisation whose members `fetched_by` manages, or 404."""
    society = NationalSociety.objects.filter(slug=slug).first()
    if society is None or not can_manage_members_of(fetched_by, society):
        raise Http404
    return society


def own_managed_society(*, fetched_by) -> NationalSociety | None:
    """Where the society admin pages open for this user: their own organisation, if they manage it."""
    membership = membership_of(fetched_by)
    if membership is None or not can_manage_members_of(fetched_by, membership.national_society):
        return None
    return membership.national_society


def last_used_expression():
    """When an account was last used: its last sign-in, or its creation if it never signed in."""
    return Coalesce("last_login", "date_joined")


def dormancy_cutoffs(now=None) -> tuple:
    """(dormant before, dormant soon before): accounts unused since the first are dormant."""
    now = now or timezone.now()
    dormant = now - timedelta(days=settings.DORMANT_ACCOUNT_DAYS)
    soon = dormant + timedelta(days=settings.DORMANT_WARNING_DAYS)
    return dormant, soon


def dormant_users(*, cutoff) -> QuerySet:
    """Active accounts not used since `cutoff`."""
    return (
        User.objects.filter(is_active=True)
        .annotate(last_used=last_used_expression())
        .filter(last_used__lt=cutoff)
        .order_by("last_used", "pk")
    )


def member_list(*, national_society: NationalSociety, fetched_by, status: str = MemberStatus.ACTIVE, query: str = "") -> QuerySet:
    """The organisation's members with role, status, last sign-in and MFA status."""
    if not can_manage_members_of(fetched_by, national_society):
        raise Http404
    dormant_before, soon_before = dormancy_cutoffs()
    memberships = (
        Membership.objects.filter(national_society=national_society)
        .select_related("user")
        .annotate(
            last_used=Coalesce("user__last_login", "user__date_joined"),
            has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)),
        )
        .order_by("user__last_name", "user__first_name", "user__email")
    )
    if query:
        # "Ana Gómez" finds Ana Gómez: the full name is searched too, not each name field alone.
        memberships = memberships.alias(
            full_name=Concat("user__first_name", Value(" "), "user__last_name", output_field=CharField())
        ).filter(
            Q(user__email__icontains=query)
            | Q(user__first_name__icontains=query)
            | Q(user__last_name__icontains=query)
            | Q(full_name__icontains=query)
        )
    if status == MemberStatus.ACTIVE:
        memberships = memberships.filter(user__is_active=True)
    elif status == MemberStatus.DEACTIVATED:
        memberships = memberships.filter(user__is_active=False)
    elif status == MemberStatus.DORMANT:
        memberships = memberships.filter(user__is_active=True, last_used__lt=dormant_before)
    elif status == MemberStatus.DORMANT_SOON:
        memberships = memberships.filter(user__is_active=True, last_used__lt=soon_before, last_used__gte=dormant_before)
    return memberships


@dataclass
class MemberCounts:
    active: int
    deactivated: int
    dormant: int
    dormant_soon: int


def member_counts(*, national_society: NationalSociety) -> MemberCounts:
    from django.db.models import Count

    dormant_before, soon_before = dormancy_cutoffs()
    active = Q(user__is_active=True)
    counts = (
        Membership.objects.filter(national_society=national_society)
        .annotate(last_used=Coalesce("user__last_login", "user__date_joined"))
        .aggregate(
            active=Count("pk", filter=active),
            deactivated=Count("pk", filter=~active),
            dormant=Count("pk", filter=active & Q(last_used__lt=dormant_before)),
            dormant_soon=Count("pk", filter=active & Q(last_used__lt=soon_before, last_used__gte=dormant_before)),
        )
    )
    return MemberCounts(**counts)


def managed_membership(*, national_society: NationalSociety, user_id: int, fetched_by) -> Membership:
    """One member of the organisation, with MFA status, or 404."""
    if not can_manage_members_of(fetched_by, national_society):
        raise Http404
    return get_object_or_404(
        Membership.objects.select_related("user", "national_society").annotate(
            last_used=Coalesce("user__last_login", "user__date_joined"),
            has_mfa=Exists(Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)),
        ),
        national_society=national_society,
        user_id=user_id,
    )


def open_invitations(*, national_society: NationalSociety, fetched_by) -> QuerySet:
    """Invitations neither accepted nor revoked, newest first (expired ones included, to resend)."""
    if not can_manage_members_of(fetched_by, national_society):
        raise Http404
    return Invitation.objects.open().filter(national_society=national_society).select_related("invited_by").order_by("-sent_at")


def managed_invitation(*, national_society: NationalSociety, invitation_id: int, fetched_by) -> Invitation:
    if not can_manage_members_of(fetched_by, national_society):
        raise Http404
    return get_object_or_404(Invitation, national_society=national_society, pk=invitation_id)


def own_user_session(*, session_id: int, fetched_by) -> UserSession:
    """One of the user's own signed-in sessions, or 404 (alike for another person's and a missing one)."""
    return get_object_or_404(UserSession, pk=session_id, user_id=fetched_by.pk)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def whom_to_ask(*, invitation) -> list:
    """Who can send a new invitation to the person holding this one: whoever sent it (if they still may),
    then their organisation's other society admins; at most three. For the refusal page of an invitation
    link, shown to its holder only (an unknown link names nobody)."""
    if invitation is None or not invitation.national_society.is_active:
        return []
    admins = list(
        User.objects.filter(
            is_active=True, membership__national_society=invitation.national_society,
            membership__role=Membership.Role.SOCIETY_ADMIN,
        ).order_by("email")[:3]
    )
    admins.sort(key=lambda user: user.pk != invitation.invited_by_id)
    return admins


def attach_recorded_organisations(records) -> list:
    """The access log keeps each actor's organisation as it was named then (`actor_organisation`,
    beside `actor_organisation_id`). Each record (an event, a flag, or a dict of them) gets
    `current_organisation`: the organisation, while it still bears the recorded name, so that a reader
    reads it in their language (`recorded_organisation_name`); None for a renamed or deleted one, which
    is shown as recorded. One query, whatever the number of records."""
    records = list(records)

    def get(record, key):
        return record.get(key) if isinstance(record, dict) else getattr(record, key, None)

    ids = {get(record, "actor_organisation_id") for record in records} - {None}
    organisations = NationalSociety.objects.in_bulk(ids) if ids else {}
    for record in records:
        organisation = organisations.get(get(record, "actor_organisation_id"))
        if organisation is not None and organisation.name != get(record, "actor_organisation"):
            organisation = None
        if isinstance(record, dict):
            record["current_organisation"] = organisation
        else:
            record.current_organisation = organisation
    return records
