import pytest

from national_societies.models import AllowedDomain


@pytest.fixture
def colombia_domains(colombia):
    return AllowedDomain.objects.create(national_society=colombia, domain="colombia.example.org")
