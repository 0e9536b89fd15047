"""Template syntax (Liquid, Nunjucks, Hugo shortcodes) never reaches a reader (#14).

The bodies here are written by us, in the shapes Jekyll, Eleventy and Hugo sites use.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from digest.config import Config
from digest.enrich.quotes import extract_lead_quote
from digest.pipeline import build
from digest.sources.templating import without_templates
from tests.conftest import NOW
from tests.work import calls

REMOVED = {
    "liquid output and tag": (
        "The pier {{ page.title }} reopened {% include notice.html %}today.",
        "The pier  reopened today.",
    ),
    "nunjucks comment": ("{# a note to ourselves #}The pier reopened.", "The pier reopened."),
    "liquid assign and if": (
        "{% assign year = 2026 %}{% if year %}The pier reopened.{% endif %}",
        "The pier reopened.",
    ),
    "whitespace-trimming tags": ("{%- if a -%}Open{%- endif -%}", "Open"),
    "liquid comment block": (
        "{% comment %}\nNot “for readers” at all.\n{% endcomment %}\nThe pier reopened.",
        "\nThe pier reopened.",
    ),
    "raw keeps its content": (
        "Type {% raw %}{{ name }}{% endraw %} there.",
        "Type {{ name }} there.",
    ),
    "paired shortcode keeps inner text": (
        "{{< note >}}Bring a coat.{{< /note >}} {{% aside %}}Or two.{{% /aside %}}",
        "Bring a coat. Or two.",
    ),
    "single shortcode": ('Watch: {{< youtube id="abc123" >}}', "Watch: "),
    "figure keeps its caption": (
        '{{< figure src="pier.jpg" alt="A pier" caption="The pier at dawn" >}}',
        "The pier at dawn",
    ),
    "link to a template keeps its text": (
        'See [the timetable]({% link _posts/2026-01-02-times.md %}), [fares]({{ "/fares/" | url }})'
        ' and [maps]({{< ref "maps.md" >}} "Maps").',
        "See the timetable, fares and maps.",
    ),
    "link to a path after a template": (
        "[Tides]({{ site.baseurl }}/tides/) and [Docks](<{{site.url}}/docks>)",
        "Tides and Docks",
    ),
    "image from a template goes whole": (
        "![The old pier]({{ site.baseurl }}/pier.jpg)Text",
        "Text",
    ),
    "html attribute from a template": (
        '<a href="{{< ref "2016-04-20-pier.md" >}}">the pier</a>',
        "<a >the pier</a>",
    ),
    "shortcode as a link's text": (
        '[{{< legacy-img src="a.png" alt="A drawing of a pier" >}}](https://harbour.example/a.png)',
        "[](https://harbour.example/a.png)",
    ),
    "a heading id is no template": ("## Tides {#tides}", "## Tides {#tides}"),
    "kramdown attribute lists on lines of their own": (
        '{:start="4"}\n4.&nbsp;The pier reopened.\n{: .note}\n\n  {:start=“5”}\nMore.',
        "4.&nbsp;The pier reopened.\n\nMore.",
    ),
    "kramdown attributes after a link or an image": (
        '[the pier](/pier/){:target="_blank"} reopened.\n![Pier](p.jpg){:width="60%" .left}',
        "[the pier](/pier/) reopened.\n![Pier](p.jpg)",
    ),
    "kramdown attributes left unclosed or with a colon key": (
        '[the pier](/pier/){:target="_blank} and [the quay](/quay/){:target="_blank" :rel="a"}.',
        "[the pier](/pier/) and [the quay](/quay/).",
    ),
    "kramdown attributes opening a line of text": (
        "{: .lead} Ann Lee said:\n\n> The pier is open.",
        "Ann Lee said:\n\n> The pier is open.",
    ),
    "braces after a colon that hold no attributes stay": (
        "Braces {: like this} stay; so do {:?}, {:width=>100} and {:keys [tide]}",
        "Braces {: like this} stay; so do {:?}, {:width=>100} and {:keys [tide]}",
    ),
    "an unclosed tag stays": ("A set {{ of braces", "A set {{ of braces"),
}


@pytest.mark.parametrize(("body", "shown"), REMOVED.values(), ids=REMOVED.keys())
def test_template_syntax_is_removed(body: str, shown: str) -> None:
    assert without_templates(body)[0] == shown


def test_highlight_blocks_become_code_blocks() -> None:
    body = "Run this:\n{% highlight ruby %}\nputs `date`\n{{ kept }}\n{% endhighlight %}\nDone."
    assert without_templates(body)[0] == (
        "Run this:\n```ruby\nputs `date`\n{{ kept }}\n```\n\nDone."
    )
    hugo = '{{< highlight go "linenos=table" >}}\nfmt.Println(1)\n{{< /highlight >}}'
    assert without_templates(hugo)[0] == "```go\nfmt.Println(1)\n```\n"


def test_a_quote_shortcode_becomes_a_signed_blockquote_and_the_lead_quote() -> None:
    body = '{{< quote-block text="Every ferry will run on time this winter." cite="Ana Reyes" >}}'
    quote = extract_lead_quote(without_templates(body)[0])
    assert quote is not None
    assert (quote.text, quote.speaker) == ("Every ferry will run on time this winter.", "Ana Reyes")


CODE = {
    "code span": "Write `{{ page.title }}` in the layout.",
    "fence": "```liquid\n{% for post in site.posts %}\n{{ post.title }}\n{% endfor %}\n```",
    "tilde fence": '~~~\n{{< ref "x" >}}\n~~~',
    "double-tick span": "``{% if a %}` b``",
    "html code": "<pre><code>{{ site.time }}</code></pre> and <code>{% endif %}</code>",
    "kramdown in a fence": '```\n{:start="4"}\n```\n',
}


@pytest.mark.parametrize("body", CODE.values(), ids=CODE.keys())
def test_template_syntax_written_as_code_stays(body: str) -> None:
    shown, removal = without_templates(body)
    assert (shown, removal.count) == (body, 0)


def test_raw_markers_inside_code_go_as_the_generator_drops_them() -> None:
    shown, removal = without_templates("Use `{% raw %}{{ name }}{% endraw %}` here.")
    assert (shown, removal.count) == ("Use `{{ name }}` here.", 2)


def test_removals_are_counted_by_kind_with_the_first_offset() -> None:
    body = "Plain.\n\nA {{ x }} b {{< ref y >}} c {# z #}."
    removal = without_templates(body)[1]
    assert removal.count == 3
    assert removal.first == body.index("{{ x }}")
    assert removal.kinds == {"Liquid", "Hugo shortcodes", "Nunjucks"}


def test_unclosed_openings_cost_linear_work() -> None:
    def body(count: int) -> str:
        return "{% raw %} `a `` {% comment %} <pre> [x]({{ y " * count

    small = calls(lambda: without_templates(body(400)))
    large = calls(lambda: without_templates(body(800)))
    assert large <= 2.5 * small


# --- In a build ------------------------------------------------------------------------------

ARTICLE = """---
title: Ferry timetable changes
date: 2026-11-25T08:00:00Z
section: Local
---
{% assign route = "north" %}
The harbour board changed the winter timetable, as [the notice]({% link notice.md %}) says.

