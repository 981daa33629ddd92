from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import DomainNameValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their work email; there is no username."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.email


class OrganisationKind(models.TextChoices):
    NATIONAL_SOCIETY = "national_society", _("National Society")
    IFRC = "ifrc", _("IFRC")
    ICRC = "icrc", _("ICRC")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("member")
    SOCIETY_ADMIN = "society_admin", _("society admin")
    FOCAL_POINT = "focal_point", _("focal point")
    PLATFORM_ADMIN = "platform_admin", _("platform admin")


class NationalSociety(models.Model):
    """An organisation of the Movement whose people use the library.

    Most are National Societies; the IFRC regional office and the ICRC delegations are organisations
    too, so that every account belongs to exactly one of them.
    """

    Kind = OrganisationKind

    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NATIONAL_SOCIETY)
    name = models.CharField(_("name in English"), max_length=200, unique=True)
    local_name = models.CharField(
        _("local name"),
        max_length=200,
        blank=True,
        help_text=_("The name in the organisation's own language, as it signs its documents."),
    )
    country_code = models.CharField(
        _("country code"),
        max_length=2,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Two capital letters (ISO 3166-1 alpha-2)."))],
        help_text=_("ISO 3166-1 alpha-2, such as CO. Blank for a regional IFRC or ICRC office."),
    )
    slug = models.SlugField(unique=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Members of an inactive organisation keep their accounts but hold no role."),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OrganisationKind.values), name="national_society_kind_valid"
            ),
            # Unity, the fourth Fundamental Principle: one National Society in any one country.
            models.UniqueConstraint(
                fields=["country_code"],
                condition=models.Q(kind=OrganisationKind.NATIONAL_SOCIETY),
                name="national_society_one_per_country",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind=OrganisationKind.NATIONAL_SOCIETY, country_code=""),
                name="national_society_has_country_code",
            ),
        ]

    def __str__(self):
        return self.name


class AllowedDomain(models.Model):
    """An email domain whose addresses the organisation may invite: one organisation per domain."""

    national_society = models.ForeignKey(
        NationalSociety, on_delete=models.CASCADE, related_name="allowed_domains"
    )
    domain = models.CharField(
        max_length=253,
        unique=True,
        validators=[DomainNameValidator(accept_idna=False)],
        help_text=_("The part after @, in lower case, such as cruzrojacolombiana.org."),
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(domain=Lower("domain")), name="allowed_domain_lowercase"
            ),
        ]

    def __str__(self):
        return self.domain

    def clean(self):
        self.domain = (self.domain or "").lower()


class Membership(models.Model):
    """The organisation a user belongs to and their role in it: one membership per user."""

    Role = MembershipRole

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    national_society = models.ForeignKey(
        NationalSociety,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["national_society", "user"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="membership_role_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["national_society", "role"], name="membership_society_role_idx"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}, {self.national_society}"
