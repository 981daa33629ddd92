"""Society admin pages, the invitation link and "my account". Views are thin: selectors and services."""

from allauth.usersessions.views import ListUserSessionsView
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.contrib.auth.decorators import login_not_required
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.services import audit_records_for

from national_societies import selectors, services
from core.flash import flash_outcome
from core.redirects import local_next_url
from core.rules import NotAllowed
from national_societies.forms import INVITATION_SESSION_KEY, DeactivateForm, EditionNotificationsForm, InvitationForm, RoleForm
from national_societies.enrolment import (
    EnrolmentEmailFailed,
    enrolment_is_open,
    enrolment_link_send,
    enrolment_open,
    needs_enrolment_link,
)
from national_societies.permissions import edition_notifications_of, membership_of

# One link email per account this often, at most.
ENROLMENT_RESEND_SECONDS = 60

MEMBERS_PER_PAGE = 50


def _accept_url_builder(request):
    return lambda token: request.build_absolute_uri(reverse("national_societies:invitation_accept", args=[token]))


def _members_url(society):
    return reverse("national_societies:members", args=[society.slug])


def _apply_errors(form, error: ValidationError):
    """Put a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@require_safe
def society_home(request):
    society = selectors.own_managed_society(fetched_by=request.user)
    if society is None:
        raise Http404
    return redirect(_members_url(society))


@require_safe
def members(request, society_slug):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    status = request.GET.get("status", selectors.MemberStatus.ACTIVE)
    if status not in selectors.MemberStatus.CHOICES:
        status = selectors.MemberStatus.ACTIVE
    # PostgreSQL refuses a NUL character in a query parameter: drop it rather than answer 500.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    memberships = selectors.member_list(national_society=society, fetched_by=request.user, status=status, query=query)
    page_obj = Paginator(memberships, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    dormant_before, dormant_soon_before = selectors.dormancy_cutoffs()
    return render(
        request,
        "national_societies/members.html",
        {
            "society": society,
            "page_obj": page_obj,
            "status": status,
            "query": query,
            "counts": selectors.member_counts(national_society=society),
            "invitations": selectors.open_invitations(national_society=society, fetched_by=request.user)[:100],
            "dormant_before": dormant_before,
            "dormant_soon_before": dormant_soon_before,
            "dormant_days": settings.DORMANT_ACCOUNT_DAYS,
            "warning_days": settings.DORMANT_WARNING_DAYS,
        },
    )


@require_safe
def member_detail(request, society_slug, user_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    membership = selectors.managed_membership(national_society=society, user_id=user_id, fetched_by=request.user)
    dormant_before, dormant_soon_before = selectors.dormancy_cutoffs()
    return render(
        request,
        "national_societies/member_detail.html",
        {
            "society": society,
            "dormant_before": dormant_before,
            "dormant_soon_before": dormant_soon_before,
            "membership": membership,
            "role_form": RoleForm(changer=request.user, initial={"role": membership.role}),
            "history": audit_records_for(membership.user),
            "is_self": membership.user_id == request.user.pk,
        },
    )


@require_POST
def member_role(request, society_slug, user_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    membership = selectors.managed_membership(national_society=society, user_id=user_id, fetched_by=request.user)
    form = RoleForm(request.POST, changer=request.user)
    if form.is_valid():
        flash_outcome(
            request,
            lambda: services.member_role_change(membership=membership, role=form.cleaned_data["role"], changed_by=request.user),
            _("Role of %(person)s saved.") % {"person": membership.user.email},
        )
    else:
        messages.error(request, _("Choose one of the roles offered."))
    return redirect("national_societies:member", society.slug, membership.user_id)


@require_POST
def member_editor(request, society_slug, user_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    membership = selectors.managed_membership(national_society=society, user_id=user_id, fetched_by=request.user)
    editor = request.POST.get("can_edit_notes") == "on"
    if editor:
        done = _("%(person)s can now write the society's local notes.") % {"person": membership.user.email}
    else:
        done = _("%(person)s no longer writes the society's local notes.") % {"person": membership.user.email}
    flash_outcome(
        request, lambda: services.member_editor_set(membership=membership, can_edit_notes=editor, changed_by=request.user), done
    )
    return redirect("national_societies:member", society.slug, membership.user_id)


@require_http_methods(["GET", "POST"])
def member_deactivate(request, society_slug, user_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    membership = selectors.managed_membership(national_society=society, user_id=user_id, fetched_by=request.user)
    # Bound on every POST: the reason is optional, so a POST without any field still deactivates.
    form = DeactivateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_deactivate(
                membership=membership, deactivated_by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except NotAllowed as refusal:
            form.add_error(None, refusal.reason)
        else:
            messages.success(
                request, _("%(person)s can no longer sign in; their open sessions were ended.") % {"person": membership.user.email}
            )
            return redirect("national_societies:member", society.slug, membership.user_id)
    return render(
        request,
        "national_societies/member_confirm.html",
        {"society": society, "membership": membership, "form": form, "action": "deactivate"},
    )


@require_http_methods(["GET", "POST"])
def member_reactivate(request, society_slug, user_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    membership = selectors.managed_membership(national_society=society, user_id=user_id, fetched_by=request.user)
    if request.method == "POST":
        flash_outcome(
            request,
            lambda: services.member_reactivate(membership=membership, reactivated_by=request.user),
            _("%(person)s can sign in again.") % {"person": membership.user.email},
        )
        return redirect("national_societies:member", society.slug, membership.user_id)
    return render(
        request,
        "national_societies/member_confirm.html",
        {"society": society, "membership": membership, "action": "reactivate"},
    )


@require_http_methods(["GET", "POST"])
def invitation_new(request, society_slug):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    form = InvitationForm(request.POST or None, inviter=request.user, national_society=society)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                invited_by=request.user,
                national_society=society,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                language=form.cleaned_data["language"],
                domain_override_reason=form.cleaned_data.get("domain_override_reason", ""),
                build_accept_url=_accept_url_builder(request),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        except NotAllowed as refusal:
            form.add_error(None, refusal.reason)
        except services.InvitationEmailFailed:
            form.add_error(None, _("The invitation email could not be sent, so nothing was saved. Try again in a few minutes."))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for %(days)d days.")
                % {"email": invitation.email, "days": settings.INVITATION_EXPIRY_DAYS},
            )
            return redirect(_members_url(society))
    domains = list(society.allowed_domains.values_list("domain", flat=True))
    return render(request, "national_societies/invitation_new.html", {"society": society, "form": form, "domains": domains, "expiry_days": settings.INVITATION_EXPIRY_DAYS})


@require_POST
def invitation_resend(request, society_slug, invitation_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    invitation = selectors.managed_invitation(national_society=society, invitation_id=invitation_id, fetched_by=request.user)
    try:
        services.invitation_resend(invitation=invitation, resent_by=request.user, build_accept_url=_accept_url_builder(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except services.InvitationEmailFailed:
        messages.error(request, _("The email could not be sent; the previous link still works. Try again later."))
    else:
        messages.success(request, _("A new link was sent to %(email)s; the previous one no longer works.") % {"email": invitation.email})
    return redirect(_members_url(society))


@require_http_methods(["GET", "POST"])
def invitation_revoke(request, society_slug, invitation_id):
    society = selectors.managed_society(slug=society_slug, fetched_by=request.user)
    invitation = selectors.managed_invitation(national_society=society, invitation_id=invitation_id, fetched_by=request.user)
    if request.method == "POST":
        flash_outcome(
            request,
            lambda: services.invitation_revoke(invitation=invitation, revoked_by=request.user),
            _("The invitation to %(email)s was revoked: its link no longer works.") % {"email": invitation.email},
        )
        return redirect(_members_url(society))
    return render(request, "national_societies/invitation_revoke.html", {"society": society, "invitation": invitation})


REFUSALS = {
    "unknown": gettext_lazy("This invitation link is not valid. Check that you copied the whole link from the email."),
    "expired": gettext_lazy("This invitation has expired."),
    "accepted": gettext_lazy("This invitation has already been used. If it was you, sign in with your email address and password."),
    "revoked": gettext_lazy("This invitation was withdrawn by your National Society."),
    "organisation_inactive": gettext_lazy("The organisation of this invitation is no longer active."),
}


@login_not_required
@require_safe
def invitation_accept(request, token):
    """The link in the invitation email. Public: it opens allauth's sign-up for this invitation only."""
    check = services.invitation_check(token=token)
    if request.user.is_authenticated:
        return render(request, "national_societies/invitation_signed_in.html")
    if check.problem is not None:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return render(
            request,
            "national_societies/invitation_refused.html",
            {"reason": str(REFUSALS[check.problem]), "ask": selectors.whom_to_ask(invitation=check.invitation)},
            status=404 if check.problem == "unknown" else 410,
        )
    # The secret leaves the address bar at once; the session carries only its digest.
    request.session[INVITATION_SESSION_KEY] = check.invitation.token_digest
    return redirect("account_signup")


