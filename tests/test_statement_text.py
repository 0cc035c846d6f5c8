"""html_to_text keeps the statement and drops the page around it; language_of tells ja from en."""

from __future__ import annotations

from scanner.statement.text import html_to_text, language_of

PAGE = """<!doctype html>
<html><head><title>  Privacy
  Notice | Harbour Books </title>
<style>.x { color: red }</style><script>var tracking = "We never sell data.";</script></head>
<body>
<header><a href="/">Harbour Books</a> We ship worldwide.</header>
<nav><a href="/shop">Shop</a> <a href="/privacy">Privacy</a></nav>
<div class="site-search" role="search"><input placeholder="Search"></div>
<div id="cookie-banner">This shop uses cookies. <button>Accept</button></div>
<main>
  <h1>Privacy   notice</h1>
  <p>We keep your order details
     for seven years.<br>Questions go to the <b>privacy</b> desk.</p>
  <ul><li>Name</li><li>Postal&nbsp;address</li></ul>
  <section id="cookies"><h2>Cookies</h2><p>A session cookie keeps your basket.</p></section>
  <p hidden>Draft paragraph nobody sees.</p>
  <noscript>Enable JavaScript.</noscript>
</main>
<aside>Related: returns policy.</aside>
<div role="contentinfo">Registered in Wales.</div>
<footer>&copy; Harbour Books</footer>
</body></html>"""


def test_keeps_the_main_text_one_line_per_block() -> None:
    text, title = html_to_text(PAGE)

    assert title == "Privacy Notice | Harbour Books"
    assert text.splitlines() == [
        "Privacy notice",
        "We keep your order details for seven years.",
        "Questions go to the privacy desk.",
        "Name",
        "Postal address",
        "Cookies",
        "A session cookie keeps your basket.",
    ]


def test_drops_navigation_header_footer_banners_and_scripts() -> None:
    text, _ = html_to_text(PAGE.replace("<main>", "<div>").replace("</main>", "</div>"))

    for gone in ("Shop", "ship worldwide", "Accept", "never sell", "Related", "Wales", "Draft"):
        assert gone not in text
    assert "A session cookie keeps your basket." in text  # the section called "cookies" stays


def test_prefers_the_longest_article_without_main() -> None:
    html = (
        "<body><p>Sidebar teaser.</p><article>Short.</article>"
        "<article><p>The full statement text.</p><p>Second paragraph.</p></article></body>"
    )

    text, title = html_to_text(html)

    assert text == "The full statement text.\nSecond paragraph."
    assert title is None


def test_same_html_gives_same_text_and_japanese_lines_join_without_spaces() -> None:
    html = "<main><p>当社は個人情報を\n  適切に管理します。</p></main>"

    first, _ = html_to_text(html)

    assert first == "当社は個人情報を適切に管理します。"
    assert html_to_text(html)[0] == first


def test_language_of() -> None:
    assert language_of("当社は、お客様の個人情報を第三者に提供しません。Google Analytics") == "ja"
    assert language_of("We use Google Analytics. 株式会社 is our parent.") == "en"
    assert language_of("") == "en"
