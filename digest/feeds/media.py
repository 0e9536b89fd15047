"""A feedgen extension for Media RSS images with their description and credit.

feedgen's own `media` extension writes `media:content` but neither `media:description`
nor `media:credit`; this one writes, in RSS items and Atom entries alike::

    <media:content url="…" medium="image">
      <media:description type="plain">alt text</media:description>
      <media:credit>Photographer, Agency</media:credit>
    </media:content>
"""

from __future__ import annotations

from dataclasses import dataclass

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from lxml import etree

MEDIA_NS = "http://search.yahoo.com/mrss/"


def _media(name: str) -> str:
    return f"{{{MEDIA_NS}}}{name}"


@dataclass(frozen=True)
class MediaImage:
    """One image of an entry: where it is, what it shows, whom to credit."""

    url: str
    description: str = ""
    credit: str = ""


class MediaExtension(BaseExtension):  # type: ignore[misc]  # feedgen is untyped
    """Declares the Media RSS namespace on the feed."""

    def extend_ns(self) -> dict[str, str]:
        """The namespace prefix this extension writes."""
        return {"media": MEDIA_NS}


class MediaEntryExtension(BaseEntryExtension):  # type: ignore[misc]  # feedgen is untyped
    """Collects an entry's images and writes them as `media:content`."""

    def __init__(self) -> None:
        self.images: list[MediaImage] = []

    def image(self, image: MediaImage) -> None:
        """Add an image to the entry."""
        self.images.append(image)

    def extend_atom(self, entry: etree._Element) -> etree._Element:
        """Append the images to an Atom entry (or an RSS item)."""
        for image in self.images:
            content = etree.SubElement(entry, _media("content"), url=image.url, medium="image")
            if image.description:
                description = etree.SubElement(content, _media("description"), type="plain")
                description.text = image.description
            if image.credit:
                etree.SubElement(content, _media("credit")).text = image.credit
        return entry

    def extend_rss(self, item: etree._Element) -> etree._Element:
        """Append the images to an RSS item."""
        return self.extend_atom(item)
