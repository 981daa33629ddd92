"""Building official translation files for tests from the shipped original."""

import yaml
from django.conf import settings

from messages_app.catalogue.content_file import parse_content
from messages_app.translations.services import content_languages, translation_load


def walk_messages(data):
    """Every message mapping of a loaded content file, children included."""
    for section in data["sections"]:
        for each in [section, *section.get("subsections", [])]:
            for message in each["messages"]:
                yield message
                yield from message.get("children", [])


def translation_yaml(language="es", texts=None, edit=None) -> str:
    """The original file with `language:` set and the given message texts {identifier: text}."""
    data = yaml.safe_load(settings.KEY_MESSAGES_CONTENT_FILE.read_text(encoding="utf-8"))
    data = {"format": data.pop("format"), "language": language, **data}
    for message in walk_messages(data):
        if texts and message["id"] in texts:
            message["text"] = texts[message["id"]]
    if edit:
        edit(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)


def parse_translation(raw, source_name="key-messages.es.yaml"):
    return parse_content(raw, source_name=source_name, **content_languages())


def load_translation(language="es", texts=None, edit=None):
    return translation_load(content=parse_translation(translation_yaml(language, texts, edit)))


SPANISH = {
    "DET-04": "ES: Los niños y niñas no deben ser detenidos por su situación migratoria.",
    "GEN-01": "ES: Las acciones de la Cruz Roja y la Media Luna Roja se centran en las personas migrantes.",
    "GCO-05.1": "ES: primer hijo del Pacto Mundial.",
}


def spanish_headings(data):
    data["document"]["title"] = "Mensajes clave: Migración en las Américas"
    data["document"]["handling_rules"] = [f"ES regla {i}" for i, _r in enumerate(data["document"]["handling_rules"], 1)]
    data["document"]["edition_note"] = "Traducción oficial de prueba."
    for section in data["sections"]:
        if section["key"] == "detention-deportation":
            section["title"] = "Detención y deportación de personas migrantes"
    for topic in data["topics"]:
        if topic["slug"] == "detention":
            topic["name"] = "Detención"
