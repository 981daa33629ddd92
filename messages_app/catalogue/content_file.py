"""Read and validate the structured content file (YAML) of the key-messages document.

Every problem is reported with the file, the line and the field, and nothing is returned
unless the whole file is valid, so that an import is all or nothing.
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from core.identifiers import CANONICAL_IDENTIFIER_RE as IDENTIFIER_RE

SUPPORTED_FORMAT = 1
# libyaml's parser and emitter where PyYAML was built with it (about ten times faster), else PyYAML's own.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class ContentFileError(Exception):
    """The content file cannot be imported; the message names the line and the field."""


@dataclass(frozen=True)
class TopicSpec:
    slug: str
    name: str


@dataclass(frozen=True)
class MessageSpec:
    identifier: str
    text: str
    topics: tuple[str, ...]
    children: tuple["MessageSpec", ...] = ()
    line: int = field(default=0, compare=False)  # where the message starts, for errors found later


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    number: str
    lead: str
    messages: tuple[MessageSpec, ...]
    subsections: tuple["SectionSpec", ...] = ()
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class ContentDocument:
    slug: str
    title: str
    edition: str
    edition_note: str
    introduction: tuple[str, ...]
    handling_rules: tuple[str, ...]
    contacts: tuple[str, ...]
    summary: str
    topics: tuple[TopicSpec, ...]
    sections: tuple[SectionSpec, ...]
    # "" for the canonical (original) file; a language code for an official translation file.
    language: str = ""
    source_name: str = field(default="", compare=False)
    source_sha256: str = field(default="", compare=False)

    @property
    def is_translation(self) -> bool:
        return bool(self.language)

    def iter_sections(self):
        """Sections in document order, each followed by its sub-sections."""
        for section in self.sections:
            yield section, None
            for subsection in section.subsections:
                yield subsection, section

    def iter_messages(self):
        """(message, section, parent message) in document order, children after their parent."""
        for section, _parent in self.iter_sections():
            for message in section.messages:
                yield message, section, None
                for child in message.children:
                    yield child, section, message


def text_problem(value: str, *, allow_empty: bool = False) -> str:
    """What is wrong with a text of the document ("" if nothing): the one rule for the loader and the
    editor alike."""
    if not value and not allow_empty:
        return "must not be empty"
    if value != value.strip():
        return "has white space at its start or end"
    if "\x00" in value:
        return "contains a NUL character"
    return ""


def slug_problem(value: str) -> str:
    return "" if SLUG_RE.match(value) else "use lowercase letters, digits and hyphens"


class _Reader:
    """Walks PyYAML nodes so that each error can name the line it comes from."""

    def __init__(self, source_name: str):
        self.source_name = source_name

    def error(self, node, field_path: str, problem: str) -> ContentFileError:
        line = node.start_mark.line + 1 if node is not None else 1
        return ContentFileError(f"{self.source_name}, line {line}, field '{field_path}': {problem}")

    def mapping(self, node, path: str, required: set[str], optional: set[str] = frozenset()):
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, path, "expected a mapping of fields")
        result = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in required | optional:
                raise self.error(key_node, f"{path}.{key}", "unknown field")
            if key in result:
                raise self.error(key_node, f"{path}.{key}", "field given twice")
            result[key] = value_node
        for key in sorted(required - result.keys()):
            raise self.error(node, f"{path}.{key}", "required field is missing")
        return result

    def text(self, node, path: str, *, allow_empty: bool = False) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            raise self.error(node, path, "expected text")
        value = node.value
        if problem := text_problem(value, allow_empty=allow_empty):
            raise self.error(node, path, problem)
        return value

    def sequence(self, node, path: str, *, allow_empty: bool = False):
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, path, "expected a list")
        if not node.value and not allow_empty:
            raise self.error(node, path, "must not be an empty list")
        return node.value

    def texts(self, node, path: str) -> tuple[str, ...]:
        return tuple(self.text(item, f"{path}[{i}]") for i, item in enumerate(self.sequence(node, path)))


def _language_code(written: str, translation_languages) -> str:
    """The library's code for a language as a translator may write it: "pt_BR", "PT-br" or plain "pt"
    (when the library has one Portuguese) are "pt-br"."""
    code = written.lower().replace("_", "-")
    if code in translation_languages:
        return code
    variants = [choice for choice in translation_languages if choice.split("-")[0] == code]
    return variants[0] if len(variants) == 1 else written


def parse_content(
    raw: str, *, source_name: str = "content file", original_language: str = "en", translation_languages=()
) -> ContentDocument:
    """Parse and validate the whole file, or raise ContentFileError naming line and field.

    A file with a top-level `language` other than the original's is an official translation: the
    same structure with translated texts, where a message may be left out (it is then shown in the
    original) and a section may therefore be left without messages.
    """
    try:
        root = yaml.compose(raw, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ContentFileError(f"{source_name}{where}: not valid YAML: {problem}") from exc
    if root is None:
        raise ContentFileError(f"{source_name}: the file is empty")

    reader = _Reader(source_name)
    top = reader.mapping(root, "$", {"format", "document", "topics", "sections"}, {"language"})
    format_node = top["format"]
    if format_node.value != str(SUPPORTED_FORMAT):
        raise reader.error(format_node, "format", f"only format {SUPPORTED_FORMAT} is supported")
    language = ""
    if "language" in top:
        language = _language_code(reader.text(top["language"], "language"), translation_languages)
        if language == original_language:
            language = ""  # the original may say so; it is not a translation
        elif language not in translation_languages:
            choices = ", ".join(translation_languages) or "none"
            raise reader.error(
                top["language"], "language", f"'{language}' is not a language of the library (translations: {choices})"
            )
    translation = bool(language)

    doc = reader.mapping(
        top["document"],
        "document",
        {"slug", "title", "edition", "introduction", "handling_rules", "contacts", "summary"},
        {"edition_note"},
    )
    slug = reader.text(doc["slug"], "document.slug")
    if not SLUG_RE.match(slug):
        raise reader.error(doc["slug"], "document.slug", "use lowercase letters, digits and hyphens")

    topics = []
    topic_slugs = set()
    for i, node in enumerate(reader.sequence(top["topics"], "topics")):
        path = f"topics[{i}]"
        fields = reader.mapping(node, path, {"slug", "name"})
        topic_slug = reader.text(fields["slug"], f"{path}.slug")
        if not SLUG_RE.match(topic_slug):
            raise reader.error(fields["slug"], f"{path}.slug", "use lowercase letters, digits and hyphens")
        if topic_slug in topic_slugs:
            raise reader.error(fields["slug"], f"{path}.slug", f"topic '{topic_slug}' is defined twice")
        topic_slugs.add(topic_slug)
        topics.append(TopicSpec(slug=topic_slug, name=reader.text(fields["name"], f"{path}.name")))

    seen_identifiers: set[str] = set()
    seen_keys: set[str] = set()

    def read_message(node, path: str, *, allow_children: bool) -> MessageSpec:
        optional = {"topics", "children"} if allow_children else {"topics"}
        fields = reader.mapping(node, path, {"id", "text"}, optional)
        identifier = reader.text(fields["id"], f"{path}.id")
        if not IDENTIFIER_RE.match(identifier):
            raise reader.error(fields["id"], f"{path}.id", f"'{identifier}' is not like GEN-01 or GCO-05.1")
        if identifier in seen_identifiers:
            raise reader.error(fields["id"], f"{path}.id", f"identifier '{identifier}' is used twice")
        seen_identifiers.add(identifier)
        message_topics = []
        if "topics" in fields:
            for j, topic_node in enumerate(reader.sequence(fields["topics"], f"{path}.topics", allow_empty=True)):
                topic_slug = reader.text(topic_node, f"{path}.topics[{j}]")
                if topic_slug not in topic_slugs:
                    raise reader.error(topic_node, f"{path}.topics[{j}]", f"unknown topic '{topic_slug}'")
                message_topics.append(topic_slug)
        children = ()
        if "children" in fields:
            children = tuple(
                read_message(child, f"{path}.children[{k}]", allow_children=False)
                for k, child in enumerate(reader.sequence(fields["children"], f"{path}.children"))
            )
        return MessageSpec(
            identifier=identifier,
            text=reader.text(fields["text"], f"{path}.text"),
            topics=tuple(dict.fromkeys(message_topics)),
            children=children,
            line=node.start_mark.line + 1,
        )

    def read_section(node, path: str, *, allow_subsections: bool) -> SectionSpec:
        optional = {"number", "approaches_intro", "subsections"} if allow_subsections else {"number"}
        fields = reader.mapping(node, path, {"key", "title", "messages"}, optional)
        key = reader.text(fields["key"], f"{path}.key")
        if not SLUG_RE.match(key):
            raise reader.error(fields["key"], f"{path}.key", "use lowercase letters, digits and hyphens")
        if key in seen_keys:
            raise reader.error(fields["key"], f"{path}.key", f"section '{key}' is defined twice")
        seen_keys.add(key)
        title = reader.text(fields["title"], f"{path}.title")
        number = reader.text(fields["number"], f"{path}.number") if "number" in fields else ""
        lead = reader.text(fields["approaches_intro"], f"{path}.approaches_intro") if "approaches_intro" in fields else ""
        messages = tuple(
            read_message(m, f"{path}.messages[{j}]", allow_children=True)
            for j, m in enumerate(reader.sequence(fields["messages"], f"{path}.messages", allow_empty=True))
        )
        subsections = ()
        if "subsections" in fields:
            subsections = tuple(
                read_section(s, f"{path}.subsections[{j}]", allow_subsections=False)
                for j, s in enumerate(reader.sequence(fields["subsections"], f"{path}.subsections"))
            )
        if not messages and not subsections and not translation:
            raise reader.error(fields["messages"], f"{path}.messages", "a section needs messages or sub-sections")
        return SectionSpec(
            key=key, title=title, number=number, lead=lead, messages=messages, subsections=subsections,
            line=node.start_mark.line + 1,
        )

    sections = tuple(
        read_section(node, f"sections[{i}]", allow_subsections=True)
        for i, node in enumerate(reader.sequence(top["sections"], "sections"))
    )

    return ContentDocument(
        slug=slug,
        title=reader.text(doc["title"], "document.title"),
        edition=reader.text(doc["edition"], "document.edition"),
        edition_note=reader.text(doc["edition_note"], "document.edition_note") if "edition_note" in doc else "",
        introduction=reader.texts(doc["introduction"], "document.introduction"),
        handling_rules=reader.texts(doc["handling_rules"], "document.handling_rules"),
        contacts=reader.texts(doc["contacts"], "document.contacts"),
        summary=reader.text(doc["summary"], "document.summary"),
        topics=tuple(topics),
        sections=sections,
        language=language,
        source_name=source_name,
        source_sha256=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
    )


def read_content_file(path: Path | str, **languages) -> ContentDocument:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ContentFileError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise ContentFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return parse_content(raw, source_name=str(path), **languages)


def _message_fields(message: MessageSpec) -> dict:
    fields = {"id": message.identifier}
    if message.topics:
        fields["topics"] = list(message.topics)
    fields["text"] = message.text
    if message.children:
        fields["children"] = [_message_fields(child) for child in message.children]
    return fields


def _section_fields(section: SectionSpec) -> dict:
    fields = {"key": section.key, "title": section.title}
    if section.number:
        fields["number"] = section.number
    if section.lead:
        fields["approaches_intro"] = section.lead
    fields["messages"] = [_message_fields(message) for message in section.messages]
    if section.subsections:
        fields["subsections"] = [_section_fields(subsection) for subsection in section.subsections]
    return fields


def write_content(content: ContentDocument, *, header: str = "") -> str:
    """The content file of `content`, in the format `parse_content` reads: parsing it gives `content`
    back (the editor's drafts are validated that way, with the loader's own rules)."""
    document = {
        "slug": content.slug,
        "title": content.title,
        "edition": content.edition,
    }
    if content.edition_note:
        document["edition_note"] = content.edition_note
    document.update(
        introduction=list(content.introduction),
        handling_rules=list(content.handling_rules),
        contacts=list(content.contacts),
        summary=content.summary,
    )
    root = {"format": SUPPORTED_FORMAT}
    if content.language:
        root["language"] = content.language
    root.update(
        document=document,
        topics=[{"slug": topic.slug, "name": topic.name} for topic in content.topics],
        sections=[_section_fields(section) for section in content.sections],
    )
    body = yaml.dump(root, Dumper=_SAFE_DUMPER, allow_unicode=True, sort_keys=False, width=10_000, default_style=None)
    comment = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines())
    return comment + body
