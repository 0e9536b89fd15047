"""Signed values for the subscriber pages, built on `digest.send.tokens`.

The pages use four purposes, each its own key space: `unsubscribe` (the token every
message carries; never expires), `preferences` (handed out by the unsubscribe and
confirmation pages), `confirm` (a sign-up's link: the address, name and sections chosen,
and when it expires) and `form` (the hidden field that protects a form against
cross-site posts: the page it belongs to and when it expires). A value signed for one
purpose never verifies for another.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from digest.send.tokens import UNSUBSCRIBE, make_token, verify_token

PREFERENCES = "preferences"
CONFIRM = "confirm"
FORM = "form"


@dataclass(frozen=True)
class Signer:
    """Makes and checks the pages' tokens with one secret, for one list."""

    secret: bytes
    list_id: str

    def address_token(self, address: str, purpose: str) -> str:
        """A token naming `address` for `purpose` (unsubscribe, preferences)."""
        return make_token(address, secret=self.secret, list_id=self.list_id, purpose=purpose)

    def address(self, token: str, purpose: str) -> str | None:
        """The address of a valid `purpose` token, else None."""
        if purpose not in (UNSUBSCRIBE, PREFERENCES):
            raise ValueError(f"not an address purpose: {purpose}")
        return verify_token(token, secret=self.secret, list_id=self.list_id, purpose=purpose)

    def sealed(self, fields: dict[str, Any], purpose: str, *, expires: float) -> str:
        """`fields` and an expiry time (Unix seconds) signed for `purpose`."""
        payload = json.dumps({**fields, "exp": int(expires)}, separators=(",", ":"))
        return make_token(payload, secret=self.secret, list_id=self.list_id, purpose=purpose)

    def opened(self, token: str, purpose: str, *, now: float) -> dict[str, Any] | None:
        """The fields of a valid, unexpired `sealed` token for `purpose`, else None."""
        payload = verify_token(token, secret=self.secret, list_id=self.list_id, purpose=purpose)
        if payload is None:
            return None
        try:
            fields = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(fields, dict) or not isinstance(fields.get("exp"), int):
            return None
        return fields if fields["exp"] > now else None
