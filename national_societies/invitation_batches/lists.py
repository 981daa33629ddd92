"""A list of people to invite: read from pasted text or an uploaded CSV, then checked line by line.

The list has one person a line: email, then optionally name, role and language. A header row naming
those columns (in English, Spanish, French or Portuguese) may come first and set their order. The
separator is a comma, a semicolon (Excel in Spanish, French or Portuguese) or a tab (pasted from a
spreadsheet); a file is UTF-8, with or without a byte-order mark. Blank lines are skipped but counted,
so that the report's line numbers are those of the file.

`invitation_list_check` applies the rules `invitation_create` applies (the organisation's email
domains, the roles the inviter may give, no second account, no second pending invitation) to every
line at once, in a fixed number of queries; nothing is written.
"""

import csv
import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from national_societies.models import (
    Invitation,
    InvitationLineProblem,
    Membership,
    NationalSociety,
    User,
    language_name,
)
from national_societies.permissions import can_grant_role
from national_societies.services import (
    allowed_domains_of,
    email_in_domains,
    role_fits_organisation,
)
from national_societies.viewer import viewer_of

MAX_LINES = 500
MAX_BYTES = 256 * 1024
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200
SEPARATORS = ("\t", ";", ",")  # on a tie, the first: a semicolon file may have commas in its names

Problem = InvitationLineProblem


class ListRefused(ValueError):
    """The list as a whole cannot be read (too long, not UTF-8, no email column…): nothing is checked."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def _folded(text: str) -> str:
    """For matching words typed by people: lower case, no accents, '-' and '_' as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.replace("-", " ").replace("_", " ").split())


# Column names a header row may use (folded), in the four languages of the interface.
HEADERS = {
    "email": {
        "email", "e mail", "mail", "email address", "e mail address", "correo", "correo electronico", "courriel",
        "adresse e mail", "adresse email", "adresse electronique", "endereco de email", "endereco de e mail",
        "endereco eletronico",
    },
    "name": {"name", "full name", "nombre", "nombre completo", "nom", "nom complet", "nome", "nome completo"},
    "role": {"role", "rol", "papel", "funcao", "perfil"},
    "language": {"language", "lang", "idioma", "langue", "lingua"},
}
POSITIONAL = ("email", "name", "role", "language")

# What the language column may say (folded), for each language of settings.LANGUAGES.
LANGUAGE_NAMES = {
    "en": {"en", "english", "ingles", "anglais"},
    "es": {"es", "spanish", "espanol", "castellano", "espagnol", "espanhol"},
    "fr": {"fr", "french", "frances", "francais"},
    "pt-br": {
        "pt br", "pt", "portuguese", "brazilian portuguese", "portugues", "portugais", "portugues do brasil",
        "portugues de brasil", "portugues brasileiro",
    },
}


@lru_cache(maxsize=1)
def _role_names() -> dict[str, str]:
    """Folded role code or label (in every language of the interface) -> role code."""
    names = {}
    for code, label in Membership.Role.choices:
        names[_folded(code)] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                names[_folded(str(label))] = code
    names["admin"] = Membership.Role.SOCIETY_ADMIN
    return names


def role_code(typed: str) -> str | None:
    """The role a cell names ("member", "Society admin", "administrador de la Sociedad Nacional"…);
    empty: member; None when it names none."""
    return _role_names().get(_folded(typed)) if typed.strip() else Membership.Role.MEMBER


def language_code(typed: str, *, default: str) -> str | None:
    """The language a cell names ("es", "Español", "Portuguese"…); empty: `default`; None when it names none."""
    if not typed.strip():
        return default
    folded = _folded(typed)
    return next((code for code, names in LANGUAGE_NAMES.items() if folded in names), None)


@dataclass(frozen=True)
class ListLine:
    """One person of the list as typed (stripped), with the number of the line they are on."""

    number: int
    email: str
    name: str = ""
    role: str = ""
    language: str = ""


