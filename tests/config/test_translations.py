"""The interface in Spanish, French and Portuguese: complete catalogues, compiled, and used by the pages.

To update the catalogues after changing a marked string (needs the gettext tools, `make system-deps`):

    .venv/bin/python manage.py makemessages -l es -l fr -l pt_BR --ignore=.venv --ignore=bench --ignore=tests --ignore=staticfiles
    # translate every new or emptied entry in locale/*/LC_MESSAGES/django.po, remove "#, fuzzy" after checking
    .venv/bin/python manage.py compilemessages --ignore=.venv --ignore=bench

The .mo files are kept in the repository, so the app runs without gettext.
"""

import ast
import contextlib
import gettext as gnu_gettext
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from console.alerts import Rule
from audit.models import AuditFlag
from messages_app.briefings import services as briefing_services
from messages_app.briefings.models import Occasion
from messages_app.catalogue.models import Message

LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["es", "fr", "pt-br"]  # codes; their folders in locale/ are es, fr, pt_BR
PLURAL_FORMS = {
    "es": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
    "pt-br": "nplurals=2; plural=(n != 1);",
}
# What makemessages skips (the same --ignore as in the module docstring), besides dot-directories.
NOT_SCANNED = {".venv", "bench", "tests", "staticfiles", "locale", "var", "node_modules"}
SCANNED_SUFFIXES = {".py", ".html", ".txt"}  # makemessages' defaults for the "django" domain


# --- A small reader of .po files (no third-party package) ----------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # form index -> text (0 only for a singular entry)
    flags: set = field(default_factory=set)
    line: int = 0

    @property
    def key(self):
        return (self.msgctxt, self.msgid, self.msgid_plural)

    @property
    def catalog_key(self):
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt is not None else self.msgid


@dataclass
class Catalogue:
    header: dict
    header_flags: set
    entries: list
    obsolete_lines: list


def read_po(path):
    entries, obsolete = [], []
    current, target, pending_flags = None, None, set()

    def start(line_number):
        return Entry(flags=set(pending_flags), line=line_number)

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#~"):
            obsolete.append(number)
            continue
        if line.startswith("#,"):
            if current is not None and current.msgstr:  # a new entry's comments begin
                entries.append(current)
                current = None
            pending_flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                entries.append(current)
                current = None
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, kind, (getattr(current, kind) or "") + value)
            continue
        keyword, _, rest = line.partition(" ")
        value = ast.literal_eval(rest.strip())
        if keyword in ("msgctxt", "msgid") and (current is None or current.msgstr or (keyword == "msgid" and current.msgid)):
            if current is not None:
                entries.append(current)
            current = start(number)
            pending_flags = set()
        if keyword == "msgctxt":
            current.msgctxt, target = value, ("msgctxt", None)
        elif keyword == "msgid":
            current.msgid, target = value, ("msgid", None)
        elif keyword == "msgid_plural":
            current.msgid_plural, target = value, ("msgid_plural", None)
        elif keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
            current.msgstr[index] = value
            target = ("msgstr", index)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    if current is not None:
        entries.append(current)
    header_entry = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    header = dict(
        (name.strip(), value.strip())
        for name, _, value in (row.partition(":") for row in header_entry.msgstr[0].splitlines() if row)
    )
    return Catalogue(
        header=header,
        header_flags=header_entry.flags,
        entries=[e for e in entries if e is not header_entry],
        obsolete_lines=obsolete,
    )


def po_path(language):
    return LOCALE_DIR / translation.to_locale(language) / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", params=LANGUAGES)
def catalogue(request):
    return request.param, read_po(po_path(request.param))


# --- (a) Every entry translated, none fuzzy or obsolete -------------------------------------------

PLACEHOLDER = re.compile(r"%\([A-Za-z_]+\)[sd]|%%")


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


@pytest.mark.db_independent
def test_every_entry_is_translated_and_none_is_fuzzy_or_obsolete(catalogue):
    language, po = catalogue
    assert len(po.entries) > 400, "the catalogue looks truncated"
    assert "fuzzy" not in po.header_flags
    assert po.obsolete_lines == [], f"{language}: obsolete (#~) entries at lines {po.obsolete_lines[:10]}: remove them"
    problems = []
    for entry in po.entries:
        forms = 2 if entry.msgid_plural is not None else 1
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        if sorted(entry.msgstr) != list(range(forms)):
            problems.append(f"wrong number of plural forms: {entry.msgid!r}")
        if any(not text.strip() for text in entry.msgstr.values()):
            problems.append(f"untranslated: {entry.msgid!r}")
    assert problems == [], f"{language}: " + "\n".join(problems)


@pytest.mark.db_independent
def test_the_plural_rule_is_the_languages(catalogue):
    language, po = catalogue
    assert po.header.get("Language") == translation.to_locale(language)
    assert po.header.get("Plural-Forms") == PLURAL_FORMS[language]
    assert po.header.get("Content-Type") == "text/plain; charset=UTF-8"


