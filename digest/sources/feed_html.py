"""A feed item's HTML → the Markdown body a local article would have, and what it holds.

The content is first sanitised with the allow-list local bodies get (no script, iframe,
form or style passes; every URL made absolute against the item's base). Then what
publishers add for feed readers is taken out: 1x1 tracking images, WordPress's "The post
… appeared first on …" footer, "Read More…" links, a trailing "[…]", and a "Related
posts" block (its links become the editor's related links). What is left is written as
Markdown that renders to the same HTML: each paragraph a Markdown paragraph (so that lead
quotes are found in it as in a local body), every other block one line of raw HTML.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml import html as lxml_html

from digest.sanitise import ALLOWED_TAGS, clean
from digest.sources.feed import Media

INLINE = frozenset(
    {"a", "abbr", "b", "br", "code", "del", "em", "i", "img", "ins", "q", "s", "small",
     "strong", "sub", "sup"}
)  # fmt: skip
HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
APPEARED_FIRST = re.compile(r"^\s*(?:the )?post\b.*\bappeared first on\b", re.I | re.S)
READ_MORE = re.compile(
    r"^\s*(?:read more|continue reading|keep reading|read the (?:full|rest)\b)", re.I
)
CALL_TO_ACTION = re.compile(
    r"^\s*(?:subscribe(?: now)?|sign up(?: now)?|share|leave a comment|give a gift "
    r"subscription)\s*[.!…]*\s*$",
    re.I,
)
"""A link that is a publisher's button, alone in its paragraph (Substack's, say)."""
CUT_OFF = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.|&hellip;)\s*\]|\[\s*…\s*\])\s*$")
RELATED_HEADING = re.compile(
    r"^\s*(?:related(?: posts| stories| articles| reading| links)?|read (?:also|next|more)|"
    r"more (?:stories|reading)|you (?:may|might) also like)\s*:?\s*$",
    re.I,
)
WIDGET_CLASSES = frozenset(
    {"feedflare", "sharedaddy", "sd-sharing", "addtoany", "a2a_kit", "share-buttons",
     "social-share", "wp-block-social-links", "mc4wp-form"}
)  # fmt: skip
"""Classes that mark a block the publisher's tools add to every item (FeedBurner's
"feedflare" buttons, Jetpack's and AddToAny's sharing rows, a sign-up form): never text."""
WIDGET_MARK = re.compile(r"class\s*=", re.I)
MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
LINE_START = re.compile(r"^(\s*)(\d*)([#>+\-=.)])")


@dataclass(frozen=True)
class Content:
    """What an item's HTML gives: the Markdown body, its first real image, related links."""

    markdown: str
    image: Media | None
    related: tuple[str, ...]


def clean_content(fragment: str, base: str, *, title: str = "") -> Content:
    """The item's content HTML made a safe Markdown body; see the module's docstring.

    A heading that opens the content and repeats `title` (Medium's) goes too.
    """
    root = _tree(sanitise(_drop_widgets(fragment), base, keep=QUOTE_CREDITS))
    _drop_tracking_images(root)
    _drop_boilerplate(root)
    _drop_repeated_title(root, title)
    related = _related_block(root)
    image = _first_image(root)
    return Content(to_markdown(root), image, related)


def clean_summary(fragment: str, base: str) -> str:
    """A summary's HTML as one line of plain text without the publisher's additions."""
    root = _tree(sanitise(_drop_widgets(fragment), base))
    _drop_tracking_images(root)
    _drop_boilerplate(root)
    return CUT_OFF.sub("", " ".join(root.text_content().split())).strip()


QUOTE_CREDITS = frozenset({"cite", "footer"})
"""Kept until the body is rendered (whose sanitiser drops them, keeping their text): a
pull quote's `<cite>` names its speaker, as in a local body."""


def sanitise(fragment: str, base: str, *, keep: frozenset[str] = frozenset()) -> str:
    """The local bodies' allow-list applied (and `keep`), every URL made absolute against
    `base`."""
    # div: only holds blocks; never reaches an output
    return clean(fragment, base, tags=ALLOWED_TAGS | {"div"} | keep)


def _tree(fragment: str) -> Any:
    """The fragment parsed into a `<div>` holding it."""
    return lxml_html.fragment_fromstring(fragment, create_parent="div")


def _drop_widgets(fragment: str) -> str:
    """The fragment without its sharing widgets (see WIDGET_CLASSES), found by the classes
    the sanitiser then removes; unchanged (and not parsed) if nothing in it has a class."""
    if not WIDGET_MARK.search(fragment):
        return fragment
    root = _tree(fragment)
    elements = root.iter(etree.Element)  # not comments, which have no attributes
    widgets = [e for e in elements if WIDGET_CLASSES & set((e.get("class") or "").split())]
    if not widgets:
        return fragment
    for widget in widgets:
        _remove(widget)
    return "".join(_serialised(child) for child in [root.text or "", *root])


def _serialised(node: Any) -> str:
    if isinstance(node, str):
        return html.escape(node, quote=False)
    return str(etree.tostring(node, encoding="unicode", method="html"))


def _drop_tracking_images(root: Any) -> None:
    """Remove images sized 1x1 or less: counters of who read the item, never pictures."""
    for image in list(root.iter("img")):
        sizes = [image.get(name, "").strip().rstrip("px") for name in ("width", "height")]
        if any(size.isdigit() and int(size) <= 1 for size in sizes):
            _remove(image)


