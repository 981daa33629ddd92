"""The editors' and reviewers' pages: drafts of the next edition, their review and publication."""

import re
from datetime import UTC

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.identifiers import IDENTIFIER_RE
from messages_app.catalogue.content_export import edition_content
from messages_app.catalogue.content_file import write_content
from messages_app.catalogue.models import Document, Edition
from messages_app.editorial import permissions, selectors, services
from messages_app.editorial.drafts import draft_yaml
from messages_app.editorial.forms import (
    DocumentSettingsForm, FrameForm, ImportForm, MessageForm, NewDocumentForm, NewSectionForm, PublishForm, ReviewForm,
    RoleForm, SectionForm, TopicsForm,
)
from messages_app.editorial.models import DocumentRole, DraftMessage, DraftReview, DraftSection


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _save_revisioned(form, save, revision_of) -> tuple[bool, object]:
    """Run `save` (a service call given the form's base revision): (saved, the other save on a conflict).
    On an EditConflict nothing was written; the form keeps what was typed and now starts from the other
    save's revision, so that saving again replaces it knowingly. Bad input lands on the form."""
    try:
        save()
    except services.EditConflict as clash:
        form.data = form.data.copy()
        form.data["revision"] = revision_of(clash.current)
        return False, clash.current
    except ValidationError as error:
        _form_errors(form, error)
        return False, None
    return True, None


def _form_page(request, template, context, form, conflict=None):
    """A form page: 409 after a conflict, 400 with errors, else 200."""
    return render(request, template, {**context, "form": form, "conflict": conflict}, status=409 if conflict else (400 if form.errors else 200))


def _act(request, action, success) -> bool:
    """Run a service call and flash its outcome. Bad input (ValidationError) is flashed; a refusal
    (NotAllowed) is not caught: it is answered 403 and recorded in the access log as a denial."""
    try:
        result = action()
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return False
    flash.success(request, success(result) if callable(success) else success)
    return True


def _draft_url(draft, anchor: str = "", saved: str = "") -> str:
    """The draft's page; `saved` names the form whose text the server now has (its copy kept in the
    browser tab, static/js/app.js, is dropped there)."""
    query = f"?saved={saved}" if saved else ""
    return reverse("editorial:draft", args=[draft.pk]) + query + (f"#{anchor}" if anchor else "")


_SAVED_KEY = re.compile(r"^[0-9]+-[A-Za-z0-9.-]{1,80}$")
_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_LABEL = re.compile(r"^[^\x00-\x1f]{1,50}$")


def _key(value: str) -> str:
    """A section key from a query or form, or "" (never sent to the database otherwise: PostgreSQL
    refuses a NUL, and nothing else could match)."""
    return value if _KEY.match(value or "") else ""


def _identifier(value: str) -> str:
    value = (value or "").upper()
    return value if IDENTIFIER_RE.match(value) else ""


@require_safe
def editorial_home(request):
    desks = selectors.editorial_home(fetched_by=request.user)
    return render(
        request, "messages_app/editorial/home.html",
        {"desks": desks, "manages_roles": permissions.can_manage_document_roles(request.user), "creates": permissions.can_create_document(request.user)},
    )


