"""Encryption of secrets stored in the database (TOTP keys, recovery-code seeds).

The key is derived from SECRET_KEY with HKDF, and every key of SECRET_KEY_FALLBACKS can still
decrypt: rotating SECRET_KEY the Django way (old key moved to the fallbacks) keeps MFA working.
Before an old key leaves the fallbacks, `manage.py reencrypt_mfa_secrets` re-encrypts every stored
secret with the current key.
"""

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"key-messages/mfa-secrets/v1"


def _fernet_for(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


@lru_cache(maxsize=4)
def _keyring(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_fernet_for(secret_key), *(_fernet_for(key) for key in fallbacks)])


def _current_keyring() -> MultiFernet:
    return _keyring(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ())))


def encrypt_secret(text: str) -> str:
    return _current_keyring().encrypt(text.encode()).decode()


def reencrypt_secret(token: str) -> str:
    """The same secret encrypted with the current SECRET_KEY (before a fallback key is removed)."""
    try:
        return _current_keyring().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("An MFA secret could not be decrypted with SECRET_KEY or its fallbacks.") from error


def decrypt_secret(token: str) -> str:
    try:
        return _current_keyring().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise ValueError("An MFA secret could not be decrypted: was SECRET_KEY changed without a fallback?") from error
