"""A browser's user-agent string as a person reads it: "Firefox 128 on Windows".

Dependency-free and deliberately small: the common browsers and systems of the people who use the
library, by their tokens. The label is built only from the fixed names below and a version's digits,
so nothing a client sent ever reaches the page as it was sent; anything unrecognised is "Unknown
browser" (with the system when that is known).
"""

import re

from django.utils.translation import gettext as _

# Order matters: a browser built on another names both (Edge and Opera say "Chrome/" too, Chrome
# says "Safari/"), so the more specific token comes first.
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/(\d{1,4})(?!\d)")),
    ("Opera", re.compile(r"\b(?:OPR|OPT|Opera)/(\d{1,4})(?!\d)")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/(\d{1,4})(?!\d)")),
    ("Vivaldi", re.compile(r"\bVivaldi/(\d{1,4})(?!\d)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/(\d{1,4})(?!\d)")),
    ("Chrome", re.compile(r"(?:\b|Headless)(?:Chrome|CriOS)/(\d{1,4})(?!\d)")),
    ("Chromium", re.compile(r"\bChromium/(\d{1,4})(?!\d)")),
    ("Safari", re.compile(r"\bVersion/(\d{1,4})(?!\d)[.\d]*(?: Mobile/\w+)? Safari/")),
    ("Internet Explorer", re.compile(r"\bMSIE (\d{1,2})(?!\d)|\bTrident/.*\brv:(\d{1,2})(?!\d)")),
)

_SYSTEMS = (
    ("iOS", re.compile(r"\b(?:iPhone|iPad|iPod)\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("macOS", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b|\bX11\b")),
)


def _browser(user_agent: str) -> str | None:
    for name, pattern in _BROWSERS:
        match = pattern.search(user_agent)
        if match:
            version = next((group for group in match.groups() if group), None)
            return f"{name} {int(version)}" if version else name
    return None


def _system(user_agent: str) -> str | None:
    return next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), None)


def browser_label(user_agent: str | None) -> str:
    """"Firefox 128 on Windows", "Safari 17 on iOS", "Chrome 126"; "Unknown browser" otherwise."""
    user_agent = (user_agent or "")[:1000]
    browser = _browser(user_agent) or _("Unknown browser")
    system = _system(user_agent)
    if system is None:
        return browser
    return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
