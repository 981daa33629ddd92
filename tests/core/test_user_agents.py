"""The "Browser" column of My sessions: a user-agent string as a person reads it, never as it came."""

import pytest
from django.utils import translation

from core.user_agents import browser_label

pytestmark = pytest.mark.db_independent

# Real user-agent strings, as the browsers send them.
REAL = [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 on Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox 128 on Linux"),
    ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0", "Firefox 115 on Linux"),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Chrome 126 on macOS",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.2592.87",
        "Edge 126 on Windows",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 OPR/112.0.0.0",
        "Opera 112 on Windows",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Safari 17 on macOS",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
        "Safari 17 on iOS",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
        "Safari 16 on iOS",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
        "Chrome 126 on iOS",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15",
        "Firefox 127 on iOS",
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
        "Chrome 126 on Android",
    ),
    ("Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0", "Firefox 128 on Android"),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",
        "Samsung Internet 25 on Android",
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Chrome 126 on ChromeOS",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.6478.126 Safari/537.36",
        "Chrome 126 on Linux",
    ),
    ("Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko", "Internet Explorer 11 on Windows"),
    ("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; Trident/6.0)", "Internet Explorer 10 on Windows"),
]


@pytest.mark.parametrize(("user_agent", "label"), REAL, ids=[label for _ua, label in REAL])
def test_a_real_browser_is_named_with_its_version_and_system(user_agent, label):
    with translation.override("en"):
        assert browser_label(user_agent) == label


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        ("", "Unknown browser"),
        (None, "Unknown browser"),
        ("Laptop browser", "Unknown browser"),
        ("curl/8.5.0", "Unknown browser"),
        ("python-requests/2.32.3", "Unknown browser"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) SomethingNew/3.0", "Unknown browser on Windows"),
        ("<script>alert(1)</script> Firefox/<b>", "Unknown browser"),
        ("x" * 10_000, "Unknown browser"),
    ],
)
def test_an_unknown_user_agent_gets_a_short_safe_label_never_the_raw_string(user_agent, label):
    with translation.override("en"):
        assert browser_label(user_agent) == label


def test_a_forged_version_cannot_carry_text_into_the_label():
    with translation.override("en"):
        assert browser_label("Firefox/128<img src=x onerror=alert(1)> (Windows NT 10.0)") == "Firefox 128 on Windows"
        assert browser_label("Chrome/99999999 on Linux") == "Unknown browser on Linux"


def test_the_label_is_in_the_readers_language():
    with translation.override("es"):
        assert browser_label(REAL[0][0]) == "Firefox 128 en Windows"
        assert browser_label("curl/8.5.0") == "Navegador desconocido"