@pytest.mark.db_independent
def test_translations_keep_every_placeholder(catalogue):
    """%(name)s in the English must be in the translation, or the page fails or shows the wrong value."""
    language, po = catalogue
    problems = []
    for entry in po.entries:
        if entry.msgid_plural is None:
            if placeholders(entry.msgstr[0]) != placeholders(entry.msgid):
                problems.append(f"{entry.msgid!r} -> {entry.msgstr[0]!r}")
            continue
        # The singular may spell the number out ("this message"), the other forms may not.
        allowed = set(placeholders(entry.msgid)) | set(placeholders(entry.msgid_plural))
        if not set(placeholders(entry.msgstr[0])) <= allowed:
            problems.append(f"{entry.msgid!r} -> {entry.msgstr[0]!r}")
        if placeholders(entry.msgstr[1]) != placeholders(entry.msgid_plural):
            problems.append(f"{entry.msgid_plural!r} -> {entry.msgstr[1]!r}")
    assert problems == [], f"{language}: placeholders differ:\n" + "\n".join(problems)


# The Movement's usual terms: an English term in the source means this term in the translation.
GLOSSARY = {
    r"\bIFRC\b": {"es": r"\bFICR\b", "fr": r"\bFICR\b", "pt-br": r"\bFICV\b"},
    r"\bICRC\b": {"es": r"\bCICR\b", "fr": r"\bCICR\b", "pt-br": r"\bCICR\b"},
    r"National Societ(y|ies)": {"es": r"Sociedad(es)? Nacional(es)?", "fr": r"Sociétés? nationales?", "pt-br": r"Sociedades? Naciona(l|is)"},
    r"key messages": {"es": r"mensajes clave", "fr": r"messages clés", "pt-br": r"mensagens-chave"},
    r"focal points?": {"es": r"puntos? focal(es)?", "fr": r"points? focaux|point focal", "pt-br": r"pontos? foca(l|is)"},
    r"access[- ]log": {"es": r"registro de accesos", "fr": r"journal des accès", "pt-br": r"registro de acessos"},
    r"briefing": {"es": r"dossiers? de preparación", "fr": r"dossiers? de préparation", "pt-br": r"dossiês? de preparação"},
    r"local notes": {"es": r"notas locales", "fr": r"notes locales", "pt-br": r"notas locais"},
}


@pytest.mark.db_independent
def test_the_movements_terms_are_used_consistently(catalogue):
    language, po = catalogue
    problems = []
    for entry in po.entries:
        pairs = [(entry.msgid, entry.msgstr[0])]
        if entry.msgid_plural is not None:
            pairs.append((entry.msgid_plural, entry.msgstr[1]))
        for english, translated in pairs:
            for source, targets in GLOSSARY.items():
                if re.search(source, english, re.IGNORECASE) and not re.search(targets[language], translated, re.IGNORECASE):
                    problems.append(f"{source}: {english!r} -> {translated!r}")
        for acronym in ("IFRC", "ICRC"):
            if re.search(rf"\b{acronym}\b", entry.msgstr[0]):
                problems.append(f"English acronym {acronym} left in {entry.msgstr[0]!r}")
    assert problems == [], f"{language}:\n" + "\n".join(problems)


# --- (b) The catalogues cover every string marked in the code ------------------------------------


def _scanned_files(source_dir, names):
    """copytree filter: only what makemessages would read from the project, nothing it would skip."""
    skip = set()
    for name in names:
        path = Path(source_dir) / name
        at_top = Path(source_dir) == Path(settings.BASE_DIR)
        if name.startswith(".") or name == "__pycache__" or (at_top and name in NOT_SCANNED):
            skip.add(name)
        elif path.is_file() and path.suffix not in SCANNED_SUFFIXES:
            skip.add(name)
    return skip


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """Run makemessages on a copy of the project's sources, into an empty locale directory.

    A copy, so that the run neither writes its temporary files into the working tree nor touches
    the real catalogues (and another makemessages running at the same time cannot collide with it).
    """
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("The gettext tools are missing: install them with `make system-deps` (Debian package gettext).")
    tree = tmp_path_factory.mktemp("sources") / "project"
    shutil.copytree(settings.BASE_DIR, tree, ignore=_scanned_files, symlinks=False)
    locale_dir = tree / "locale"
    (locale_dir / "es").mkdir(parents=True)
    with override_settings(LOCALE_PATHS=[str(locale_dir)]), contextlib.chdir(tree):
        call_command("makemessages", locale=["es"], verbosity=0)
    return read_po(locale_dir / "es" / "LC_MESSAGES" / "django.po")


@pytest.mark.db_independent
def test_makemessages_extracts_the_strings_of_the_code(extracted):
    english = {entry.msgid for entry in extracted.entries}
    assert {"Sign in", "Access log", "Key Messages"} <= english
    assert len(extracted.entries) > 400


