"""Briefing packs: gather messages for an occasion and reorder them (printing: messages_app/printing)."""

from django.contrib import messages as flash
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from messages_app.briefings import selectors as briefing_selectors, services as briefing_services
from messages_app.catalogue.reads import record_shown, shown
from core.flash import flash_outcome

from messages_app.briefings.forms import BriefingForm, TalkingPointsForm
from messages_app.translations.selectors import in_reader_language


def _form_values(form):
    data = form.cleaned_data
    return {
        "title": data["title"],
        "occasion": data["occasion"],
        "occasion_date": data["occasion_date"],
        "include_notes": data["include_notes"],
    }


@require_safe
def briefing_list(request):
    briefings = briefing_selectors.briefing_list(fetched_by=request.user)
    return render(request, "messages_app/briefings/briefing_list.html", {"briefings": briefings, "form": BriefingForm()})


@require_http_methods(["GET", "POST"])
def briefing_new(request):
    briefing_selectors.briefing_list(fetched_by=request.user)  # the reader check
    identifiers = request.POST.getlist("message") or request.GET.getlist("message")
    chosen = briefing_services.messages_by_identifier(identifiers, fetched_by=request.user)
    form = BriefingForm(request.POST or None) if request.method == "POST" and "title" in request.POST else BriefingForm()
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            briefing = briefing_services.briefing_create(acting_user=request.user, messages=chosen, **_form_values(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            flash.success(request, _("Briefing created."))
            return redirect("messages:briefing", briefing.pk)
    return render(request, "messages_app/briefings/briefing_new.html", {"form": form, "chosen": chosen})


@require_POST
def briefing_add(request):
    """From a message, section, topic or search page: add the messages to a briefing (or a new one)."""
    identifiers = request.POST.getlist("message")
    target = request.POST.get("briefing", "new")
    if target == "new":
        query = urlencode([("message", identifier) for identifier in identifiers])
        return redirect(reverse("messages:briefing_new") + ("?" + query if query else ""))
    try:
        briefing = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=int(target)).briefing
    except ValueError as error:
        raise Http404 from error
    flash_outcome(
        request,
        lambda: briefing_services.briefing_add_messages(
            acting_user=request.user, briefing=briefing, messages=briefing_services.messages_by_identifier(identifiers, fetched_by=request.user)
        ),
        lambda added: _("%(n)d message(s) added to “%(title)s”.") % {"n": added, "title": briefing.title},
    )
    return redirect("messages:briefing", briefing.pk)


def _settings_form(briefing, data=None):
    return BriefingForm(
        data,
        initial={"title": briefing.title, "occasion": briefing.occasion, "occasion_date": briefing.occasion_date, "include_notes": briefing.include_notes},
    )


def _detail_page(request, page, form, refused_points=None):
    """The briefing page. `refused_points`: an item's talking-points form that was refused, shown
    again with what was typed (every other item gets its own form, filled with what is saved)."""
    for item in page.items:
        item.points_form = refused_points if refused_points is not None and refused_points.item.pk == item.pk else TalkingPointsForm(item=item)
    content = in_reader_language(request, messages=[item.message for item in page.items])
    record_shown(request, notes=page.notes, reads=shown([item.message for item in page.items], "briefing"))
    return render(request, "messages_app/briefings/briefing_detail.html", {"page": page, "briefing": page.briefing, "form": form, "content": content})


@require_http_methods(["GET", "POST"])
def briefing_detail(request, briefing_id):
    page = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=briefing_id)
    briefing = page.briefing
    form = _settings_form(briefing, request.POST or None)
    if request.method == "POST" and form.is_valid():
        briefing_services.briefing_update(acting_user=request.user, briefing=briefing, **_form_values(form))
        flash.success(request, _("Briefing saved."))
        return redirect("messages:briefing", briefing.pk)
    return _detail_page(request, page, form)


@require_POST
def briefing_talking_points(request, briefing_id, item_id):
    """Save the author's talking points for one message of the briefing; refused (too long), the
    briefing page again, with what was typed and why."""
    page = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=briefing_id)
    item = next((item for item in page.items if item.pk == item_id), None)
    if item is None:
        raise Http404  # an item of another briefing, or none
    form = TalkingPointsForm(request.POST, item=item)
    if form.is_valid():
        try:
            briefing_services.briefing_set_talking_points(
                acting_user=request.user, briefing=page.briefing, item_id=item.pk, talking_points=form.cleaned_data["talking_points"]
            )
        except ValidationError as error:
            form.add_error("talking_points", error.messages)
        else:
            flash.success(request, _("Your talking points for %(id)s are saved.") % {"id": item.message.identifier})
            return redirect(reverse("messages:briefing", args=[briefing_id]) + f"#item-{item_id}")
    form.show_errors()
    return _detail_page(request, page, _settings_form(page.briefing), refused_points=form)


@require_safe
def briefing_cards(request, briefing_id, number):
    """The briefing as cue cards for a phone: one message a screen, large, with its talking points.
    Records the message shown, as the briefing page records its messages."""
    card = briefing_selectors.briefing_cue_card(fetched_by=request.user, briefing_id=briefing_id, number=number)
    messages = [card.item.message] if card.item is not None else []
    content = in_reader_language(request, messages=messages)
    record_shown(request, reads=shown(messages, "cue card"))
    return render(request, "messages_app/briefings/briefing_cards.html", {"card": card, "content": content})


@require_POST
def briefing_item(request, briefing_id, item_id):
    page = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=briefing_id)
    if not any(item.pk == item_id for item in page.items):
        raise Http404  # an item of another briefing, or none
    action = request.POST.get("action")
    if action in ("up", "down"):
        briefing_services.briefing_move_item(acting_user=request.user, briefing=page.briefing, item_id=item_id, direction=action)
    elif action == "remove":
        briefing_services.briefing_remove_item(acting_user=request.user, briefing=page.briefing, item_id=item_id)
        flash.success(request, _("Message removed from the briefing."))
    return redirect(reverse("messages:briefing", args=[briefing_id]) + f"#item-{item_id}")


@require_POST
def briefing_duplicate(request, briefing_id):
    page = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=briefing_id)
    copy = briefing_services.briefing_duplicate(acting_user=request.user, briefing=page.briefing)
    flash.success(request, _("Briefing duplicated: this is the copy."))
    return redirect("messages:briefing", copy.pk)


@require_http_methods(["GET", "POST"])
def briefing_delete(request, briefing_id):
    page = briefing_selectors.access_briefing_by_id(fetched_by=request.user, briefing_id=briefing_id)
    if request.method == "POST":
        briefing_services.briefing_delete(acting_user=request.user, briefing=page.briefing)
        flash.success(request, _("Briefing deleted."))
        return redirect("messages:briefings")
    return render(request, "messages_app/briefings/briefing_delete.html", {"briefing": page.briefing})
