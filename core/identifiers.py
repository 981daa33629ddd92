"""A message identifier such as DET-04 or GCO-05.1: the one definition (URLs, forms, files, search)."""

import re

from django.urls import register_converter

# Without anchors, case-insensitive: for URLs and for finding identifiers inside text.
IDENTIFIER_PATTERN = r"[A-Za-z]{2,5}-\d{2}(?:\.\d{1,2})?"
IDENTIFIER_RE = re.compile(rf"^{IDENTIFIER_PATTERN}$")
# As a content file must write it: upper case.
CANONICAL_IDENTIFIER_RE = re.compile(r"^[A-Z]{2,5}-\d{2}(?:\.\d{1,2})?$")


class IdentifierConverter:
    regex = IDENTIFIER_PATTERN

    def to_python(self, value):
        return value.upper()

    def to_url(self, value):
        return value


register_converter(IdentifierConverter, "identifier")
