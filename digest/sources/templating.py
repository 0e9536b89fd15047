"""Template syntax removed from a Markdown body: Liquid, Nunjucks, Hugo shortcodes and
Kramdown attribute lists.

Sites built by Jekyll, Eleventy or Hugo write tags in their posts that only their own
generator can run: `{% include x.html %}`, `{{ site.baseurl }}`, `{{< ref "x.md" >}}`.
digest cannot run them, and a reader must never see them, so they go before the body is
read for anything (its HTML, standfirst, lead quote, related-link terms):

- a line that is only a Kramdown attribute list (`{:start="4"}`, `{: .note}`) is removed,
  and so is one inside a line that opens on a class, an id or an attribute
  (`[the pier](/pier/){:target="_blank"}`, `{: .lead} Ann said:`);
- a tag is removed; a paired shortcode's inner text stays (`{{< note >}}Text{{< /note >}}`);
- `{% raw %}…{% endraw %}` keeps what it holds, as written;
- `{% comment %}…{% endcomment %}` and `{# … #}` go whole;
- `{% highlight ruby %}…{% endhighlight %}` (and Hugo's `highlight`) becomes a code block;
- a figure shortcode leaves its caption, a quote shortcode a signed blockquote;
- a Markdown link or an HTML attribute whose target is a template keeps its text and loses
  the link; an image whose source is a template goes whole.

What the author wrote as code (fenced blocks, code spans, `<pre>`, `<code>`) is kept as it
is: a post about Liquid shows `{{ page.title }}` in its examples. Only the `raw` markers
there go, as the generator drops them too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Removal", "removal_warning", "without_templates"]

LIQUID, NUNJUCKS, HUGO = "Liquid", "Nunjucks", "Hugo shortcodes"
KRAMDOWN = "Kramdown attribute lists"
MAX_LINK_TEXT = 1000

# A Kramdown attribute list inside a line opens on a class, an id or key= (not `key=>`,
# Ruby's hash) and runs to its brace, even when a quote in it is left open (`{:target="_blank}`).
# Other braces after "{:" are prose or code: `{: like this}`, `{:?}`.
_SPAN_ATTRIBUTES = r"\{:[ \t]*(?:[.#][\w-]|:?[\w-]+=(?!>))[^{}\n]*\}"
# Where something to look at starts: a code fence, a code span, an HTML code element, a
# Markdown link or an HTML attribute whose target is a template, a template tag, or a
# Kramdown attribute list. Tags hold no brace, so an unclosed one is read up to the next
# brace only: linear work.
_TAG_PATTERN = r"\{\{<[^{}]*?>\}\}|\{\{%[^{}]*?%\}\}|\{%[^{}]*?%\}|\{\{[^{}]*?\}\}"
_NEXT = re.compile(
    r"(?P<fence>^[ \t]{0,3}(?P<fence_marks>`{3,}|~{3,}))"
    r"|(?P<ticks>`+)"
    r"|(?P<element><(?P<element_name>[pP][rR][eE]|[cC][oO][dD][eE])\b[^<>]*>)"
    rf"|(?P<link>(?P<bang>!?)\[(?P<text>[^\[\]]{{0,{MAX_LINK_TEXT}}})\]\([ \t]*<?(?=\{{[{{%]))"
    r"|(?P<attribute>=[ \t]*(?P<quote>[\"'])(?=\{[{%]))"
    rf"|(?P<tag>{_TAG_PATTERN}|\{{#[^{{}}]*?#\}})"
    r"|(?P<attributes>^[ \t]{0,3}\{:[^{}\n]*\}[ \t]*(?:\n|\Z))"
    rf"|(?P<span_attributes>{_SPAN_ATTRIBUTES})",
    re.MULTILINE,
)
_TAG = re.compile(_TAG_PATTERN)
_ATTRIBUTE_NAME = re.compile(r"\s[A-Za-z][\w-]*[ \t]*\Z")
_NAME = re.compile(r"\{(?:\{[<%]|%)-?\s*(?P<end>/|end)?(?P<name>[\w-]+)")
_RAW_MARK = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
# What a link target holds after its template: a path, a title, the closing parenthesis.
_LINK_PATH = re.compile(r"[^\s()<>{}\"']*")
_LINK_REST = re.compile(r">?(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'))?[ \t]*\)")
_ATTRIBUTE_REST = re.compile(r"[^\s<>{}\"']*")
_PARAMETER = re.compile(r"([\w-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'>]+))")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BLANKS = re.compile(r"[ \t]*")
_BLOCKS = {"raw", "comment", "highlight"}
"""Tags whose content up to the matching end tag is read as a whole (see `_block`)."""


@dataclass
class Removal:
    """What was removed from one body: how many tags, where the first was, which kinds."""

    count: int = 0
    first: int = -1  # offset in the body of the first tag removed
    kinds: set[str] = field(default_factory=set)

    def add(self, offset: int, tag: str) -> None:
        """Count a tag like `tag` removed at `offset`."""
        self.count += 1
        self.first = offset if self.first < 0 else min(self.first, offset)
        self.kinds.add(_kind(tag))


def _kind(tag: str) -> str:
    if tag.lstrip(" \t").startswith("{:"):
        return KRAMDOWN
    if tag.startswith(("{{<", "{{%")):
        return HUGO
    return NUNJUCKS if tag.startswith("{#") else LIQUID


def removal_warning(removal: Removal, body: str, body_line: int) -> tuple[int, str]:
    """The line of the first tag removed from `body` (which starts at `body_line`), and
    the one warning that reports the removal."""
    line = body_line + body.count("\n", 0, removal.first)
    kinds = ", ".join(sorted(removal.kinds))
    tags = "tag" if removal.count == 1 else "tags"
    return line, (
        f"{removal.count} template {tags} removed ({kinds}); first at line {line}: "
        "digest cannot run them, and readers never see them"
    )


def without_templates(body: str) -> tuple[str, Removal]:
    """`body` without template syntax outside code, and what was removed."""
    removal = Removal()
    if "{" not in body:
        return body, removal
    return _Scanner(body, removal).run(), removal


class _Scanner:
    """One pass over a body, left to right, copying what stays into `out`."""

    def __init__(self, text: str, removal: Removal, base: int = 0) -> None:
        self.text = text
        self.removal = removal
        self.base = base  # offset of `text` in the body, for the line of the first tag
        self.out: list[str] = []
        self.unclosed: set[str] = set()  # closers searched for to the end and not found

    def run(self) -> str:
        text, position = self.text, 0
        while True:
            found = _NEXT.search(text, position)
            if found is None:
                break
            self.out.append(text[position : found.start()])
            position = getattr(self, f"_{found.lastgroup}")(found)
        self.out.append(text[position:])
        return "".join(self.out)

    def _removed(self, offset: int, tag: str) -> None:
        self.removal.add(self.base + offset, tag)

    # --- code, kept as written ------------------------------------------------------------

    def _code(self, start: int, end: int) -> int:
        """Keep `text[start:end]` as code (less `raw` markers); return `end`."""
        code = self.text[start:end]
        if "raw" in code and "{%" in code:
            for mark in _RAW_MARK.finditer(code):
                self._removed(start + mark.start(), mark.group())
            code = _RAW_MARK.sub("", code)
        self.out.append(code)
        return end

    def _literal(self, found: re.Match[str], group: str) -> int:
        """The opening of a construct that never closes: kept as text; go on after it."""
        self.out.append(found.group(group))
        return found.end(group)

    def _fence(self, found: re.Match[str]) -> int:
        marks = found.group("fence_marks")
        if marks[0] == "`" and "`" in self.text[found.end() : self.text.find("\n", found.end())]:
            return self._literal(found, "fence")  # not a fence: an info string holds no `
        closer = re.compile(rf"^[ \t]{{0,3}}{re.escape(marks)}{re.escape(marks[0])}*[ \t]*$", re.M)
        line_end = self.text.find("\n", found.end())
        closed = closer.search(self.text, line_end) if line_end >= 0 else None
        return self._code(found.start(), closed.end() if closed else len(self.text))

    def _ticks(self, found: re.Match[str]) -> int:
        ticks = found.group("ticks")
        paragraph = _BLANK_LINE.search(self.text, found.end())
        limit = paragraph.start() if paragraph else len(self.text)
        key = f"{len(ticks)}@{limit}"
        if key not in self.unclosed:
            closer = re.compile(rf"(?<!`){ticks}(?!`)").search(self.text, found.end(), limit)
            if closer is not None:
                return self._code(found.start(), closer.end())
            self.unclosed.add(key)  # no later run of this length closes before `limit`
        return self._literal(found, "ticks")

    def _element(self, found: re.Match[str]) -> int:
        name = found.group("element_name").lower()
        if name not in self.unclosed:
            closer = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(self.text, found.end())
            if closer is not None:
                return self._code(found.start(), closer.end())
            self.unclosed.add(name)
        return self._literal(found, "element")

    # --- links and attributes whose target is a template ----------------------------------

    def _link(self, found: re.Match[str]) -> int:
        rest = self._past_tags(found.end(), _LINK_PATH)
        end = _LINK_REST.match(self.text, rest)
        if rest == found.end() or end is None:  # not a link after all: read on after "["
            self.out.append(found.group("bang") + "[")
            return found.start("text")
        self._removed(found.end(), self.text[found.end() : rest])
        if not found.group("bang"):  # an image whose source is a template goes whole
            inner = _Scanner(found.group("text"), self.removal, self.base + found.start("text"))
            self.out.append(inner.run())
        return end.end()

    def _attribute(self, found: re.Match[str]) -> int:
        rest = self._past_tags(found.end(), _ATTRIBUTE_REST)
        end = _ATTRIBUTE_REST.match(self.text, rest)
        quote = found.group("quote")
        after = end.end() if end else rest
        name = _ATTRIBUTE_NAME.search(self.out[-1]) if self.out else None
        if rest == found.end() or not self.text.startswith(quote, after) or name is None:
            return self._literal(found, "attribute")
        self.out[-1] = self.out[-1][: name.start() + 1]  # the attribute goes, name and all
        self._removed(found.end(), self.text[found.end() : rest])
        return after + 1

    def _attributes(self, found: re.Match[str]) -> int:
        """A Kramdown attribute list on a line of its own: the line goes."""
        self._removed(found.start(), found.group())
        return found.end()

    def _span_attributes(self, found: re.Match[str]) -> int:
        """A Kramdown attribute list inside a line goes, with the blanks after it when it
        opens the line."""
        self._removed(found.start(), found.group())
        line_start = found.start() == 0 or self.text[found.start() - 1] == "\n"
        blanks = _BLANKS.match(self.text, found.end()) if line_start else None
        return blanks.end() if blanks else found.end()

    def _past_tags(self, position: int, between: re.Pattern[str]) -> int:
        """Where the run of template tags starting at `position`, and the text `between`
        them (a path: `{{ site.url }}/a/{{ page.slug }}`), ends."""
        while True:
            tag = _TAG.match(self.text, position)
            if tag is None:
                return position
            position = tag.end()
            path = between.match(self.text, position)
            position = path.end() if path else position

    # --- tags -----------------------------------------------------------------------------

    def _tag(self, found: re.Match[str]) -> int:
        tag = found.group("tag")
        self._removed(found.start(), tag)
        named = _NAME.match(tag)
        name = named.group("name").lower() if named else ""
        if named and not named.group("end") and name in _BLOCKS:
            block = self._block(found, name)
            if block is not None:
                return block
        if named and name == "figure" and tag.startswith("{{<"):
            self.out.append(_parameters(tag).get("caption", ""))
        elif named and "quote" in name and tag.startswith("{{<"):
            self.out.append(_blockquote(_parameters(tag)))
        return found.end()

    def _block(self, found: re.Match[str], name: str) -> int | None:
        """The end of a raw, comment or highlight block opened by `found`, its content
        copied as it shows; None when it never closes (the opening tag alone goes)."""
        tag = found.group("tag")
        if tag.startswith("{{<"):
            if name != "highlight":
                return None
            closer = re.compile(r"\{\{<\s*/\s*highlight\s*>\}\}", re.IGNORECASE)
        else:
            closer = re.compile(rf"\{{%-?\s*end{name}\s*-?%\}}", re.IGNORECASE)
        key = f"{tag[:3]}{name}"
        ended = None if key in self.unclosed else closer.search(self.text, found.end())
        if ended is None:
            self.unclosed.add(key)
            return None
        self._removed(ended.start(), ended.group())
        content = self.text[found.end() : ended.start()]
        if name == "raw":
            self.out.append(content)
        elif name == "highlight":
            self._highlight(tag, content)
        return ended.end()

    def _highlight(self, tag: str, content: str) -> None:
        """A highlight block as a fenced code block, in the language it names."""
        words = _NAME.sub("", tag, count=1).strip("%}>- \t").split()
        language = words[0].strip("\"'") if words else ""
        content = _RAW_MARK.sub("", content).strip("\n")
        longest = max((len(run) for run in re.findall("`+", content)), default=0)
        fence = "`" * max(3, longest + 1)
        before = "" if not self.out or self.out[-1].endswith("\n") or not self.out[-1] else "\n"
        self.out.append(f"{before}{fence}{language}\n{content}\n{fence}\n")


def _parameters(tag: str) -> dict[str, str]:
    """A shortcode's named parameters: `caption="A river"` → {"caption": "A river"}."""
    return {key.lower(): "".join(values) for key, *values in _PARAMETER.findall(tag)}


def _blockquote(parameters: dict[str, str]) -> str:
    """A quote shortcode's text as a Markdown blockquote, signed by its `cite`, if any."""
    text = parameters.get("text") or parameters.get("quote") or ""
    if not text.strip():
        return ""
    cite = parameters.get("cite") or parameters.get("author") or parameters.get("by") or ""
    signed = f"\n>\n> — {cite.strip()}" if cite.strip() else ""
    return f"\n\n> {text.strip()}{signed}\n\n"