@require_http_methods(["GET", "POST"])
def my_account(request):
    membership = membership_of(request.user)
    form = EditionNotificationsForm(
        request.POST or None,
        initial={"edition_notifications": edition_notifications_of(request.user, membership.role if membership else "")},
    )
    if request.method == "POST" and form.is_valid():
        services.edition_notifications_set(user=request.user, choice=form.cleaned_data["edition_notifications"])
        messages.success(request, _("Your choice of emails is saved."))
        return redirect("national_societies:my_account")
    return render(
        request,
        "national_societies/my_account.html",
        {
            "membership": membership,
            "has_mfa": selectors.has_totp(request.user),
            "manages": selectors.own_managed_society(fetched_by=request.user),
            "notifications_form": form,
        },
        status=400 if form.errors else 200,
    )


@require_safe
def email_address(request):
    """Replaces allauth's email management: nobody swaps their work address for a personal one."""
    return render(request, "national_societies/email_address.html")


class UserSessionsView(ListUserSessionsView):
    """allauth's "My sessions", whose "End all other sessions" is recorded in the access log."""

    def form_valid(self, form):
        services.user_other_sessions_end(user=self.request.user, current_session_key=self.request.session.session_key)
        messages.info(self.request, _("Signed out of all other sessions."))
        return redirect(self.get_success_url())