def decode_upload(data: bytes) -> str:
    """The text of an uploaded file: UTF-8, with or without a byte-order mark."""
    if len(data) > MAX_BYTES:
        raise ListRefused(_("The list is too long: at most %(kb)s KB at a time.") % {"kb": MAX_BYTES // 1024})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ListRefused(
            _("The file is not in UTF-8. In Excel, save it as “CSV UTF-8”; in LibreOffice, choose the UTF-8 character set.")
        ) from None


def _separator(first_line: str) -> str:
    counts = {separator: first_line.count(separator) for separator in SEPARATORS}
    best = max(counts.values())
    return next(separator for separator in SEPARATORS if counts[separator] == best) if best else ","


def _header_columns(cells: list[str]) -> dict[str, int] | None:
    """{field: column} when `cells` are a header row (names of columns, no address), else None."""
    if any("@" in cell for cell in cells):
        return None
    columns = {}
    for index, cell in enumerate(cells):
        folded = _folded(cell)
        for name, spellings in HEADERS.items():
            if folded in spellings and name not in columns:
                columns[name] = index
    if not columns:
        return None
    if "email" not in columns:
        raise ListRefused(_("The first line names the columns but none of them is the email address: call it “email”."))
    return columns


def parse_invitation_list(text: str) -> list[ListLine]:
    """The people of a pasted or uploaded list, in order. Raises ListRefused when it cannot be read
    as a whole: too long, not text, empty."""
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_BYTES:
        raise ListRefused(_("The list is too long: at most %(kb)s KB at a time.") % {"kb": MAX_BYTES // 1024})
    if "\x00" in text:
        raise ListRefused(_("The list contains characters that are not text: is it really a CSV file?"))
    text = text.removeprefix("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(first))
    columns, lines, previous_end = None, [], 0
    try:
        for cells in reader:
            number, previous_end = previous_end + 1, reader.line_num
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if columns is None:
                columns = _header_columns(cells)
                if columns is not None:
                    continue
                columns = {name: index for index, name in enumerate(POSITIONAL)}
            if len(lines) == MAX_LINES:
                raise ListRefused(
                    _("The list has more than %(max)s people: send it in parts of %(max)s at most.") % {"max": MAX_LINES}
                )
            value = {name: (cells[index] if index < len(cells) else "") for name, index in columns.items()}
            lines.append(
                ListLine(
                    number=number,
                    email=value["email"],
                    name=value.get("name", "")[:MAX_NAME_LENGTH],
                    role=value.get("role", ""),
                    language=value.get("language", ""),
                )
            )
    except csv.Error:
        raise ListRefused(_("Line %(line)s cannot be read: check its quotation marks.") % {"line": previous_end + 1}) from None
    if not lines:
        raise ListRefused(_("The list is empty: paste one person a line, or choose a file."))
    return lines


# --- Checking the lines against the organisation ------------------------------------------------


@dataclass(frozen=True)
class CheckedLine:
    """A line and what inviting it would do: `problem` is None when the person will be invited."""

    number: int
    email: str
    name: str
    role: str  # a role code when known, else as typed
    language: str  # a code of settings.LANGUAGES when known, else as typed
    problem: str | None = None
    duplicate_of: int | None = None

    @property
    def will_be_invited(self) -> bool:
        return self.problem is None

    @property
    def problem_label(self) -> str:
        return Problem(self.problem).label if self.problem else ""

    @property
    def role_label(self) -> str:
        return Membership.Role(self.role).label if self.role in Membership.Role.values else self.role

    @property
    def language_name(self) -> str:
        return language_name(self.language)


@dataclass
class ListReport:
    lines: list[CheckedLine] = field(default_factory=list)

    @property
    def to_invite(self) -> list[CheckedLine]:
        return [line for line in self.lines if line.will_be_invited]

    @property
    def left_out(self) -> list[CheckedLine]:
        return [line for line in self.lines if not line.will_be_invited]

    def problem_counts(self) -> list[tuple[str, str, int]]:
        """(problem, its label, how many lines) for each problem found, in the order of Problem."""
        found = [line.problem for line in self.lines if line.problem]
        return [(problem, label, found.count(problem)) for problem, label in Problem.choices if problem in found]

    @property
    def digest(self) -> str:
        """Names what would be sent: the confirmation sends only if the list still checks the same."""
        rows = [[line.number, line.email, line.name, line.role, line.language] for line in self.to_invite]
        return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def _valid_email(email: str) -> bool:
    if len(email) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(email)
    except ValidationError:
        return False
    return True


def invitation_list_check(*, lines: list[ListLine], national_society: NationalSociety, invited_by) -> ListReport:
    """What inviting each line would do, by the rules of `invitation_create`, in four queries whatever
    the length of the list. Each line gets its first problem, in the order of Problem."""
    viewer = viewer_of(invited_by)
    domains = set(allowed_domains_of(national_society))
    emails = {email for email in (line.email.lower() for line in lines) if _valid_email(email)}
    # The same tests as invitation_create: any account with the address, any open invitation not expired.
    with_account = set(
        User.objects.annotate(address=Lower("email")).filter(address__in=emails).values_list("address", flat=True)
    )
    pending = set(
        Invitation.objects.open().filter(email__in=emails, expires_at__gt=timezone.now()).values_list("email", flat=True)
    )
    # The roles the inviter may give into this organisation (can_grant_role, and no focal point in a National Society).
    grantable = {role for role in Membership.Role.values if can_grant_role(viewer, role) and role_fits_organisation(role, national_society)}
    first_line = {}
    report = ListReport()
    for line in lines:
        email = line.email.lower()
        role = role_code(line.role)
        language = language_code(line.language, default=national_society.usual_language)
        problem, duplicate_of = None, None
        if email not in emails:
            problem = Problem.INVALID_EMAIL
        elif email in first_line:
            problem, duplicate_of = Problem.DUPLICATE, first_line[email]
        elif not email_in_domains(email, domains):
            problem = Problem.OUTSIDE_DOMAINS
        elif role is None:
            problem = Problem.UNKNOWN_ROLE
        elif role not in grantable:
            problem = Problem.ROLE_NOT_ALLOWED
        elif language is None:
            problem = Problem.UNKNOWN_LANGUAGE
        elif email in with_account:
            problem = Problem.ALREADY_MEMBER
        elif email in pending:
            problem = Problem.ALREADY_INVITED
        if problem != Problem.INVALID_EMAIL:
            first_line.setdefault(email, line.number)
        report.lines.append(
            CheckedLine(
                number=line.number, email=email if problem != Problem.INVALID_EMAIL else line.email, name=line.name,
                role=role or line.role, language=language or line.language, problem=problem, duplicate_of=duplicate_of,
            )
        )
    return report


def invitation_list_read_and_check(*, text: str, national_society: NationalSociety, invited_by) -> ListReport:
    """Parse, then check: the report of a pasted or uploaded list. Raises ListRefused."""
    return invitation_list_check(lines=parse_invitation_list(text), national_society=national_society, invited_by=invited_by)
