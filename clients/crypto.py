"""Encryption at rest of the few secrets a client record holds (e-invoicing platform password).

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`), with MultiFernet so that keys can be
rotated: FIELD_ENCRYPTION_KEYS lists the keys, newest first; older ones still decrypt.
"""

from __future__ import annotations

from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("This secret cannot be decrypted with the configured FIELD_ENCRYPTION_KEYS.") from exc
