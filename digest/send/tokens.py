"""Signed tokens for links that act on one address: `ADDRESS.MAC`, both base64url.

The MAC is HMAC-SHA256, keyed with `DIGEST_SECRET`, over the purpose ("unsubscribe"), the
list's id and the address: a token works for one address, on one list, for one purpose,
and cannot be made without the secret. The secret is read from the environment only,
never written anywhere. `verify_token` is what a newsroom's unsubscribe endpoint calls.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

from digest.errors import ConfigError

SECRET_VARIABLE = "DIGEST_SECRET"
UNSUBSCRIBE = "unsubscribe"
MIN_SECRET = 16
"""Characters a secret needs at least: a short one can be guessed from a token offline."""


def secret_from_env() -> bytes:
    """`DIGEST_SECRET` as bytes; ConfigError (exit 2) when it is missing or too short."""
    secret = os.environ.get(SECRET_VARIABLE, "")
    if len(secret) < MIN_SECRET:
        state = "is not set" if not secret else f"is shorter than {MIN_SECRET} characters"
        raise ConfigError(
            [
                f"{SECRET_VARIABLE} {state}: it signs every subscriber's unsubscribe link. "
                f"Set it to a long random string (e.g. `openssl rand -hex 32`) in the "
                f"environment that runs digest, and keep it: changing it breaks the links "
                f"already sent"
            ]
        )
    return secret.encode("utf-8")


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(address: str, *, secret: bytes, list_id: str, purpose: str) -> bytes:
    message = "\0".join((purpose, list_id, address)).encode("utf-8")
    return hmac.new(secret, message, hashlib.sha256).digest()


def make_token(address: str, *, secret: bytes, list_id: str, purpose: str = UNSUBSCRIBE) -> str:
    """The token for `address` on `list_id`: URL-safe, no padding, `[A-Za-z0-9_.-]` only."""
    mac = _mac(address, secret=secret, list_id=list_id, purpose=purpose)
    return f"{_encode(address.encode('utf-8'))}.{_encode(mac)}"


def verify_token(
    token: str, *, secret: bytes, list_id: str, purpose: str = UNSUBSCRIBE
) -> str | None:
    """The address a token was made for, or None if it is not a valid token for this list
    and purpose. The MACs are compared in constant time (`hmac.compare_digest`)."""
    encoded, _, given = token.strip().partition(".")
    try:
        address = _decode(encoded).decode("utf-8")
        mac = _decode(given)
    except (binascii.Error, ValueError):
        return None
    expected = _mac(address, secret=secret, list_id=list_id, purpose=purpose)
    return address if hmac.compare_digest(mac, expected) else None