@require_http_methods(["GET", "POST"])
def document_new(request):
    if not permissions.can_create_document(request.user):
        raise Http404("Nothing to edit here.")
    form = NewDocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = services.document_create(
                acting_user=request.user, slug=data["slug"], title=data["title"], original_language=data["original_language"],
                audience_all=data["audience_all"], audience=list(data["audience"]), section_title=data["section_title"],
                section_key=data["section_key"], section_prefix=data["section_prefix"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            flash.success(request, _("The document is started: write its first edition, then submit it for review."))
            return redirect("editorial:draft", draft.pk)
    return render(request, "messages_app/editorial/document_new.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def document_settings(request, document_slug):
    document = Document.objects.filter(slug=document_slug).first()
    if document is None or not permissions.can_manage_document_roles(request.user):
        raise Http404("No such document.")
    initial = {
        "audience_all": "1" if document.audience_all else "0", "audience": list(document.audience.all()),
        "approving_organisations": list(document.approving_organisations.all()), "retired": document.retired_at is not None,
    }
    form = DocumentSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.document_settings_save(
                acting_user=request.user, document=document, audience_all=data["audience_all"], audience=list(data["audience"]),
                approving_organisations=list(data["approving_organisations"]), retired=data["retired"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            flash.success(request, _("The document's settings are saved."))
            return redirect("editorial:home")
    return render(request, "messages_app/editorial/document_settings.html", {"document": document, "form": form}, status=400 if form.errors else 200)


@require_POST
def draft_start(request, document_slug):
    document = selectors.access_document_by_slug(fetched_by=request.user, slug=document_slug, need_editor=True)
    try:
        draft = services.draft_start(acting_user=request.user, document=document)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("editorial:home")
    flash.success(request, _("Draft of edition %(label)s started: a copy of the current edition.") % {"label": draft.label})
    return redirect("editorial:draft", draft.pk)


@require_safe
def draft_detail(request, draft_id):
    page = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id)
    me = request.user.pk
    context = {
        "page": page,
        "draft": page.draft,
        "can_edit": permissions.can_edit_draft(request.user, page.draft),
        "can_review": permissions.can_review_draft(request.user, page.draft),
        "can_approve": permissions.can_approve_draft(request.user, page.draft, page.author_ids),
        "can_publish": permissions.can_publish_draft(request.user, page.draft, page.missing_approvals),
        "i_am_author": me in page.author_ids,
        "review_form": ReviewForm(),
        "saved_form": saved if _SAVED_KEY.match(saved := request.GET.get("saved", "")) else "",
    }
    return render(request, "messages_app/editorial/draft.html", context)


@require_safe
def draft_preview(request, draft_id):
    page = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id)
    return render(request, "messages_app/editorial/preview.html", {"page": page, "draft": page.draft})


def _topic_choices(draft):
    return [(slug, name) for slug, name in draft.topics]


@require_http_methods(["GET", "POST"])
def draft_message_edit(request, draft_id, identifier):
    draft, message, current_text = selectors.access_draft_message(fetched_by=request.user, draft_id=draft_id, identifier=identifier)
    permissions.can_edit_draft(request.user, draft).enforce()
    form = MessageForm(
        request.POST or None, topic_choices=_topic_choices(draft),
        initial={"text": message.text, "topics": message.topics, "revision": message.revision},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, conflict = _save_revisioned(
            form,
            lambda: services.draft_message_save(
                acting_user=request.user, draft=draft, identifier=message.identifier, text=data["text"], topics=data["topics"],
                base_revision=data["revision"] or 0,
            ),
            lambda current: current.revision,
        )
        if saved:
            flash.success(request, _("%(identifier)s saved.") % {"identifier": message.identifier})
            return redirect(_draft_url(draft, f"m-{message.identifier}", saved=f"{draft.pk}-{message.identifier}"))
    return _form_page(
        request, "messages_app/editorial/message_edit.html",
        {"draft": draft, "message": message, "current_text": current_text, "sections": selectors.draft_sections(draft)},
        form, conflict,
    )


@require_http_methods(["GET", "POST"])
def draft_message_new(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    sections = DraftSection.objects.filter(draft=draft).order_by("position")
    section = sections.filter(key=_key(request.GET["section"])).first() if "section" in request.GET else sections.first()
    if section is None:
        raise Http404("No such section in this draft.")
    parent = None
    if "parent" in request.GET:
        parent = DraftMessage.objects.filter(draft=draft, identifier=_identifier(request.GET["parent"])).first()
        if parent is None:
            raise Http404("No such message in this draft.")
    form = MessageForm(request.POST or None, topic_choices=_topic_choices(draft))
    if request.method == "POST" and form.is_valid():
        try:
            message = services.draft_message_add(
                acting_user=request.user, draft=draft, section=section, parent=parent,
                text=form.cleaned_data["text"], topics=form.cleaned_data["topics"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            flash.success(request, _("%(identifier)s added.") % {"identifier": message.identifier})
            form_key = f"{draft.pk}-new-{section.key}" + (f"-{parent.identifier}" if parent else "")
            return redirect(_draft_url(draft, f"m-{message.identifier}", saved=form_key))
    return render(
        request, "messages_app/editorial/message_new.html",
        {"draft": draft, "section": section, "parent": parent, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def draft_message_action(request, draft_id, identifier):
    draft, message, _current = selectors.access_draft_message(fetched_by=request.user, draft_id=draft_id, identifier=identifier)
    permissions.can_edit_draft(request.user, draft).enforce()
    action = request.POST.get("action", "")
    if action in ("retire", "restore"):
        call = lambda: services.draft_message_retire(acting_user=request.user, draft=draft, message=message, retired=action == "retire")  # noqa: E731
        done = _("%(identifier)s retired from the next edition.") if action == "retire" else _("%(identifier)s is back in the next edition.")
    elif action in ("up", "down"):
        call = lambda: services.draft_message_move(acting_user=request.user, draft=draft, message=message, direction=action)  # noqa: E731
        done = _("%(identifier)s moved.")
    elif action == "section":
        section = DraftSection.objects.filter(draft=draft, key=_key(request.POST.get("section", ""))).first()
        if section is None:
            raise Http404("No such section in this draft.")
        call = lambda: services.draft_message_move(acting_user=request.user, draft=draft, message=message, section=section)  # noqa: E731
        done = _("%(identifier)s moved to another section.")
    else:
        flash.error(request, _("Choose what to do with the message."))
        return redirect(_draft_url(draft, f"m-{message.identifier}"))
    _act(request, call, done % {"identifier": message.identifier})
    return redirect(_draft_url(draft, f"m-{message.identifier}"))


@require_http_methods(["GET", "POST"])
def draft_frame(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    initial = {
        "label": draft.label, "release_note": draft.release_note, "summary": draft.summary,
        "introduction": "\n\n".join(draft.introduction), "handling_rules": "\n\n".join(draft.handling_rules),
        "contacts": "\n\n".join(draft.contacts), "revision": draft.frame_revision,
    }
    form = FrameForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        texts = services.FrameTexts(
            label=data["label"], release_note=data["release_note"], introduction=data["introduction"],
            handling_rules=data["handling_rules"], contacts=data["contacts"], summary=data["summary"],
        )
        saved, conflict = _save_revisioned(
            form,
            lambda: services.draft_frame_save(acting_user=request.user, draft=draft, texts=texts, base_revision=data["revision"] or 0),
            lambda current: current.frame_revision,
        )
        if saved:
            flash.success(request, _("The edition's texts are saved."))
            return redirect(_draft_url(draft, "frame", saved=f"{draft.pk}-texts"))
    return _form_page(request, "messages_app/editorial/frame_edit.html", {"draft": draft}, form, conflict)


@require_http_methods(["GET", "POST"])
def draft_topics(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    initial = {"topics": "\n".join(f"{slug}: {name}" for slug, name in draft.topics), "revision": draft.frame_revision}
    form = TopicsForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, conflict = _save_revisioned(
            form,
            lambda: services.draft_topics_save(acting_user=request.user, draft=draft, topics=data["topics"], base_revision=data["revision"] or 0),
            lambda current: current.frame_revision,
        )
        if saved:
            flash.success(request, _("The topics are saved."))
            return redirect(_draft_url(draft, "frame", saved=f"{draft.pk}-topics"))
    return _form_page(request, "messages_app/editorial/topics_edit.html", {"draft": draft}, form, conflict)


@require_http_methods(["GET", "POST"])
def draft_section_edit(request, draft_id, key):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    section = DraftSection.objects.filter(draft=draft, key=key).first()
    if section is None:
        raise Http404("No such section in this draft.")
    form = SectionForm(request.POST or None, initial={"title": section.title, "number": section.number, "lead": section.lead, "revision": section.revision})
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, conflict = _save_revisioned(
            form,
            lambda: services.draft_section_save(
                acting_user=request.user, draft=draft, section=section, title=data["title"], number=data["number"],
                lead=data["lead"], base_revision=data["revision"] or 0,
            ),
            lambda current: current.revision,
        )
        if saved:
            flash.success(request, _("Section saved."))
            return redirect(_draft_url(draft, f"s-{section.key}", saved=f"{draft.pk}-section-{section.key}"))
    return _form_page(request, "messages_app/editorial/section_edit.html", {"draft": draft, "section": section}, form, conflict)


@require_http_methods(["GET", "POST"])
def draft_section_new(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    parents = [s for s in selectors.draft_sections(draft) if s.parent_id is None]
    form = NewSectionForm(request.POST or None, parent_choices=[(s.pk, s.title) for s in parents])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        parent = next((s for s in parents if s.pk == data["parent"]), None)
        try:
            section = services.draft_section_add(
                acting_user=request.user, draft=draft, key=data["key"], title=data["title"], prefix=data["prefix"], parent=parent,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            flash.success(request, _("Section added: now add its first message."))
            return redirect(reverse("editorial:message_new", args=[draft.pk]) + f"?section={section.key}")
    return render(request, "messages_app/editorial/section_new.html", {"draft": draft, "form": form}, status=400 if form.errors else 200)


@require_POST
def draft_section_move(request, draft_id, key):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    section = DraftSection.objects.filter(draft=draft, key=key).first()
    if section is None:
        raise Http404("No such section in this draft.")
    _act(
        request, lambda: services.draft_section_move(acting_user=request.user, draft=draft, section=section, direction=request.POST.get("direction", "")),
        _("Section moved."),
    )
    return redirect(_draft_url(draft, f"s-{section.key}"))


@require_POST
def draft_submit(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_document(request.user, draft.document).enforce()
    _act(request, lambda: services.draft_submit(acting_user=request.user, draft=draft), _("Submitted for review: the reviewers are told by email."))
    return redirect("editorial:draft", draft.pk)


@require_POST
def draft_review(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    form = ReviewForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Choose approve, request changes or comment."))
        return redirect("editorial:draft", draft.pk)
    data = form.cleaned_data
    identifier = _identifier(data["message"])
    if data["message"] and not identifier:
        raise Http404("No such message in this draft.")
    done = {
        DraftReview.Decision.APPROVED: _("You approved the draft."),
        DraftReview.Decision.CHANGES_REQUESTED: _("Your request for changes is sent to the editors."),
        DraftReview.Decision.COMMENT: _("Your comment is sent to the editors."),
    }[data["decision"]]
    _act(
        request,
        lambda: services.draft_review(acting_user=request.user, draft=draft, decision=data["decision"], comment=data["comment"], message_identifier=identifier),
        done,
    )
    return redirect(_draft_url(draft, f"m-{identifier}" if identifier else "review"))


@require_POST
def draft_review_resolve(request, draft_id, review_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    review = DraftReview.objects.filter(draft=draft, pk=review_id).first()
    if review is None:
        raise Http404("No such review.")
    _act(request, lambda: services.draft_review_resolve(acting_user=request.user, draft=draft, review=review), _("Marked as dealt with."))
    return redirect(_draft_url(draft, "review"))


@require_http_methods(["GET", "POST"])
def draft_publish(request, draft_id):
    page = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id)
    draft = page.draft
    permissions.can_edit_document(request.user, draft.document).enforce()
    decision = permissions.can_publish_draft(request.user, draft, page.missing_approvals)
    form = PublishForm(request.POST or None)
    if request.method == "POST":
        decision.enforce()
        if form.is_valid():
            when = form.cleaned_data["publish_at"] if form.cleaned_data["when"] == "later" else None
            if when is not None and timezone.is_naive(when):
                when = timezone.make_aware(when, UTC)
            if when is not None and when <= timezone.now():
                form.add_error("publish_at", _("Choose a time in the future, or publish now."))
            else:
                try:
                    edition = services.draft_publish(acting_user=request.user, draft=draft, publish_at=when)
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    if edition is None:
                        flash.success(request, _("Publication scheduled."))
                        return redirect("editorial:draft", draft.pk)
                    flash.success(request, _("Edition %(label)s is published.") % {"label": edition.label})
                    return redirect("editorial:home")
    return render(
        request, "messages_app/editorial/publish.html", {"page": page, "draft": draft, "form": form, "decision": decision},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def draft_discard(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    permissions.can_edit_draft(request.user, draft).enforce()
    if request.method == "POST":
        services.draft_discard(acting_user=request.user, draft=draft)
        flash.success(request, _("Draft discarded. The published edition is unchanged."))
        return redirect("editorial:home")
    return render(request, "messages_app/editorial/discard.html", {"draft": draft})


def _yaml_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def draft_export(request, draft_id):
    draft = selectors.access_draft_by_id(fetched_by=request.user, draft_id=draft_id).draft
    return _yaml_response(draft_yaml(draft), f"{draft.document.slug}-draft-{draft.pk}.yaml")


@require_safe
def edition_export(request, document_slug, label):
    document = selectors.access_document_by_slug(fetched_by=request.user, slug=document_slug)
    edition = Edition.objects.filter(document=document, label=label).first() if _LABEL.match(label) else None
    if edition is None:
        raise Http404("No such edition.")
    services.record_edition_export(acting_user=request.user, edition=edition)
    header = _("%(title)s, edition %(label)s, exported from Key Messages. Not public: do not share outside the Movement.") % {
        "title": document.title, "label": edition.label,
    }
    return _yaml_response(write_content(edition_content(edition), header=header), f"{document.slug}-{edition.label}.yaml")


@require_http_methods(["GET", "POST"])
def draft_import(request, document_slug):
    document = selectors.access_document_by_slug(fetched_by=request.user, slug=document_slug, need_editor=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            raw = upload.read(2_000_000 + 1).decode("utf-8")
            if len(raw) > 2_000_000:
                raise ValidationError(_("The file is larger than 2 MB."))
            draft = services.draft_import(acting_user=request.user, document=document, raw=raw, source_name=upload.name)
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            flash.success(request, _("The file is now a draft: check it, then submit it for review."))
            return redirect("editorial:draft", draft.pk)
    return render(request, "messages_app/editorial/import.html", {"document": document, "form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def document_roles(request, document_slug):
    document = Document.objects.filter(slug=document_slug).first()
    if document is None or not permissions.can_manage_document_roles(request.user):
        raise Http404("No such document.")  # who edits what is not shown to those who cannot change it
    form = RoleForm(request.POST or None)
    if request.method == "POST":
        if revoke := request.POST.get("revoke"):
            role = DocumentRole.objects.filter(document=document, pk=revoke if revoke.isdigit() else 0).select_related("user", "document").first()
            if role is None:
                raise Http404("No such role.")
            services.document_role_revoke(acting_user=request.user, role=role)
            flash.success(request, _("Role taken away from %(email)s.") % {"email": role.user.email})
            return redirect("editorial:roles", document.slug)
        if form.is_valid():
            user = get_user_model().objects.filter(email__iexact=form.cleaned_data["email"]).first()
            if user is None:
                form.add_error("email", _("No account has this email: invite the person first."))
            else:
                try:
                    services.document_role_grant(acting_user=request.user, document=document, user=user, kind=form.cleaned_data["kind"])
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    flash.success(request, _("%(email)s is now %(role)s of this document.") % {"email": user.email, "role": DocumentRole.Kind(form.cleaned_data["kind"]).label})
                    return redirect("editorial:roles", document.slug)
    roles = DocumentRole.objects.filter(document=document).select_related("user", "user__membership__national_society", "granted_by").order_by("kind", "user__email")
    return render(request, "messages_app/editorial/roles.html", {"document": document, "roles": roles, "form": form}, status=400 if form.errors else 200)

