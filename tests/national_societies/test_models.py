"""The organisations the data migration ships, and the constraints that keep memberships sound."""

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from national_societies import organisations_data
from national_societies.models import AllowedDomain, Membership, NationalSociety
from tests.factories import MembershipFactory, NationalSocietyFactory, UserFactory

DATA_MIGRATION = "national_societies.migrations.0003_americas_organisations"


def test_data_migration_ships_35_national_societies_one_ifrc_and_one_icrc_office(db):
    kinds = NationalSociety.Kind
    assert NationalSociety.objects.filter(kind=kinds.NATIONAL_SOCIETY).count() == 35
    assert NationalSociety.objects.filter(kind=kinds.IFRC).count() == 1
    assert NationalSociety.objects.filter(kind=kinds.ICRC).count() == 1
    assert NationalSociety.objects.count() == 37
    assert not NationalSociety.objects.filter(is_active=False).exists()


def test_every_national_society_has_its_own_two_letter_iso_code(db):
    codes = list(
        NationalSociety.objects.filter(kind=NationalSociety.Kind.NATIONAL_SOCIETY).values_list(
            "country_code", flat=True
        )
    )
    assert len(codes) == len(set(codes)) == 35
    assert all(len(code) == 2 and code.isascii() and code.isalpha() and code.isupper() for code in codes)
    regional = NationalSociety.objects.exclude(kind=NationalSociety.Kind.NATIONAL_SOCIETY)
    assert set(regional.values_list("country_code", flat=True)) == {""}


@pytest.mark.parametrize(
    "slug, kind, name, local_name, country_code",
    [
        ("colombia", "national_society", "Colombian Red Cross", "Cruz Roja Colombiana", "CO"),
        ("mexico", "national_society", "Mexican Red Cross", "Cruz Roja Mexicana", "MX"),
        ("brazil", "national_society", "Brazilian Red Cross", "Cruz Vermelha Brasileira", "BR"),
        (
            "haiti",
            "national_society",
            "Haitian National Red Cross Society",
            "Société Nationale de la Croix-Rouge Haïtienne",
            "HT",
        ),
        ("suriname", "national_society", "Suriname Red Cross", "Het Surinaamse Rode Kruis", "SR"),
        ("united-states", "national_society", "American Red Cross", "American Red Cross", "US"),
        (
            "ifrc-americas",
            "ifrc",
            "IFRC Americas Regional Office",
            "Oficina Regional de la FICR para las Américas",
            "",
        ),
        (
            "icrc-americas",
            "icrc",
            "ICRC delegations in the Americas",
            "Delegaciones del CICR en las Américas",
            "",
        ),
    ],
)
def test_shipped_organisation(db, slug, kind, name, local_name, country_code):
    organisation = NationalSociety.objects.get(slug=slug)
    assert (organisation.kind, organisation.name, organisation.local_name, organisation.country_code) == (
        kind,
        name,
        local_name,
        country_code,
    )


def test_only_the_ifrc_and_icrc_get_email_domains_from_the_migration(db):
    assert sorted(AllowedDomain.objects.values_list("national_society__slug", "domain")) == [
        ("icrc-americas", "icrc.org"),
        ("ifrc-americas", "ifrc.org"),
    ]


def test_database_matches_organisations_data(db):
    """Editing organisations_data.py without a data migration that copies the change fails here."""
    shipped = set(
        NationalSociety.objects.values_list("slug", "kind", "name", "local_name", "country_code")
    )
    assert shipped == set(organisations_data.ORGANISATIONS)
    domains = set(AllowedDomain.objects.values_list("national_society__slug", "domain"))
    assert domains == set(organisations_data.ALLOWED_DOMAINS)


@pytest.mark.db_independent
def test_data_migration_is_a_frozen_copy_that_never_imports_the_data_module():
    migration = importlib.import_module(DATA_MIGRATION)
    tree = ast.parse(Path(migration.__file__).read_text())
    imported = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported == {"django.db"}
    assert migration.ORGANISATIONS == organisations_data.ORGANISATIONS


def test_data_migration_is_idempotent_and_reversible(db):
    migration = importlib.import_module(DATA_MIGRATION)
    colombia = NationalSociety.objects.get(slug="colombia")
    NationalSociety.objects.filter(pk=colombia.pk).update(local_name="renamed by hand", is_active=False)

    migration.create_organisations(apps, schema_editor=None)

    assert NationalSociety.objects.count() == 37
    assert AllowedDomain.objects.count() == 2
    colombia.refresh_from_db()
    assert colombia.local_name == "Cruz Roja Colombiana"
    assert colombia.is_active is False, "a platform admin's deactivation survives a re-run"
    (operation,) = migration.Migration.operations
    assert operation.reversible


def test_one_membership_per_user(db):
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=membership.user, national_society=NationalSocietyFactory())


def test_role_outside_the_choices_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), national_society=NationalSocietyFactory(), role="owner")


def test_one_national_society_per_country(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalSocietyFactory(country_code="CO")


def test_a_regional_office_may_share_a_country_or_have_none(db):
    NationalSocietyFactory(kind=NationalSociety.Kind.IFRC, country_code="CO")
    NationalSocietyFactory(kind=NationalSociety.Kind.ICRC, country_code="")


def test_a_national_society_needs_a_country_code(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        NationalSocietyFactory(country_code="")


def test_country_code_is_validated_as_two_capital_letters(db):
    with pytest.raises(ValidationError) as error:
        NationalSocietyFactory.build(country_code="co").full_clean()
    assert "country_code" in error.value.message_dict


def test_allowed_domain_is_lower_case(db):
    domain = AllowedDomain(national_society=NationalSocietyFactory(), domain="CruzRoja.Example.ORG")
    domain.full_clean()
    assert domain.domain == "cruzroja.example.org"
    with pytest.raises(IntegrityError), transaction.atomic():
        AllowedDomain.objects.create(national_society=NationalSocietyFactory(), domain="Upper.Example.org")


def test_allowed_domain_belongs_to_one_organisation(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        AllowedDomain.objects.create(national_society=NationalSocietyFactory(), domain="ifrc.org")


def test_an_organisation_with_members_cannot_be_deleted(db):
    membership = MembershipFactory()
    with pytest.raises(ProtectedError):
        membership.national_society.delete()
