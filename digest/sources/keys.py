"""The front-matter fields digest reads under its own names: a light module, so that the
configuration can check `[fields]` against them without loading a parser."""

from __future__ import annotations

KNOWN_KEYS = (
    "title",
    "date",
    "section",
    "author",
    "summary",
    "updated",
    "image",
    "image_alt",
    "image_credit",
    "tags",
    "related",
    "lead_quote",
    "lead_quote_by",
    "slug",
    "id",
    "draft",
    "expires",
)
REQUIRED_KEYS = ("title", "date")
