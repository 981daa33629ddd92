from django.conf import settings
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
    language = models.CharField(
        _("interface language"),
        max_length=8,
        blank=True,
        help_text=_("Chosen with the language switcher; empty means the browser's language."),
    )

    edition_notifications = models.CharField(
        _("emails about new editions"),
        max_length=10,
        blank=True,
        choices=[("each", _("An email for each new edition")), ("digest", _("A weekly digest")), ("none", _("No email"))],
        help_text=_("Empty: the default of the person's role (an email per edition for admins and focal points, a weekly digest for members)."),
    )
    # The last weekly digest sent: the next one tells only of editions published since.
    edition_digest_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

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


# The language an organisation's people most likely read, for their invitation emails: by country
# (Brazil: Portuguese; Haiti: French; the English-speaking Caribbean, Canada and the United States:
# English; Spanish elsewhere in the region); the IFRC and the ICRC write to staff in English.
PORTUGUESE_COUNTRIES = {"BR"}
FRENCH_COUNTRIES = {"HT"}
ENGLISH_COUNTRIES = {"AG", "BS", "BB", "BZ", "CA", "DM", "GD", "GY", "JM", "KN", "LC", "VC", "SR", "TT", "US"}


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
    # The organisation's official name in each interface language that has one ({"es": "Cruz Roja
    # Colombiana"}; keys are codes of settings.LANGUAGES): what a reader of that language sees.
    official_names = models.JSONField(
        _("official names"),
        default=dict,
        blank=True,
        help_text=_("The organisation's official name in each language that has one; readers of other languages see the name in English."),
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

    @property
    def usual_language(self) -> str:
        """The interface language its people most likely read (a code of settings.LANGUAGES)."""
        if self.kind != OrganisationKind.NATIONAL_SOCIETY:
            return "en"
        code = (self.country_code or "").upper()
        if code in PORTUGUESE_COUNTRIES:
            return "pt-br"
        if code in FRENCH_COUNTRIES:
            return "fr"
        if code in ENGLISH_COUNTRIES:
            return "en"
        return "es"

    def official_name(self, language: str | None) -> str:
        """The name a reader of `language` (a language code: "es", "pt-br", "pt-BR") sees: the official
        name in that language if the organisation has one, else the name in English."""
        code = (language or "").lower().replace("_", "-")
        names = self.official_names or {}
        return names.get(code) or names.get(code.split("-")[0]) or self.name

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
    can_edit_notes = models.BooleanField(
        _("editor"),
        default=False,
        help_text=_("May write the society's contextualisation notes. Society admins always may."),
    )
    # Kept by the library's editorial services when they grant or revoke a document role, so that the
    # MFA rule (permissions.needs_mfa) reads it with the membership, without knowing about documents.
    holds_document_role = models.BooleanField(
        _("editor or reviewer of a document"),
        default=False,
        help_text=_("Set while the person edits or reviews a document of the library: MFA is then required."),
    )
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


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted nor revoked (an open invitation may still have expired)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """A single-use link that lets one person create their account in one organisation.

    Only a SHA-256 digest of the link's secret is stored: a copy of the database cannot be used to
    accept an invitation.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    email = models.EmailField(_("email address"))
    national_society = models.ForeignKey(
        NationalSociety, on_delete=models.PROTECT, related_name="invitations", verbose_name=_("organisation")
    )
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The invitee's language: the invitation email is written in it, and the account starts in it.
    language = models.CharField(_("language of the invitation"), max_length=8, blank=True)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    domain_override_reason = models.CharField(
        _("reason for inviting outside the allowed domains"), max_length=500, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.OneToOneField(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="accepted_invitation"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="invitation_email_lowercase"
            ),
            # One open invitation per address: a second one would be a second valid link.
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_open_per_email",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="invitation_role_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["national_society", "-created_at"], name="invitation_society_idx"),
        ]

    def __str__(self):
        return f"{self.email} → {self.national_society}"

    def status_at(self, moment) -> "Invitation.Status":
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= moment:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> "Invitation.Status":
        from django.utils import timezone

        return self.status_at(timezone.now())


def language_name(code: str) -> str:
    """A language of settings.LANGUAGES under its own name ("Español"); anything else as it is."""
    return dict(settings.LANGUAGES).get(code, code)


class InvitationLineProblem(models.TextChoices):
    """Why a line of a list of people to invite is not (or was not) invited: reported before the
    batch is confirmed, and recorded on a batch's line that failed when its turn came."""

    INVALID_EMAIL = "invalid_email", _("Invalid email address")
    DUPLICATE = "duplicate", _("Already on an earlier line")
    OUTSIDE_DOMAINS = "outside_domains", _("Not among the organisation's email domains")
    UNKNOWN_ROLE = "unknown_role", _("Unknown role")
    ROLE_NOT_ALLOWED = "role_not_allowed", _("A role you cannot give")
    UNKNOWN_LANGUAGE = "unknown_language", _("Unknown language")
    ALREADY_MEMBER = "already_member", _("Already has an account")
    ALREADY_INVITED = "already_invited", _("Already invited (pending invitation)")
    # Only when the job sends a line: the checks passed, and the invitation was refused all the same.
    NOT_ALLOWED = "not_allowed", _("Whoever confirmed the batch may no longer invite for this organisation")
    REFUSED = "refused", _("Refused")


class InvitationBatch(models.Model):
    """People invited at once: a list pasted or uploaded by someone who manages the organisation,
    checked line by line, confirmed, then sent by the background job a few at a time
    (national_societies/invitation_batches/). Only the lines to invite are kept."""

    national_society = models.ForeignKey(
        NationalSociety, on_delete=models.PROTECT, related_name="invitation_batches", verbose_name=_("organisation")
    )
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Lines of the list that the report left out (invalid, duplicate, already a member…).
    left_out = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("-created_at",)
        indexes = (models.Index(fields=["national_society", "-created_at"], name="invitation_batch_society_idx"),)

    def __str__(self):
        return f"{self.national_society} — {self.created_at:%Y-%m-%d %H:%M}"


class InvitationBatchLine(models.Model):
    """One person of a batch: waiting for the job, sent (with its invitation), or failed (and why)."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    Problem = InvitationLineProblem

    batch = models.ForeignKey(InvitationBatch, on_delete=models.CASCADE, related_name="lines")
    line_number = models.PositiveIntegerField(_("line"))  # in the list as given, counting from 1
    email = models.EmailField(_("email address"))
    name = models.CharField(_("name"), max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=MembershipRole.choices, default=MembershipRole.MEMBER)
    language = models.CharField(_("language of the invitation"), max_length=8)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    problem = models.CharField(max_length=20, choices=InvitationLineProblem.choices, blank=True)
    reason = models.CharField(max_length=500, blank=True)  # the refusal's own words, for REFUSED
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="batch_line"
    )
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("batch", "line_number")
        constraints = (
            models.UniqueConstraint(fields=["batch", "email"], name="invitation_batch_line_one_per_email"),
            models.CheckConstraint(
                condition=models.Q(status__in=["waiting", "sent", "failed"]), name="invitation_batch_line_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values), name="invitation_batch_line_role_valid"
            ),
        )
        indexes = (
            # What the job looks for: the waiting lines, oldest batch first.
            models.Index(
                fields=["batch", "line_number"], condition=models.Q(status="waiting"), name="batch_line_waiting_idx"
            ),
        )

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"

    @property
    def language_name(self) -> str:
        return language_name(self.language)
