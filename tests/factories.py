import string

import factory

from national_societies.models import Membership, NationalSociety, User

TEST_PASSWORD = "a-long-test-password-42"

# Two-letter codes that no shipped organisation uses (no country of the Americas starts with Q, X or Z),
# so factory societies never collide with the ones the data migration creates.
_FREE_COUNTRY_CODES = [first + second for first in "QXZ" for second in string.ascii_uppercase]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@colombia.example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class NationalSocietyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NationalSociety

    kind = NationalSociety.Kind.NATIONAL_SOCIETY
    name = factory.Sequence(lambda n: f"Test Red Cross Society {n}")
    local_name = factory.Sequence(lambda n: f"Sociedad de la Cruz Roja de Prueba {n}")
    country_code = factory.Sequence(lambda n: _FREE_COUNTRY_CODES[n % len(_FREE_COUNTRY_CODES)])
    slug = factory.Sequence(lambda n: f"test-society-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    national_society = factory.SubFactory(NationalSocietyFactory)
    role = Membership.Role.MEMBER
