"""Each organisation named in the reader's language where it has an official name in it (data
migration 0011, NationalSociety.official_name, the `organisation_name` filter), on the pages people
read and in the emails written in their recipient's language; the access log's records keep the name
they were written with."""

import html
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import Action, AuditEvent, AuditFlag
from console.services import audit_alerts_send
from national_societies import organisations_data
from national_societies.models import AllowedDomain, NationalSociety
from tests.accounts import sign_in
from tests.audit_log import actor_fields

NAMES_MIGRATION = "national_societies.migrations.0012_nationalsociety_official_names"


def in_language(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def page(client, url, language):
    response = in_language(client, language).get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.content.decode())


# --- The names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug, language, expected",
    [
        ("colombia", "es", "Cruz Roja Colombiana"),
        ("colombia", "en", "Colombian Red Cross"),
        ("colombia", "fr", "Colombian Red Cross"),  # no official French name: the English one
        ("brazil", "pt-br", "Cruz Vermelha Brasileira"),
        ("brazil", "pt-BR", "Cruz Vermelha Brasileira"),
        ("brazil", "pt_BR", "Cruz Vermelha Brasileira"),
        ("brazil", "es", "Brazilian Red Cross"),
        ("haiti", "fr", "Société Nationale de la Croix-Rouge Haïtienne"),
        ("canada", "fr", "Société canadienne de la Croix-Rouge"),
        ("canada", "en", "Canadian Red Cross Society"),
        ("suriname", "es", "Suriname Red Cross"),
        ("ifrc-americas", "es", "Oficina Regional de la FICR para las Américas"),
        ("ifrc-americas", "fr", "Bureau régional de la FICR pour les Amériques"),
        ("ifrc-americas", "pt-br", "Escritório Regional da FICV para as Américas"),
        ("icrc-americas", "pt-br", "Delegações do CICR nas Américas"),
        ("icrc-americas", None, "ICRC delegations in the Americas"),
    ],
)
def test_an_organisation_is_named_in_the_readers_language_where_it_has_an_official_name(db, slug, language, expected):
    assert NationalSociety.objects.get(slug=slug).official_name(language) == expected


def test_the_database_has_the_official_names_of_organisations_data(db):
    stored = {slug: names for slug, names in NationalSociety.objects.values_list("slug", "official_names") if names}
    assert stored == organisations_data.OFFICIAL_NAMES
    every_spanish_name = {names.get("es") for names in organisations_data.OFFICIAL_NAMES.values()} - {None}
    assert all(not re.search(r"\b(IFRC|ICRC)\b", name) for name in every_spanish_name)


@pytest.mark.db_independent
def test_the_data_migration_holds_a_frozen_copy_of_the_names():
    migration = importlib.import_module(NAMES_MIGRATION)
    assert migration.OFFICIAL_NAMES == organisations_data.OFFICIAL_NAMES
    assert "organisations_data" not in Path(migration.__file__).read_text().split('"""', 2)[2]
    languages = {code for code, _name in settings.LANGUAGES}
    assert {language for names in migration.OFFICIAL_NAMES.values() for language in names} <= languages


def test_the_data_migration_runs_again_safely(db):
    colombia = NationalSociety.objects.get(slug="colombia")
    NationalSociety.objects.filter(pk=colombia.pk).update(official_names={})
    importlib.import_module(NAMES_MIGRATION).fill_official_names(apps, None)
    importlib.import_module(NAMES_MIGRATION).fill_official_names(apps, None)
    colombia.refresh_from_db()
    assert colombia.official_names == {"es": "Cruz Roja Colombiana"}


