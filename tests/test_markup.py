"""Comment markup: Hacker News rules, and no executable HTML whatever the author types."""

import time
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from threads.text.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_REL, render

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1) and java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<style>body{display:none}</style><p style="x:expression(alert(1))">',
    "<!-- comment --><!--> <![CDATA[x]]>",
    "&lt;script&gt; &#60;script&#62; &#x3C;script&#x3E; &amp &# &#xZZ; &unknown;",
    "&#106;avascript:alert(1)",
    "*<b>bold inside italic</b>*",
    '*https://example.com/"onmouseover=alert(1)//*',
    'https://example.com/"><script>alert(1)</script>',
    "https://example.com/'onmouseover='alert(1)",
    "https://example.com/`onmouseover=alert(1)`",
    "https://example.com/<img src=x onerror=alert(1)>",
    "https://example.com/?a=1&b=2&quot;&lt;",
    "https://" + "a" * 5000 + ".example/" + "b" * 4000,
    ">>admin+(OP)<script>",
    '>>x+1"><script>alert(1)</script>',
    "  <script>alert('in code')</script>\n  </code></pre><script>",
    "\u202egpj.exe https://evil.example/\u202eexe.txt",
    "\u2066https://bank.example\u2069 \u202dreal\u202c",
    "text\x01with\x08control\x1bchars\x7f",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<form action="https://evil.example"><input name=x></form>',
    "<base href=//evil.example/><meta http-equiv=refresh content=0;url=//evil.example>",
    "<p>already <i>tagged</i></p>",
    "\r\n\r\n<script>\r</script>",
]


class Inspector(HTMLParser):
    """Collects every tag and attribute of an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text += data


def assert_safe(html: str) -> None:
    """Only allowlisted tags and attributes; links are http(s) with rel, or refs to posts."""
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    for tag, attrs in inspector.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> in {html!r}"
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(tag, set()), f"attributes {attrs} on <{tag}>"
        if tag == "a":
            href = attrs["href"]
            assert href.startswith(("https://", "http://", "/item?id=")), href
            if href.startswith("http"):
                assert attrs["rel"] == LINK_REL
            else:
                assert href[len("/item?id=") :].isdigit()
    assert not set(BIDI_CONTROLS) & set(html)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_yields_no_executable_html(text):
    html = render(text, resolve=lambda name: 7)
    assert_safe(html)
    # What the author typed comes back as text to read, never as markup.
    lowered = html.lower()
    assert "<script" not in lowered and "<img" not in lowered and "<svg" not in lowered
    inspector = Inspector()
    inspector.feed(html)
    if "<script>" in text:
        assert "<script>" in inspector.text


def test_typed_tags_come_back_escaped():
    assert render("<b>hi</b> & <i>") == "<p>&lt;b&gt;hi&lt;/b&gt; &amp; &lt;i&gt;</p>"


def test_links_stop_at_quotes_and_angle_brackets():
    html = render('https://example.com/"onmouseover=alert(1)')
    assert '<a href="https://example.com/" rel="nofollow ugc noopener">' in html
    assert "onmouseover=alert(1)" in html


def test_very_long_urls_are_shown_shortened_and_linked_whole():
    url = "https://example.com/" + "x" * 3000
    html = render(url)
    assert f'href="{url}"' in html
    assert ">" + url[:57] + "...</a>" in html


def test_bidi_controls_are_dropped_from_the_page():
    assert render("abc\u202edef https://evil.example/\u202ex") == (
        '<p>abcdef <a href="https://evil.example/x" rel="nofollow ugc noopener">'
        "https://evil.example/x</a></p>"
    )


def test_hacker_news_rules():
    text = "First *para*.\n\n  code <here>\n    indented\n\nhttps://example.com/a_(b)."
    assert render(text) == (
        "<p>First <i>para</i>.</p>"
        "<pre><code>code &lt;here&gt;\n  indented</code></pre>"
        '<p><a href="https://example.com/a_(b)" rel="nofollow ugc noopener">'
        "https://example.com/a_(b)</a>.</p>"
    )


def test_references_link_only_to_posts_of_the_thread():
    html = render(">>alice+1 and >>nobody+2", resolve={"alice+1": 42}.get)
    assert '<a class="ref" href="/item?id=42" data-id="42">&gt;&gt;alice+1</a>' in html
    assert "&gt;&gt;nobody+2" in html and "/item?id=None" not in html


# Timed: a loaded machine can miss the bound, so it runs with the slow tests (in CI too).
@pytest.mark.slow
def test_pathological_input_renders_quickly():
    texts = ["*" * 10_000, "*a" * 5_000, "https://" * 1_250, ">>a+" * 2_500, "  x\n" * 2_500]
    for text in texts:
        started = time.perf_counter()
        assert_safe(render(text))
        assert time.perf_counter() - started < 1, text[:20]


FRAGMENTS = st.sampled_from(
    [
        "<",
        ">",
        "&",
        '"',
        "'",
        "`",
        "*",
        "\n",
        "\n\n",
        "  ",
        "=",
        "/",
        ":",
        ";",
        "#",
        "<script>",
        "</",
        "<a href=",
        "<img src=x onerror=",
        " onclick=",
        "javascript:",
        "data:",
        "https://",
        "http://",
        "www.",
        ">>",
        "+(OP)",
        "+1",
        "&#",
        "&amp",
        "&lt;",
        "\u202e",
        "\u2066",
        "\x00",
        "\x0b",
        "\r",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "\\",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join))
def test_no_text_yields_a_tag_outside_the_allowlist(text):
    assert_safe(render(text, resolve=lambda name: 1))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_unicode_is_safe(text):
    assert_safe(render(text))
