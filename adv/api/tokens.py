"""API token format and hashing. A token is shown once; only its SHA-256 is stored."""

import hashlib
import re
import secrets

TOKEN_PREFIX = "adv_"
_TOKEN_RE = re.compile(r"^adv_[A-Za-z0-9_-]{8}_[A-Za-z0-9_-]{32,64}$")


def generate_token() -> tuple[str, str, str]:
    """Return (raw token, public prefix, SHA-256 hex)."""
    public = secrets.token_urlsafe(6)[:8]
    raw = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    return raw, raw[: len(TOKEN_PREFIX) + 8], hash_token(raw)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_bearer(header: str) -> str | None:
    """The token in `Authorization: Bearer <token>`, or None when malformed."""
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not _TOKEN_RE.match(value):
        return None
    return value
