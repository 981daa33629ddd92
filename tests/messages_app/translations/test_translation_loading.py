"""Loading official translations: same loader, same structure, the original stays the reference."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from messages_app.catalogue.content_file import ContentFileError
from messages_app.catalogue.models import Message
from messages_app.translations.models import MessageTranslation, OfficialTranslation
from messages_app.catalogue.services import key_messages_load
from tests.conftest import shipped_content
from tests.messages_app.content import with_message_text
from tests.messages_app.translations.files import (
    SPANISH,
    load_translation,
    parse_translation,
    spanish_headings,
    translation_yaml,
    walk_messages,
)


def _rows():
    return sorted(
        MessageTranslation.objects.values_list("translation__language", "version__message__identifier", "text", "superseded_at")
    )


def test_a_translation_file_is_loaded_with_its_messages_tied_to_the_versions_they_translate(library):
    report = load_translation(texts=SPANISH, edit=spanish_headings)
    assert report.created and report.language == "es" and report.edition == "1"
    assert sorted(report.messages_added) == sorted(SPANISH)
    assert (report.messages_translated, report.messages_in_edition) == (3, 65)
    det04 = Message.objects.get(identifier="DET-04")
    row = MessageTranslation.objects.get(version__message=det04)
    assert row.version_id == det04.current_version_id and row.text == SPANISH["DET-04"]
    translation = OfficialTranslation.objects.get()
    assert translation.title == "Mensajes clave: Migración en las Américas"
    assert translation.handling_rules[0] == "ES regla 1" and len(translation.handling_rules) == 8
    assert translation.note == "Traducción oficial de prueba."
    assert translation.sections["detention-deportation"] == {
        "title": "Detención y deportación de personas migrantes",
        "lead": "",
        "source_title": "Detention and deportation of migrants",
        "source_lead": "",
    }
    assert list(translation.sections) == ["detention-deportation"]  # untouched headings are not stored
    assert translation.topics == {"detention": "Detención"}
    # Left identical to the original: not translations.
    assert translation.introduction == [] and translation.summary == "" and translation.contacts == []


def test_the_original_edition_note_left_in_a_translation_file_is_not_shown_as_its_note(library):
    load_translation(texts=SPANISH)  # the file keeps the original's "First edition loaded into the library."
    assert OfficialTranslation.objects.get().note == ""


def test_the_original_is_untouched_by_a_translation(library):
    before = list(Message.objects.values_list("identifier", "current_version__text", "current_version__number"))
    load_translation(texts=SPANISH, edit=spanish_headings)
    assert list(Message.objects.values_list("identifier", "current_version__text", "current_version__number")) == before


def test_loading_the_same_translation_again_changes_nothing(library):
    load_translation(texts=SPANISH, edit=spanish_headings)
    rows, updated = _rows(), OfficialTranslation.objects.get().updated_at
    report = load_translation(texts=SPANISH, edit=spanish_headings)
    assert not report.changed_anything
    assert _rows() == rows and OfficialTranslation.objects.get().updated_at == updated


def test_a_corrected_translation_keeps_the_earlier_text_and_a_left_out_one_is_withdrawn(library):
    load_translation(texts=SPANISH)
    corrected = {**SPANISH, "DET-04": "ES: texto corregido."}
    del corrected["GEN-01"]
    report = load_translation(texts=corrected)
    assert report.messages_corrected == ["DET-04"] and report.messages_withdrawn == ["GEN-01"] and not report.messages_added
    det04 = MessageTranslation.objects.filter(version__message__identifier="DET-04").order_by("loaded_at", "pk")
    assert [(r.text, r.superseded_at is None) for r in det04] == [(SPANISH["DET-04"], False), ("ES: texto corregido.", True)]
    gen01 = MessageTranslation.objects.get(version__message__identifier="GEN-01")
    assert gen01.superseded_at is not None  # kept, no longer shown


def test_each_language_is_its_own_translation(library):
    load_translation("es", texts=SPANISH)
    load_translation("fr", texts={"DET-04": "FR : Les enfants ne doivent pas être détenus."})
    assert sorted(OfficialTranslation.objects.values_list("language", flat=True)) == ["es", "fr"]
    assert MessageTranslation.objects.filter(translation__language="fr").count() == 1


def _refused(raw, match):
    before = (OfficialTranslation.objects.count(), MessageTranslation.objects.count())
    with pytest.raises(ContentFileError, match=match):
        load = parse_translation(raw)
        from messages_app.translations.services import translation_load

        translation_load(content=load)
    assert (OfficialTranslation.objects.count(), MessageTranslation.objects.count()) == before


def _set(identifier, **fields):
    def edit(data):
        for message in walk_messages(data):
            if message["id"] == identifier:
                message.update(fields)

    return edit


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (_set("DET-04", id="DET-99"), r"line \d+, field 'messages.id': message DET-99 is not in the loaded edition"),
        (_set("DET-04", topics=["protection"]), r"line \d+, field 'messages.topics': topics come from the original"),
        (lambda d: d["sections"][0].update(key="not-a-section"), r"line \d+, field 'sections.key': section 'not-a-section'"),
        (lambda d: d["sections"][3]["subsections"][0].update(number="IX"), r"field 'sections.number': section 'protection-do-no-harm' is numbered 'I'"),
        (lambda d: d["document"]["introduction"].pop(), r"field 'document.introduction': it has 2 paragraphs and the original has 3"),
        (lambda d: d["topics"].append({"slug": "unknown-topic", "name": "X"}), r"topic 'unknown-topic' is not in the library"),
        (lambda d: d["document"].update(edition="2"), r"translates edition '2', but the latest loaded edition is '1'"),
    ],
    ids=["unknown message", "changed topics", "unknown section", "changed number", "paragraph count", "unknown topic", "other edition"],
)
def test_a_translation_that_does_not_match_the_original_is_refused_and_nothing_is_written(library, edit, match):
    load_translation(texts=SPANISH)
    _refused(translation_yaml(texts={"DET-04": "otra"}, edit=edit), match)
    assert MessageTranslation.objects.get(version__message__identifier="DET-04").text == SPANISH["DET-04"]


def test_a_message_moved_to_another_section_is_refused(library):
    def move(data):
        det = next(s for s in data["sections"] if s["key"] == "detention-deportation")
        data["sections"][0]["messages"].append(det["messages"].pop())

    _refused(translation_yaml(texts=SPANISH, edit=move), r"message DET-07 belongs to section 'detention-deportation'")


def test_a_language_the_library_does_not_offer_is_refused_with_its_line(library):
    with pytest.raises(ContentFileError, match=r"line 2, field 'language': 'de' is not a language of the library \(translations: es, fr, pt-br\)"):
        parse_translation(translation_yaml(language="de"))


@pytest.mark.parametrize("written", ["pt", "pt_BR", "PT-BR", "pt-br"])
def test_the_language_may_be_written_as_translators_write_it(library, written):
    assert parse_translation(translation_yaml(language=written)).language == "pt-br"


def test_a_translation_before_the_original_is_loaded_is_refused(no_library):
    _refused(translation_yaml(texts=SPANISH), r"document 'migration-americas' is not loaded: load the original first")


def test_the_original_file_may_say_its_own_language(library):
    content = parse_translation(translation_yaml(language="en"))
    assert not content.is_translation
    assert not key_messages_load(content=content).changed_anything


def test_after_a_new_edition_a_translation_of_the_previous_one_is_refused(library):
    load_translation(texts=SPANISH)
    key_messages_load(content=with_message_text(shipped_content(), "DET-04", "Changed original.", edition="2"))
    _refused(translation_yaml(texts=SPANISH), r"translates edition '1', but the latest loaded edition is '2'")


def test_the_command_loads_a_translation_file_and_says_what_falls_back(library, tmp_path, capsys):
    path = tmp_path / "key-messages.es.yaml"
    path.write_text(translation_yaml(texts=SPANISH), encoding="utf-8")
    call_command("load_key_messages", str(path))
    out = capsys.readouterr().out
    assert "Loaded the official 'es' translation of edition 1. 3 of 65 messages translated; the other 62 are shown in the original with a note." in out
    assert "3 translated: GEN-01, DET-04, GCO-05.1" in out
    call_command("load_key_messages", str(path))
    assert "already loaded: nothing changed" in capsys.readouterr().out


def test_the_command_refuses_a_bad_translation_file_and_imports_nothing(library, tmp_path):
    path = tmp_path / "key-messages.es.yaml"
    path.write_text(translation_yaml(texts={"DET-04": "x"}, edit=_set("DET-04", id="DET-99")), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Nothing was imported\. .*key-messages\.es\.yaml, line \d+"):
        call_command("load_key_messages", str(path))
    assert not OfficialTranslation.objects.exists()


def test_the_demo_translation_shipped_for_make_run_loads(library, capsys):
    from django.conf import settings

    call_command("load_key_messages", str(settings.BASE_DIR / "messages_app" / "content" / "demo" / "key-messages.es.yaml"))
    translation = OfficialTranslation.objects.get(language="es")
    assert "no es una traducción oficial" in translation.note  # it says it is a demonstration
    assert translation.message_texts.count() == 23


def test_platform_admins_see_translations_in_the_admin_read_only(library, platform_admin_client):
    load_translation(texts=SPANISH)
    translation = OfficialTranslation.objects.get()
    page = platform_admin_client.get(f"/admin/messages_app/officialtranslation/{translation.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert SPANISH["DET-04"] in html and 'name="_save"' not in html
    assert platform_admin_client.post(f"/admin/messages_app/officialtranslation/{translation.pk}/delete/", {"post": "yes"}).status_code == 403
    assert platform_admin_client.get("/admin/messages_app/officialtranslation/add/").status_code == 403
