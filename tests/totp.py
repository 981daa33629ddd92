import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from national_societies.demo import DEMO_TOTP_SECRET


def totp_code(secret: str = DEMO_TOTP_SECRET, at: float | None = None) -> str:
    """The code an authenticator app shows now for `secret` (RFC 6238, 30-second steps)."""
    return format_hotp_value(hotp_value(secret, int((at or time.time()) // 30)))