user_sessions = UserSessionsView.as_view()


@require_POST
def user_session_end(request, session_id):
    """"End this session" on one row of "My sessions": that browser is signed out at once."""
    user_session = selectors.own_user_session(session_id=session_id, fetched_by=request.user)
    flash_outcome(
        request,
        lambda: services.user_session_end(
            user_session=user_session, ended_by=request.user, current_session_key=request.session.session_key
        ),
        _("The session was ended: that browser is signed out."),
    )
    return redirect("usersessions_list")


@login_not_required
@require_POST
def language(request):
    """The language switcher: remembered in a cookie, and on the account for the next sign-in."""
    from django.conf import settings as django_settings
    from django.utils.translation import check_for_language

    code = request.POST.get("language", "")
    next_url = local_next_url(request, request.POST.get("next", "")) or "/"
    response = redirect(next_url)
    if code in dict(django_settings.LANGUAGES) and check_for_language(code):
        response.set_cookie(
            django_settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=django_settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
        if request.user.is_authenticated:
            services.user_language_set(user=request.user, language=code)
    return response


@require_http_methods(["GET", "POST"])
def mfa_enrolment_link(request):
    """A privileged account without any authenticator asks for the link that opens its first set-up."""
    if enrolment_is_open(request):
        return redirect("mfa_activate_totp")
    if not needs_enrolment_link(request.user):
        return redirect("mfa_index")  # an authenticator already, or a role that does not need one
    sent = False
    if request.method == "POST":
        throttle = f"km:mfa-enrolment-sent:{request.user.pk}"
        if not cache.add(throttle, True, ENROLMENT_RESEND_SECONDS):
            messages.info(request, _("A link was sent a moment ago: check your inbox (and spam folder) before asking again."))
        else:
            try:
                enrolment_link_send(
                    user=request.user,
                    build_url=lambda token: request.build_absolute_uri(reverse("mfa_enrolment_open", args=[token])),
                )
            except EnrolmentEmailFailed:
                cache.delete(throttle)
                messages.error(request, _("The email could not be sent. Try again in a few minutes, or ask a platform admin."))
            else:
                sent = True
    return render(
        request,
        "national_societies/mfa_enrolment.html",
        {"sent": sent, "minutes": settings.MFA_ENROLMENT_LINK_MINUTES},
    )


@require_safe
def mfa_enrolment_open(request, token):
    """The link in the email: opens the set-up of a first authenticator in this session."""
    if not needs_enrolment_link(request.user):
        return redirect("mfa_index")
    if enrolment_open(request=request, token=token):
        return redirect("mfa_activate_totp")
    return render(request, "national_societies/mfa_enrolment.html", {"refused": True, "minutes": settings.MFA_ENROLMENT_LINK_MINUTES}, status=410)
