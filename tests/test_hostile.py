"""Hostile input, end to end: each case gets a clear message and a safe build.

Every test runs the real `digest build` command on a folder holding one good article
and the hostile one(s), then checks the message, that the good article was published,
and what reached the outputs.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import time
import tracemalloc
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner
from lxml import etree

from digest.cli import cli
from tests.conftest import NOW_TEXT, ArticleWriter

GOOD_TITLE = "Harbour reopens after the storm"
SAFE_SCHEMES = ("http:", "https:", "mailto:")


def build(articles: Path, out: Path, *extra: str) -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["build", str(articles), "--out", str(out), "--now", NOW_TEXT, *extra]
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(autouse=True)
def away_from_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Run where no digest.toml is, so the defaults apply."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def good(write_article: ArticleWriter) -> Path:
    return write_article("good", "A calm first paragraph.\n", title=GOOD_TITLE)


def write_raw(folder: Path, name: str, front: str, body: str = "Body.\n") -> Path:
    path = folder / name
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    return path


def outputs(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and ".digest" not in p.parts
    }


def assert_published_safely(out: Path, title: str = GOOD_TITLE) -> dict[str, bytes]:
    """Every output parses, the good story is in the feeds and the digest."""
    files = outputs(out)
    for name, content in files.items():
        if name.endswith(".xml"):
            etree.fromstring(content)
        elif name.endswith(".json"):
            json.loads(content)
    assert title in files["feed.json"].decode()
    assert title in files["digest.txt"].decode()
    return files


def test_yaml_that_tries_to_run_code(good: Path, articles_dir: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    attacks = {
        "apply.md": f"title: !!python/object/apply:os.system ['touch {marker}']\n",
        "new.md": f"title: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
        "name.md": "title: !!python/name:os.system\n",
        "module.md": "title: !!python/module:os\n",
    }
    for name, front in attacks.items():
        write_raw(articles_dir, name, front + "section: S\ndate: 2026-11-26\n")
    code, _, stderr = build(articles_dir, tmp_path / "out")
    assert code == 0
    assert not marker.exists()
    for name in attacks:
        assert re.search(
            rf"{name}:2: bad YAML in front matter: could not determine a constructor for the "
            r"tag 'tag:yaml.org,2002:python/",
            stderr,
        ), name
    assert_published_safely(tmp_path / "out")


def test_yaml_alias_bomb_is_refused_without_expanding(
    good: Path, articles_dir: Path, tmp_path: Path
) -> None:
    levels = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for level in range(1, 12):  # 9**12 strings if it were expanded
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        levels.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    bomb = "\n".join(levels) + "\ntitle: T\nsection: S\ndate: 2026-11-26\n"
    write_raw(articles_dir, "bomb.md", bomb)
    write_raw(
        articles_dir, "merge.md", "base: &b {title: T}\n<<: *b\nsection: S\ndate: 2026-11-26\n"
    )
    tracemalloc.start()
    started = time.monotonic()
    code, _, stderr = build(articles_dir, tmp_path / "out")
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 0
    assert elapsed < 10 and peak < 100_000_000
    assert "bomb.md:1: YAML anchors and aliases are not allowed in front matter" in stderr
    assert "merge.md:1: YAML anchors and aliases are not allowed in front matter" in stderr
    assert_published_safely(tmp_path / "out")


def test_a_50_mb_article_is_refused_unread(good: Path, articles_dir: Path, tmp_path: Path) -> None:
    huge = write_raw(articles_dir, "huge.md", "title: Huge\nsection: S\ndate: 2026-11-26\n")
    with huge.open("r+b") as stream:
        stream.truncate(50 * 1024 * 1024)  # sparse: no disk used, 50 MB to read
    tracemalloc.start()
    code, _, stderr = build(articles_dir, tmp_path / "out")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 0
    assert f"{huge}:1: file is 52,428,800 bytes; articles may be 5 MB" in stderr
    assert peak < 20_000_000  # the whole build, far below the file's 50 MB
    assert_published_safely(tmp_path / "out")


def test_devices_and_pipes_named_md_are_refused_without_hanging(
    good: Path, articles_dir: Path, tmp_path: Path
) -> None:
    (articles_dir / "zero.md").symlink_to("/dev/zero")  # endless, and stat says 0 bytes
    os.mkfifo(articles_dir / "pipe.md")  # opening it to read would wait for a writer
    started = time.monotonic()
    code, _, stderr = build(articles_dir, tmp_path / "out")
    assert time.monotonic() - started < 20
    assert code == 0
    for name in ("zero.md", "pipe.md"):
        assert f"{name}:1: not a regular file (a pipe, device or socket); remove it" in stderr
    assert_published_safely(tmp_path / "out")


def test_binary_file_named_md(good: Path, articles_dir: Path, tmp_path: Path) -> None:
    (articles_dir / "photo.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)))
    code, _, stderr = build(articles_dir, tmp_path / "out")
    assert code == 0
    assert "photo.md:1: binary file, not a Markdown article; remove or rename it" in stderr
    assert_published_safely(tmp_path / "out")


def test_invalid_utf8(good: Path, articles_dir: Path, tmp_path: Path) -> None:
    text = "---\ntitle: T\nsection: S\ndate: 2026-11-26\n---\nCaf\xe9 au lait\n"
    (articles_dir / "latin1.md").write_bytes(text.encode("latin-1"))
    (articles_dir / "truncated.md").write_bytes(b"---\ntitle: \xe2\x80\n")  # half a character
    code, _, stderr = build(articles_dir, tmp_path / "out")
    assert code == 0
    assert "latin1.md:6: not UTF-8 text; save the file as UTF-8" in stderr
    assert "truncated.md:2: not UTF-8 text; save the file as UTF-8" in stderr
    assert_published_safely(tmp_path / "out")


def test_symlink_loops_in_the_articles_folder(
    good: Path, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("nested/deep/story", title="Deep story")
    (articles_dir / "nested/deep/up").symlink_to(articles_dir, target_is_directory=True)
    (articles_dir / "nested/sideways").symlink_to(articles_dir / "nested")
    (articles_dir / "self.md").symlink_to(articles_dir / "self.md")  # loops on itself
    code, stdout, stderr = build(articles_dir, tmp_path / "out")
    assert code == 0
    assert "self.md:1: cannot read: Too many levels of symbolic links" in stderr
    assert "read 3 articles (1 skipped); 2 published" in stdout  # each story read once
    assert_published_safely(tmp_path / "out")


def test_slug_or_section_that_tries_to_leave_the_output_folder(
    good: Path, articles_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "work" / "out"
    write_raw(articles_dir, "slug.md", "title: T\nsection: S\ndate: 2026-11-26\nslug: ../../etc\n")
    write_raw(articles_dir, "abs.md", "title: T\nsection: S\ndate: 2026-11-26\nslug: /etc/passwd\n")
    write_raw(articles_dir, "dots.md", "title: T\nsection: '..'\ndate: 2026-11-26\n")
    write_raw(articles_dir, "section.md", "title: Escape\nsection: ../../etc\ndate: 2026-11-26\n")
    write_raw(articles_dir, "id.md", "title: Id\nsection: S\ndate: 2026-11-26\nid: ../../x\n")
    before = {p for p in tmp_path.rglob("*") if out not in p.parents}
    code, _, stderr = build(articles_dir, out)
    assert code == 0
    assert "slug.md:5: 'slug' must be letters, digits, '-', '.', '_' or '~', e.g. 'etc'" in stderr
    assert "abs.md:5: 'slug' must be letters, digits, '-', '.', '_' or '~'" in stderr
    assert "dots.md:3: 'section' has no letters or digits: '..'" in stderr
    files = assert_published_safely(out)
    assert "sections/etc/rss.xml" in files  # the section's slug is "etc", inside out/
    assert all(".." not in name for name in files)
    after = {p for p in tmp_path.rglob("*") if out not in p.parents}
    assert after == before | {out, out.parent}


HEADER_ATTACKS = {
    "title": "Breaking\r\nBcc: victim@example.org\r\n\r\n&lt;b&gt;body&lt;/b&gt;",
    "section": "World\nX-Injected: 1",
    "author": "Ann\r\nReply-To: evil@example.org",
    "summary": "Line one\u2028Subject: spoof\x85To: x@example.org",
    "lead_quote_by": "the mayor\rCc: evil@example.org",
}


def test_headlines_with_line_breaks_cannot_inject_headers(
    write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("crlf", "Body.\n", lead_quote="We stand ready", **HEADER_ATTACKS)
    config = tmp_path / "digest.toml"
    config.write_text('[email]\nsubject = "{headline}"\n')  # the headline becomes a header
    out = tmp_path / "out"
    code, _, stderr = build(articles_dir, out, "--config", str(config))
    assert code == 0, stderr
    files = assert_published_safely(out, title="Breaking Bcc: victim@example.org <b>body</b>")
    injected = re.compile(rb"^(Bcc|Cc|To|Subject|Reply-To|X-Injected):", re.M | re.I)
    for name, content in files.items():
        if name != "digest.eml":
            assert not injected.search(content), name
    feed = json.loads(files["feed.json"])
    item = next(i for i in feed["items"] if i["id"].endswith(":crlf"))
    assert item["title"] == "Breaking Bcc: victim@example.org <b>body</b>"
    assert item["_digest"]["section"] == "World X-Injected: 1"
    assert item["authors"] == [{"name": "Ann Reply-To: evil@example.org"}]
    assert item["_digest"]["lead_quote"]["speaker"] == "the mayor Cc: evil@example.org"
    message = email.message_from_bytes(files["digest.eml"], policy=email.policy.default)
    assert not message.defects
    assert {"Bcc", "Cc", "Reply-To", "X-Injected"}.isdisjoint(message.keys())
    assert str(message["Subject"]) == "Breaking Bcc: victim@example.org <b>body</b>"
    text = message.get_body(("plain",))
    assert text is not None and "Breaking Bcc: victim@example.org" in " ".join(
        text.get_content().split()
    )


HOSTILE_BODY = """\
A calm first paragraph about the storm.

