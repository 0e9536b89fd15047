"""A feedgen extension writing each entry's links, and the Atom elements RSS 2.0 lacks.

feedgen 1.0 drops `rel`, `type` and `title` from entry links (its loop rebinds `link` to
the new element before reading them), so an Atom entry's alternate and related links come
out as bare `<link href>` duplicates that break the "one alternate link" rule. This
extension writes them instead:

- Atom entries: `<link rel="alternate" type="text/html">` and `<link rel="related" title>`;
- RSS items: `atom:updated` (RSS has no update time) and `atom:link rel="related"`, in the
  Atom namespace feedgen already declares on every RSS feed for `atom:link rel="self"`.
"""

from __future__ import annotations

from datetime import datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

from digest.models import RelatedLink

ATOM_NS = "http://www.w3.org/2005/Atom"
LINK = f"{{{ATOM_NS}}}link"


class EntryLinksExtension(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
    """Feed side of the extension: nothing to add (no new namespace)."""


class EntryLinksEntryExtension(BaseEntryExtension):  # type: ignore[misc]  # feedgen is untyped
    """Holds an entry's page URL, update time and related links; writes them."""

    def __init__(self) -> None:
        self.url = ""
        self.updated: datetime | None = None
        self.related: tuple[RelatedLink, ...] = ()

    def set(self, *, url: str, updated: datetime, related: tuple[RelatedLink, ...]) -> None:
        """What to write for this entry."""
        self.url = url
        self.updated = updated
        self.related = related

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        """Append the alternate and related links to an Atom entry."""
        # feedgen builds Atom documents from un-namespaced elements under a literal
        # xmlns attribute; elements added to them must be un-namespaced too.
        etree.SubElement(entry, "link", rel="alternate", type="text/html", href=self.url)
        self._related(entry, "link")
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        """Append `atom:updated` and the related links to an RSS item."""
        if self.updated is not None:
            etree.SubElement(item, f"{{{ATOM_NS}}}updated").text = self.updated.isoformat()
        self._related(item, LINK)
        return item

    def _related(self, parent: etree._Element, tag: str) -> None:
        for link in self.related:
            element = etree.SubElement(parent, tag, rel="related", href=link.url)
            if link.title:
                element.set("title", link.title)
