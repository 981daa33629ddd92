"""Reading in the interface language: the official translation, labelled, with the original beside it;
the original with a visible note where there is no translation of the current text."""

import re

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from messages_app.catalogue.services import key_messages_load
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text
from tests.messages_app.translations.files import SPANISH, load_translation, spanish_headings

@pytest.fixture
def spanish(library):
    return load_translation(texts=SPANISH, edit=spanish_headings)


@pytest.fixture
def reader(member, member_client):
    """The member, reading in Spanish (their account's language)."""
    member.language = "es"
    member.save(update_fields=["language"])
    return member_client


def _html(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _original(identifier):
    from messages_app.catalogue.models import Message

    return Message.objects.get(identifier=identifier).current_version.text


def test_a_translated_message_shows_the_translation_labelled_and_the_original_as_reference(spanish, reader):
    html = _html(reader, reverse("messages:detail", args=["migration-americas", "DET-04"]))
    translated = re.search(r'<blockquote class="canonical-text is-translation" lang="es">\s*<p id="text-DET-04">(.*?)</p>', html, re.S)
    assert translated and translated.group(1) == SPANISH["DET-04"]
    assert "Traducción oficial." in html  # the label, in the reader's language
    original = re.search(r'<blockquote class="canonical-text is-original" lang="en"><p id="original-DET-04">(.*?)</p>', html, re.S)
    assert original and original.group(1) == _original("DET-04").replace("’", "’")
    assert 'data-copy-target="original-DET-04"' in html and "?language=es" in html


def test_an_untranslated_message_shows_the_original_with_a_note(spanish, reader):
    html = _html(reader, reverse("messages:detail", args=["migration-americas", "DET-05"]))
    assert re.search(r'<blockquote class="canonical-text" lang="en">\s*<p id="text-DET-05">', html)
    assert "Todavía no hay traducción oficial de este mensaje" in html
    assert "is-translation" not in html


def test_a_reader_of_the_original_language_sees_no_translation_and_no_note(spanish, member_client):
    html = _html(member_client, reverse("messages:detail", args=["migration-americas", "DET-04"]))
    assert SPANISH["DET-04"] not in html and 'class="translation-' not in html and "is-translation" not in html
    assert re.search(r'<blockquote class="canonical-text" lang="en">\s*<p id="text-DET-04">', html)


def test_a_language_without_any_translation_says_so_on_the_page_and_on_each_message(spanish, member, member_client):
    member.language = "fr"
    member.save(update_fields=["language"])
    html = _html(member_client, reverse("messages:section", args=["migration-americas", "detention-deportation"]))
    assert "Il n’y a pas encore de traduction officielle en français : les messages sont affichés dans l’original (anglais)." in html
    assert html.count('class="translation-missing"') == 7  # every message of the section
    assert SPANISH["DET-04"] not in html


def test_section_page_mixes_translated_and_original_messages_with_translated_headings(spanish, reader):
    html = _html(reader, reverse("messages:section", args=["migration-americas", "detention-deportation"]))
    assert "<h1>Detención y deportación de personas migrantes</h1>" in html
    assert SPANISH["DET-04"] in html
    assert html.count('class="translation-missing"') == 6
    assert "Traducción oficial de prueba." in html  # the translation's note, on the page notice
    assert ">Detención</a>" in html  # topic name


def test_when_a_new_edition_changes_a_message_its_translation_is_no_longer_shown(spanish, reader):
    key_messages_load(content=with_message_text(shipped_content(), "DET-04", "Changed original text.", edition="2"))
    html = _html(reader, reverse("messages:detail", args=["migration-americas", "DET-04"]))
    assert SPANISH["DET-04"] not in html and "Changed original text." in html
    assert "La traducción oficial corresponde a una versión anterior de este mensaje" in html
    # Messages the new edition did not change keep their translation.
    assert SPANISH["GEN-01"] in _html(reader, reverse("messages:detail", args=["migration-americas", "GEN-01"]))


def test_handling_rules_are_shown_translated_with_the_original_and_only_while_they_are_current(spanish, reader):
    html = _html(reader, reverse("messages:acknowledge_rules", args=["migration-americas"]))
    assert '<ol lang="es"><li>ES regla 1</li>' in html
    assert '<ol lang="en"><li>This is not a confidential document, but neither is it public.</li>' in html
    home = _html(reader, reverse("messages:document", args=["migration-americas"]))
    assert "Mensajes clave: Migración en las Américas" in home and "ES regla 1" in home

    def new_rules(content):
        import dataclasses

        return dataclasses.replace(content, edition="2", handling_rules=content.handling_rules[:-1] + ("A new rule.",))

    key_messages_load(content=new_rules(shipped_content()))
    html = _html(reader, reverse("messages:acknowledge_rules", args=["migration-americas"]))
    assert "ES regla 1" not in html and "A new rule." in html


def test_search_finds_messages_by_the_words_of_the_reader_language_translation(spanish, reader, member, client):
    html = _html(reader, reverse("messages:search") + "?q=detenidos")
    assert "<mark>detenidos</mark>" in html and 'id="text-DET-04"' in html
    member.language = "en"
    member.save(update_fields=["language"])
    response = reader.get(reverse("messages:search") + "?q=detenidos")
    assert [m.identifier for m, *_ in response.context["results"]] == []


def test_search_in_a_translation_ignores_accents_and_case_and_still_highlights_the_word_as_written(spanish, reader):
    html = _html(reader, reverse("messages:search") + "?q=SITUACION+ninos")
    assert "<mark>situación</mark>" in html and "<mark>niños</mark>" in html and 'id="text-DET-04"' in html


def test_copying_a_translation_is_recorded_as_such(spanish, reader):
    assert reader.post(reverse("messages:copied", args=["migration-americas", "DET-04"]) + "?language=es").status_code == 204
    assert reader.post(reverse("messages:copied", args=["migration-americas", "DET-04"])).status_code == 204
    rows = list(AuditEvent.objects.filter(action=Action.COPIED_MESSAGE).order_by("pk").values_list("details", flat=True))
    document = {"document": "migration-americas"}
    assert rows[0] == {"copied": "official translation", "language": "es", **document} and rows[1] == document


def test_the_access_log_says_a_translation_was_shown(spanish, reader):
    reader.get(reverse("messages:detail", args=["migration-americas", "DET-04"]))
    reader.get(reverse("messages:detail", args=["migration-americas", "DET-05"]))
    views = AuditEvent.objects.filter(action=Action.VIEWED_MESSAGE).order_by("pk")
    assert [(e.message_identifier, (e.details or {}).get("translation_shown")) for e in views] == [("DET-04", "es"), ("DET-05", None)]


def test_print_and_briefing_show_the_translation_with_its_original(spanish, reader, member):
    html = _html(reader, reverse("messages:section_print", args=["migration-americas", "detention-deportation"]))
    assert SPANISH["DET-04"] in html and _original("DET-04") in html
    assert "<h1>Detención y deportación de personas migrantes</h1>" in html
    event = AuditEvent.objects.filter(action=Action.PRINTED).get()
    assert event.details["translation_shown"] == "es"
    from messages_app.briefings.services import briefing_create
    from messages_app.catalogue.models import Message

    briefing = briefing_create(
        acting_user=member, title="Entrevista", occasion="media_interview",
        messages=list(Message.objects.filter(identifier__in=["DET-04", "DET-05"])),
    )
    page = _html(reader, reverse("messages:briefing", args=[briefing.pk]))
    assert SPANISH["DET-04"] in page and 'class="translation-missing"' in page


def test_the_whole_document_printed_in_spanish_carries_the_translated_rules_with_the_originals(spanish, reader):
    html = _html(reader, reverse("messages:document_print", args=["migration-americas"]))
    assert '<ul lang="es"><li>ES regla 1</li>' in html
    assert '<ul lang="en"><li>This is not a confidential document, but neither is it public.</li>' in html
    assert html.count("is-translation") == len(SPANISH) and SPANISH["GCO-05.1"] in html
    # The document's structure, its title and the translated heading in Spanish too.
    assert '<h1><span lang="es">Mensajes clave: Migración en las Américas</span></h1>' in html
    assert '<h2 id="print-detention-deportation">Detención y deportación de personas migrantes</h2>' in html


def test_a_card_copies_what_it_shows_and_says_so(spanish, reader):
    html = _html(reader, reverse("messages:section", args=["migration-americas", "detention-deportation"]))
    det04 = html.split('id="DET-04"', 1)[1].split("</article>", 1)[0]
    det05 = html.split('id="DET-05"', 1)[1].split("</article>", 1)[0]
    assert "Copiar la traducción" in det04 and "?language=es" in det04
    assert "Copiar texto" in det05 and "?language=" not in det05


def test_the_social_media_helper_offers_the_translation_and_counts_it(spanish, reader):
    response = reader.get(reverse("messages:social", args=["migration-americas", "DET-04"]))
    assert response.context["length"] == len(SPANISH["DET-04"])
    assert re.search(r'<textarea id="post-text"[^>]*lang="es">' + re.escape(SPANISH["DET-04"]) + "</textarea>", response.content.decode())


# Reading in a translated language costs two queries more than the original (the translation and its
# message texts; the home page lists no message text: one), whatever the number of messages or of
# translated texts.
PAGES = [
    ("section", lambda: reverse("messages:section", args=["migration-americas", "detention-deportation"]), 2),
    ("message", lambda: reverse("messages:detail", args=["migration-americas", "DET-04"]), 2),
    ("search", lambda: reverse("messages:search") + "?q=detention+children", 2),
    ("home", lambda: reverse("messages:document", args=["migration-americas"]), 1),
    ("topic", lambda: reverse("messages:topic", args=["migration-americas", "detention"]), 2),
]


@pytest.mark.parametrize(("name", "url", "extra"), PAGES, ids=[p[0] for p in PAGES])
def test_reading_in_a_translated_language_costs_a_constant_number_of_queries_more(
    spanish, member, member_client, django_assert_num_queries, django_assert_max_num_queries, name, url, extra
):
    from tests.messages_app.content import add_messages

    member_client.get(reverse("messages:help", args=["migration-americas"]))  # the session's first request
    with django_assert_max_num_queries(100) as english:
        assert member_client.get(url()).status_code == 200
    english_queries = len(english.captured_queries)  # read now: the next request clears Django's query log
    assert english_queries > 5  # the count is real: session, user, the page's reads, its access-log row
    member.language = "es"
    member.save(update_fields=["language"])
    member_client.get(reverse("messages:help", args=["migration-americas"]))
    with django_assert_num_queries(english_queries + extra):
        assert member_client.get(url()).status_code == 200
    add_messages(20)
    load_translation(texts={**SPANISH, **{f"ZZZ-{i:02d}": f"ES extra {i}" for i in range(20)}}, edit=_with_extra_messages)
    with django_assert_num_queries(english_queries + extra):
        assert member_client.get(url()).status_code == 200


def _with_extra_messages(data):
    """The translation file of a library with the 20 messages add_messages created."""
    from messages_app.catalogue.models import Message

    section = next(s for s in data["sections"] if s["key"] == "detention-deportation")
    for message in Message.objects.filter(identifier__startswith="ZZZ-").prefetch_related("topics").order_by("position"):
        section["messages"].append({"id": message.identifier, "topics": [t.slug for t in message.topics.all()], "text": f"ES extra {message.identifier[4:]}"})


def test_a_heading_changed_by_a_new_edition_is_shown_in_the_original_until_translated_again(spanish, reader):
    import dataclasses

    def retitled(content):
        sections = tuple(
            dataclasses.replace(s, title="Detention, deportation and return") if s.key == "detention-deportation" else s
            for s in content.sections
        )
        return dataclasses.replace(content, edition="2", sections=sections)

    key_messages_load(content=retitled(shipped_content()))
    html = _html(reader, reverse("messages:section", args=["migration-americas", "detention-deportation"]))
    assert "<h1>Detention, deportation and return</h1>" in html and "Detención y deportación" not in html
    assert SPANISH["DET-04"] in html  # the message itself did not change


def test_help_says_which_languages_have_official_translations_and_how_many_messages(spanish, reader, member):
    html = _html(reader, reverse("messages:help", args=["migration-americas"]))
    assert '<span lang="es">español</span>: 3 de 65 mensajes tienen traducción oficial.' in html
    assert '<span lang="fr">français</span>: todavía sin traducción oficial.' in html
    # A message changed by a new edition no longer counts: its translation is of the old text.
    key_messages_load(content=with_message_text(shipped_content(), "DET-04", "Changed original text.", edition="2"))
    assert "2 de 65 mensajes tienen traducción oficial." in _html(reader, reverse("messages:help", args=["migration-americas"]))