def test_a_platform_admin_sets_the_official_names_one_field_per_language(platform_admin_client, colombia):
    url = reverse("admin:national_societies_nationalsociety_change", args=[colombia.pk])
    form = platform_admin_client.get(url).content.decode()
    assert 'name="official_name_es" value="Cruz Roja Colombiana"' in form
    response = platform_admin_client.post(
        url,
        {
            "kind": colombia.kind, "name": colombia.name, "local_name": colombia.local_name, "country_code": colombia.country_code,
            "slug": colombia.slug, "is_active": "on", "official_name_es": " Cruz Roja Colombiana ", "official_name_fr": "",
            "official_name_pt_br": "Cruz Vermelha Colombiana",
            "allowed_domains-TOTAL_FORMS": "0", "allowed_domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    colombia.refresh_from_db()
    assert colombia.official_names == {"es": "Cruz Roja Colombiana", "pt-br": "Cruz Vermelha Colombiana"}


# --- Where people read them -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, name",
    [("en", "Colombian Red Cross"), ("es", "Cruz Roja Colombiana"), ("fr", "Colombian Red Cross"), ("pt-br", "Colombian Red Cross")],
)
def test_the_members_page_my_account_and_the_watermark_name_the_society_in_the_readers_language(admin_a_client, colombia, language, name):
    members = page(admin_a_client, reverse("national_societies:members", args=[colombia.slug]), language)
    with translation.override(language):
        heading = translation.gettext("Members of %(name)s") % {"name": name}
    assert re.search(rf"<h1>\s*{re.escape(heading)}\s*</h1>", members)
    assert f"· {name} ·" in members  # the reader's watermark
    account = page(admin_a_client, reverse("national_societies:my_account"), language)
    assert f"<dd>{name}</dd>" in account


def test_the_local_name_is_shown_beside_the_heading_only_when_it_differs(admin_a_client, colombia):
    english = page(admin_a_client, reverse("national_societies:members", args=[colombia.slug]), "en")
    assert '<p class="meta">Cruz Roja Colombiana</p>' in english
    spanish = page(admin_a_client, reverse("national_societies:members", args=[colombia.slug]), "es")
    assert '<p class="meta">Cruz Roja Colombiana</p>' not in spanish


def test_the_regional_overview_names_and_sorts_by_the_readers_names(ifrc_focal_client, library):
    portuguese = page(ifrc_focal_client, reverse("console:regional_overview"), "pt-br")
    assert "Escritório Regional da FICV para as Américas" in portuguese and "Cruz Vermelha Brasileira" in portuguese
    spanish = page(ifrc_focal_client, reverse("console:regional_overview"), "es")
    rows = re.findall(r'<th scope="row"><a href="/audit/organisations/([a-z-]+)/">([^<]+)</a>', spanish)
    names = [name for _slug, name in rows]
    assert "Cruz Roja Colombiana" in names and "Colombian Red Cross" not in names
    assert names.index("Cruz Roja Colombiana") < names.index("Cruz Roja Ecuatoriana") < names.index("Cruz Roja Mexicana")
    assert names.index("Canadian Red Cross Society") < names.index("Cruz Roja Argentina")  # C-a before C-r, accents aside


def test_the_organisation_page_and_the_console_filter_name_it_in_the_readers_language(ifrc_focal_client, library):
    activity = page(ifrc_focal_client, reverse("console:organisation", args=["mexico"]), "es")
    assert "Cruz Roja Mexicana" in activity and "Mexican Red Cross" not in activity
    events = page(ifrc_focal_client, reverse("console:events"), "fr")
    assert '<option value="haiti">Société Nationale de la Croix-Rouge Haïtienne</option>' in events


def test_the_access_log_names_an_actors_organisation_in_the_readers_language_while_it_bears_the_recorded_name(
    ifrc_focal_client, member_a, member_b, library, django_assert_num_queries
):
    AuditEvent.objects.create(occurred_at=timezone.now(), action=Action.SEARCHED, query="agua", **actor_fields(member_a))
    renamed = {**actor_fields(member_b), "actor_organisation": "Mexican Red Cross (old name)"}
    AuditEvent.objects.create(occurred_at=timezone.now(), action=Action.SEARCHED, query="agua", **renamed)
    events = page(ifrc_focal_client, reverse("console:events"), "es")
    assert "Cruz Roja Colombiana · " in events
    assert "Mexican Red Cross (old name) · " in events and "Cruz Roja Mexicana · " not in events  # as recorded
    with CaptureQueriesContext(connection) as two:
        ifrc_focal_client.get(reverse("console:events"))
    for _ in range(5):
        AuditEvent.objects.create(occurred_at=timezone.now(), action=Action.SEARCHED, query="más", **actor_fields(member_b))
    with django_assert_num_queries(len(two.captured_queries)):
        ifrc_focal_client.get(reverse("console:events"))


def test_the_alerts_digest_names_the_organisation_in_each_recipients_language(ifrc_focal, icrc_focal, colombia, library):
    ifrc_focal.language = "es"
    ifrc_focal.save(update_fields=["language"])
    now = timezone.now()
    AuditFlag.objects.create(
        rule="many_messages", subject="member@colombia.example.org", actor_organisation_id=colombia.pk,
        actor_organisation=colombia.name, window_start=now, window_end=now, summary="40 messages",
    )
    mail.outbox.clear()
    audit_alerts_send()
    by_recipient = {message.to[0]: message.body for message in mail.outbox}
    assert "(Cruz Roja Colombiana)" in by_recipient[ifrc_focal.email]
    assert "(Colombian Red Cross)" in by_recipient[icrc_focal.email]


def test_the_invitation_email_names_the_society_in_the_invitees_language(admin_a_client, colombia, mailoutbox):
    AllowedDomain.objects.create(national_society=colombia, domain="colombia.example.org")
    url = reverse("national_societies:invitation_new", args=[colombia.slug])
    for email, language, name in [("uno@colombia.example.org", "es", "Cruz Roja Colombiana"), ("one@colombia.example.org", "en", "Colombian Red Cross")]:
        assert admin_a_client.post(url, {"email": email, "role": "member", "language": language}).status_code == 302
        [message] = [m for m in mailoutbox if m.to == [email]]
        assert name in message.subject and name in message.body


def test_a_notes_page_names_the_society_in_the_readers_language(member_a, library):
    client = sign_in(Client(), member_a)
    overview = page(client, reverse("messages:notes_overview"), "es")
    assert "Cruz Roja Colombiana" in overview and "Colombian Red Cross" not in overview.split("<main", 1)[1].split("</main>")[0]
