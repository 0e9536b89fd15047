from __future__ import annotations

import pytest

from digest.emails import inline_css, with_utm

UTM = {"utm_source": "digest", "utm_medium": "email"}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x/", "https://a.example/x/?utm_source=digest&utm_medium=email"),
        ("https://a.example/x?id=3#top", "https://a.example/x?id=3&utm_source=digest&utm_medium=email#top"),
        ("https://a.example/?utm_source=rss", "https://a.example/?utm_source=rss&utm_medium=email"),
        ("mailto:desk@a.example", "mailto:desk@a.example"),
    ],
)
def test_utm_merges_with_existing_query_and_fragment(url: str, expected: str) -> None:
    assert with_utm(url, UTM) == expected


def test_inlining_keeps_media_queries_and_important() -> None:
    html = (
        "<html><head><style>p { color: red; }"
        "@media (prefers-color-scheme: dark) { p { color: white !important; } }"
        "</style></head><body><p>Hi</p><img src='a.png'></body></html>"
    )
    out = inline_css(html, base_url="https://news.example.org/")
    assert '<p style="color:red">Hi</p>' in out
    assert "prefers-color-scheme: dark" in out
    assert "!important" in out
    assert 'src="https://news.example.org/a.png"' in out
