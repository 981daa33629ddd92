from django.conf import settings
from django.utils.functional import SimpleLazyObject

from messages_app.translations.selectors import language_name


def content_language(request):
    """The canonical document's language, for `lang` attributes and "original text" labels."""
    code = settings.KEY_MESSAGES_ORIGINAL_LANGUAGE
    return {"ORIGINAL_LANGUAGE": code, "ORIGINAL_LANGUAGE_NAME": SimpleLazyObject(lambda: language_name(code))}
