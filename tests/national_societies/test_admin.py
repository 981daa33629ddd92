"""The Django admin for organisations and memberships, through the full middleware stack."""

from django.urls import reverse

from national_societies.models import Membership, NationalSociety
from tests.factories import MembershipFactory


def test_organisations_are_listed_filtered_and_searched(platform_admin_client):
    url = reverse("admin:national_societies_nationalsociety_changelist")
    page = platform_admin_client.get(url).content.decode()
    assert "Colombian Red Cross" in page and "Cruz Roja Colombiana" in page

    page = platform_admin_client.get(url, {"kind__exact": "icrc"}).content.decode()
    assert "ICRC delegations in the Americas" in page and "Colombian Red Cross" not in page

    page = platform_admin_client.get(url, {"q": "ifrc.org"}).content.decode()
    assert "IFRC Americas Regional Office" in page and "Mexican Red Cross" not in page


def test_a_platform_admin_adds_a_domain_in_lower_case(platform_admin_client):
    colombia = NationalSociety.objects.get(slug="colombia")
    url = reverse("admin:national_societies_nationalsociety_change", args=[colombia.pk])
    assert platform_admin_client.get(url).status_code == 200
    response = platform_admin_client.post(
        url,
        {
            "kind": colombia.kind,
            "name": colombia.name,
            "local_name": colombia.local_name,
            "country_code": colombia.country_code,
            "slug": colombia.slug,
            "is_active": "on",
            "allowed_domains-TOTAL_FORMS": "1",
            "allowed_domains-INITIAL_FORMS": "0",
            "allowed_domains-0-domain": " CruzRojaColombiana.ORG ",
        },
    )
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert list(colombia.allowed_domains.values_list("domain", flat=True)) == ["cruzrojacolombiana.org"]


def test_the_user_page_shows_the_membership(platform_admin_client):
    membership = MembershipFactory(role=Membership.Role.SOCIETY_ADMIN)
    page = platform_admin_client.get(
        reverse("admin:national_societies_user_change", args=[membership.user.pk])
    ).content.decode()
    assert "membership-0-role" in page and membership.national_society.name in page

    changelist = platform_admin_client.get(
        reverse("admin:national_societies_user_changelist"), {"membership__role__exact": "society_admin"}
    ).content.decode()
    assert membership.user.email in changelist and "platform@ifrc.example.org" not in changelist


def test_a_member_does_not_reach_the_admin(member_client):
    response = member_client.get(reverse("admin:national_societies_nationalsociety_changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