“Every crossing will leave on the hour from December,” said Ana Reyes, the harbour master.
{{< tweet user="harbour" id="1" >}}

```liquid
{{ page.title }}
```
"""


def templated_site(root: Path) -> Config:
    folder = root / "site"
    folder.mkdir()
    (folder / "ferry.md").write_text(ARTICLE, encoding="utf-8")
    return Config(
        title="Harbour Post",
        base_url="https://harbour.example/",
        articles=folder,
        output=root / "public",
    )


def test_no_output_shows_template_syntax_and_one_warning_names_the_first(tmp_path: Path) -> None:
    config = templated_site(tmp_path)
    result = build(config, now=NOW)
    warnings = [str(w) for w in result.warnings if "template" in w.message]
    assert warnings == [
        f"{config.articles / 'ferry.md'}:6: 3 template tags removed (Hugo shortcodes, Liquid); "
        "first at line 6: digest cannot run them, and readers never see them"
    ]
    texts = [
        path.read_text(encoding="utf-8")
        for path in sorted(config.output.rglob("*"))
        if path.is_file() and ".digest" not in path.parts
    ]
    assert texts
    for text in texts:
        shown = text.replace("{{ page.title }}", "")  # the author's code example
        assert "{%" not in shown and "{{" not in shown and "notice.md" not in shown
    item = json.loads((config.output / "feed.json").read_text())["items"][0]
    assert "the notice says" in item["content_html"]
    assert "{{ page.title }}" in item["content_html"]  # kept, as code
    assert item["_digest"]["lead_quote"]["speaker"] == "Ana Reyes, the harbour master"