@pytest.mark.db_independent
def test_every_string_marked_in_the_code_is_in_the_catalogues(extracted):
    wanted = {entry.key for entry in extracted.entries}
    for language in LANGUAGES:
        have = {entry.key for entry in read_po(po_path(language)).entries}
        missing = sorted(wanted - have, key=lambda key: (key[1], key[0] or ""))
        assert missing == [], (
            f"{language}: {len(missing)} string(s) marked in the code are not in locale/{language}: run makemessages "
            f"and translate them (see this module's docstring). First ones: {[key[1] for key in missing[:10]]}"
        )


# --- (c) The compiled .mo files are those of the .po files ----------------------------------------


@pytest.mark.db_independent
def test_the_mo_files_are_compiled_from_the_current_po_files(catalogue):
    language, po = catalogue
    mo = po_path(language).with_suffix(".mo")
    assert mo.exists(), f"locale/{language}: run compilemessages (the .mo files are kept in the repository)"
    with mo.open("rb") as handle:
        compiled = gnu_gettext.GNUTranslations(handle)
    catalog = dict(compiled._catalog)
    expected = {}
    for entry in po.entries:
        if entry.msgid_plural is None:
            expected[entry.catalog_key] = entry.msgstr[0]
        else:
            for index, text in entry.msgstr.items():
                expected[(entry.catalog_key, index)] = text
    catalog.pop("", None)  # the header
    stale = sorted(str(key) for key in set(expected) ^ set(catalog))[:10]
    assert stale == [], f"locale/{language}: the .mo does not match the .po, run compilemessages. Differences: {stale}"
    changed = sorted(str(key) for key in expected if expected[key] != catalog[key])[:10]
    assert changed == [], f"locale/{language}: the .mo does not match the .po, run compilemessages. Changed: {changed}"
    assert compiled.plural(1) == 0 and compiled.plural(2) == 1
    assert compiled.plural(0) == (0 if language == "fr" else 1)


# --- (d) The pages and emails speak the reader's language ----------------------------------------------------

SPANISH = {"Sign in": "Iniciar sesión", "Library": "Biblioteca", "Members": "Miembros", "Access log": "Registro de accesos"}


def _page(client, url, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    return html


def _assert_translated(html, language, *english):
    for text in english:
        with translation.override(language):
            translated = translation.gettext(text)
        assert translated != text, f"{language}: {text!r} is not translated"
        # {% translate "literal" %} is not escaped (a literal is safe), {% blocktranslate %} text is.
        assert translated in html or escape(translated) in html, f"{language}: {translated!r} ({text!r}) is not on the page"
        if language == "es" and text in SPANISH:
            assert SPANISH[text] in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_page_is_translated(db, language):
    html = _page(Client(), reverse("account_login"), language)
    _assert_translated(html, language, "Sign in", "Skip to content", "Language")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_library_and_a_message_are_translated(member_client, language):
    html = _page(member_client, reverse("messages:document", args=["migration-americas"]), language)
    _assert_translated(html, language, "Library", "Contents", "Sign out", "Briefings")
    html = _page(member_client, reverse("messages:detail", args=["migration-americas", "DET-04"]), language)
    _assert_translated(html, language, "Copy text", "Topics", "Prepare a social media post with this message")
    canonical = Message.objects.get(identifier="DET-04").current_version.text
    assert escape(canonical) in html or canonical in html  # the canonical text stays as it is, in its language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_members_page_is_translated(society_admin_client, colombia, language):
    html = _page(society_admin_client, reverse("national_societies:members", args=[colombia.slug]), language)
    _assert_translated(html, language, "Members", "Invite someone", "Find a member")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_access_log_console_is_translated(focal_point_client, language):
    html = _page(focal_point_client, reverse("console:events"), language)
    _assert_translated(html, language, "Access log", "Filter events", "Export these events (CSV)")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_briefing_is_translated(member_client, member, language):
    briefing = briefing_services.briefing_create(
        acting_user=member,
        title="Entrevista radial",
        occasion=Occasion.MEDIA_INTERVIEW,
        messages=[Message.objects.get(identifier=identifier) for identifier in ("DET-01", "DET-02")],
    )
    html = _page(member_client, reverse("messages:briefing", args=[briefing.pk]), language)
    _assert_translated(html, language, "My briefings", "Print (A4)", "Remove")
    with translation.override(language):
        assert translation.ngettext("%(n)s message", "%(n)s messages", 2) % {"n": 2} in html


def test_the_access_log_alerts_are_emailed_in_each_focal_points_language(focal_point):
    focal_point.language = "fr"
    focal_point.save(update_fields=["language"])
    now = timezone.now()
    AuditFlag.objects.create(rule=Rule.MANY_EXPORTS, subject="lector@colombia.example.org", window_start=now, window_end=now, summary="12 prints or exports in one day")
    call_command("send_audit_alerts", stdout=io.StringIO())
    (email,) = mail.outbox
    assert email.to == [focal_point.email]
    assert email.subject == "[Key Messages] 1 alerte(s) du journal des accès"
    assert "Messages clés\u00a0: lectures inhabituelles détectées dans le journal des accès." in email.body
    assert "/audit/flags/" in email.body and "lector@colombia.example.org" in email.body