<script>alert('script')</script>
<img src="x.png" onerror="alert('onerror')">
<svg onload="alert('svg')"><circle r="1"/></svg>
<iframe src="https://evil.example/frame"></iframe>
<style>body { background: url(javascript:alert('style')) }</style>
<form action="javascript:alert('form')"><input name="q"></form>

[markdown link](javascript:alert('md'))
<a href="JaVaScRiPt:alert('mixed case')">mixed case</a>
<a href="jav&#x09;ascript:alert('entity')">entity</a>
<a href=" javascript:alert('space')">leading space</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data URL</a>
<a href="vbscript:msgbox('vb')">vbscript</a>
<p onclick="alert('click')" style="x:expression(alert('css'))">Paragraph with handlers.</p>
<object data="evil.swf"></object><embed src="evil.swf">
"""


def html_fragments(files: dict[str, bytes]) -> dict[str, str]:
    """Every piece of HTML the outputs carry, by where it was found."""
    found = {"digest.html": files["digest.html"].decode()}
    for name, content in files.items():
        if name.endswith("feed.json"):
            for item in json.loads(content)["items"]:
                found[f"{name} {item['id']}"] = item["content_html"]
        elif name.endswith(".xml"):
            tree = etree.fromstring(content)
            for element in tree.iter():
                tag = element.tag if isinstance(element.tag, str) else ""
                html_bearing = (
                    tag.endswith("}encoded")
                    or tag == "description"  # RSS: HTML by convention
                    or (tag.endswith("}content") and element.get("type") != "text")
                    or (tag.endswith("}summary") and element.get("type") == "html")
                )
                if html_bearing and element.text:
                    found[f"{name} {tag}"] = element.text
    return found


def assert_no_active_html(fragments: dict[str, str]) -> None:
    """No script-capable element, event handler or non-web URL in any HTML fragment."""
    for where, fragment in fragments.items():
        document = lxml.html.fromstring(f"<div>{fragment}</div>")
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue
            assert element.tag not in {"script", "iframe", "object", "embed", "svg", "form"}, where
            if element.tag == "style":
                assert where == "digest.html", where  # the digest's own stylesheet only
            for attribute, value in element.attrib.items():
                assert not attribute.startswith("on"), (where, attribute)
                assert attribute != "style" or "expression" not in value, where
                if attribute in {"href", "src", "action"}:
                    assert value.strip().lower().startswith(SAFE_SCHEMES), (where, value)


def test_raw_html_script_handlers_and_javascript_links_never_reach_an_output(
    good: Path, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    write_article("hostile", HOSTILE_BODY)
    write_raw(
        articles_dir,
        "image.md",
        "title: I\nsection: S\ndate: 2026-11-26\nimage: javascript:alert('image')\n",
    )
    out = tmp_path / "out"
    code, _, stderr = build(articles_dir, out)
    assert code == 0
    assert "image.md:5: 'image' must be an http(s) URL or a path" in stderr
    files = assert_published_safely(out)
    assert "Paragraph with handlers." in files["feed.json"].decode()  # the harmless text stays
    fragments = html_fragments(files)
    hostile_id = "tag:example.org,2026:hostile"
    assert {"digest.html", f"feed.json {hostile_id}"} <= fragments.keys()
    assert any("encoded" in where for where in fragments)  # RSS content:encoded
    assert any("}content" in where for where in fragments)  # Atom content
    assert_no_active_html(fragments)
    text = files["digest.txt"].decode()
    for needle in ("<script", "onerror", "javascript:", "alert("):
        assert needle not in text.lower()
    everywhere = b"".join(files.values()).decode()
    assert "alert('script')" not in everywhere and "alert('svg')" not in everywhere


@pytest.mark.parametrize(
    "field",
    [
        "title",
        "section",
        "author",
        "tags",
        "image_alt",
        "image_credit",
        "summary",
        "lead_quote",
    ],
)
def test_markup_in_front_matter_text_is_shown_not_run(
    field: str, good: Path, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    markup = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    write_article("markup", "Body.\n", image="images/a.jpg", **{field: f"Text {markup}"})
    out = tmp_path / "out"
    code, _, stderr = build(articles_dir, out)
    assert code == 0, stderr
    files = assert_published_safely(out)
    assert_no_active_html(html_fragments(files))


def test_control_characters_everywhere(
    good: Path, write_article: ArticleWriter, articles_dir: Path, tmp_path: Path
) -> None:
    controls = "".join(chr(c) for c in [*range(1, 9), 0x0B, 0x0C, *range(0x0E, 0x20)])
    odd = controls + "\x7f\x85\x9f\ufffe\uffff"
    write_article(
        "controls",
        f"Body{controls} text with “a quotation long enough{controls} to lead,” said X{odd}.\n",
        title=f"Con{controls}trol{odd}",
        section=f"Wor{controls}ld",
        author=f"Ann{controls}",
        tags=[f"t{controls}ag"],
        summary=f"Sum{odd}mary",
        image="images/a.jpg",
        image_alt=f"alt{controls}",
        image_credit=f"credit{odd}",
        lead_quote_by=f"the{controls} mayor",
    )
    raw = articles_dir / "raw.md"  # controls as raw bytes in the YAML, not only as escapes
    raw.write_text(
        f"---\ntitle: Raw{controls}\x7f\x9f title\nsection: World\ndate: 2026-11-26\n---\nB\n"
    )
    out = tmp_path / "out"
    code, stdout, stderr = build(articles_dir, out)
    assert code == 0, stderr
    assert "(0 skipped); 3 published" in stdout
    files = assert_published_safely(out, title="Control")
    assert "Raw title" in files["feed.json"].decode()
    forbidden = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
    for name, content in files.items():
        assert not forbidden.search(content.decode("utf-8")), name
    assert "sections/world/rss.xml" in files