def _drop_boilerplate(root: Any) -> None:
    """Remove "The post … appeared first on …", "Read More…" links and a final "[…]"."""
    for paragraph in list(root.iter("p")):
        if APPEARED_FIRST.match(paragraph.text_content()):
            _remove(paragraph)
    for link in list(root.iter("a")):
        parent = link.getparent()
        text = link.text_content()
        alone = parent is not None and parent.tag == "p" and parent.text_content() == text
        if READ_MORE.match(text) or (alone and CALL_TO_ACTION.match(text)):
            _remove(link)
            if parent is not None and parent.tag == "p" and not _has_content(parent):
                _remove(parent)
    _trim_cut_off(root)


def _trim_cut_off(root: Any) -> None:
    """A "[…]" that ends the text (an excerpt's cut-off) goes."""
    last = None
    for element in root.iter():
        if element.text and element.text.strip():
            last = (element, "text")
        if element is not root and element.tail and element.tail.strip():
            last = (element, "tail")
    if last is None:
        return
    element, where = last
    value = getattr(element, where)
    trimmed = CUT_OFF.sub("", value)
    if trimmed != value:
        setattr(element, where, trimmed)


def _drop_repeated_title(root: Any, title: str) -> None:
    first = next((child for child in root if isinstance(child.tag, str)), None)
    if first is None or first.tag not in HEADINGS or (root.text or "").strip():
        return
    if " ".join(first.text_content().split()).casefold() == " ".join(title.split()).casefold():
        _remove(first)


def _has_content(element: Any) -> bool:
    return bool(element.text_content().strip()) or element.find(".//img") is not None


def _related_block(root: Any) -> tuple[str, ...]:
    """The links of a "Related posts" heading's list, which is removed with the heading."""
    for heading in list(root):
        if not isinstance(heading.tag, str) or heading.tag not in (*HEADINGS, "p"):
            continue
        if not RELATED_HEADING.match(heading.text_content()):
            continue
        following = heading.getnext()
        if following is None or following.tag not in ("ul", "ol"):
            continue
        links = [a.get("href", "") for a in following.iter("a")]
        _remove(following)
        _remove(heading)
        return tuple(dict.fromkeys(link for link in links if link))
    return ()


def _first_image(root: Any) -> Media | None:
    """The first image of the content, with its figure's caption as credit."""
    for image in root.iter("img"):
        source = image.get("src", "")
        if not source:
            continue
        credit = ""
        parent = image.getparent()
        while parent is not None and parent.tag != "figure":
            parent = parent.getparent()
        if parent is not None:
            caption = parent.find(".//figcaption")
            credit = " ".join(caption.text_content().split()) if caption is not None else ""
        return Media(source, image.get("alt", "").strip(), credit)
    return None


def _remove(element: Any) -> None:
    """Remove `element`, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


# --- Markdown ---------------------------------------------------------------------------------


def to_markdown(root: Any) -> str:
    """The blocks under `root` as Markdown: paragraphs as paragraphs, other blocks as HTML."""
    blocks: list[str] = []
    inline: list[str] = []

    def flush() -> None:
        text = " ".join("".join(inline).split())
        if text:
            blocks.append(_paragraph_start(text))
        inline.clear()

    if root.text:
        inline.append(_escape(root.text))
    for child in root:
        if not isinstance(child.tag, str):  # a comment: the sanitiser leaves none
            continue
        if child.tag in INLINE:
            inline.append(_inline(child))
        elif child.tag == "p":
            flush()
            inline.append(_inline_children(child))
            flush()
        elif child.tag == "div":
            flush()
            nested = to_markdown(child)
            if nested:
                blocks.append(nested)
        else:
            flush()
            blocks.append(_html_block(child))
        if child.tail:
            inline.append(_escape(child.tail))
    flush()
    return "\n\n".join(blocks)


def _paragraph_start(text: str) -> str:
    """A paragraph whose first characters Markdown would read as a heading, list or quote
    marker, with that marker escaped."""
    marker = LINE_START.match(text)
    if marker is None or (marker[2] and marker[3] not in ".)"):
        return text
    return f"{text[: marker.start(3)]}\\{text[marker.start(3) :]}"


def _escape(text: str) -> str:
    """Text as Markdown inline text: HTML-escaped, Markdown's own punctuation escaped."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def _inline_children(element: Any) -> str:
    parts = [_escape(element.text or "")]
    for child in element:
        if isinstance(child.tag, str):
            parts.append(_inline(child))
        if child.tail:
            parts.append(_escape(child.tail))
    return "".join(parts)


def _inline(element: Any) -> str:
    """An inline element as inline HTML, its text as Markdown text."""
    tag = element.tag
    attributes = "".join(f' {name}="{html.escape(value)}"' for name, value in element.items())
    if tag in ("br", "img"):
        return f"<{tag}{attributes}>"
    if tag not in INLINE:  # a block inside a paragraph: its text only
        return _inline_children(element)
    return f"<{tag}{attributes}>{_inline_children(element)}</{tag}>"


def _html_block(element: Any) -> str:
    """A block element as one line of HTML (a line break inside is written `&#10;`)."""
    tail = element.tail
    element.tail = None
    serialised: str = etree.tostring(element, encoding="unicode", method="html")
    element.tail = tail
    return serialised.strip().replace("\r", "").replace("\n", "&#10;")
