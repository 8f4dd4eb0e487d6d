"""Comment text to safe HTML, by Hacker News rules: paragraphs, *italic*, code, links, >>refs."""

import re
import unicodedata
from collections.abc import Callable, Iterator

import nh3
from django.utils.html import escape

from forum import links
from threads.text import zlacker

ALLOWED_TAGS = {"p", "i", "pre", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "data-id", "rel"}}
LINK_REL = "nofollow ugc noopener"
# A link shows at most MAX_URL_DISPLAY characters of its url: a longer one shows its first
# LINK_KEEP and "..." (60 in all). Hacker News shows the first HN_LINK_KEEP and "..." (63 in
# all): news.arc's md-from-form calls (markdown s 60), which shows (ellipsize url 60).
MAX_URL_DISPLAY = 60
LINK_KEEP = 57
HN_LINK_KEEP = 60

# Resolves a post name of the same thread to the post's id, or None when there is no such post.
RefResolver = Callable[[str], int | None]

# Control characters other than newline and tab, and the bidi embedding, override and isolate
# controls: they can reorder what follows them (a link shown backwards) and are never needed
# to write any script, so they are dropped from the page; [source] keeps the text as typed.
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")

_TOKEN = re.compile(
    r"(?P<ref>>>[A-Za-z0-9_-]{1,6}\+(?:\(OP\)|[0-9A-Za-z]{1,8}))"
    r"|(?P<url>\bhttps?://[^\s<>\"'`\\]+)"
    r"|(?P<italic>\*(?=\S)[^*\n]+(?<=\S)\*)"
)
_TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def without_hidden(text: str) -> str:
    """The text without control characters (but newline and tab) and bidi controls."""
    return _HIDDEN.sub("", text)


def one_line(text: str) -> str:
    """The text on one line, as a title is kept: hidden characters dropped, runs of white
    space made one space, none at either end."""
    return " ".join(without_hidden(text).split())


def is_blank(text: str) -> bool:
    """Whether the text shows nothing: only white space, controls and format characters
    (zero-width spaces, bidi marks, the byte-order mark)."""
    return all(char.isspace() or unicodedata.category(char) in _UNSEEN for char in text)


_UNSEEN = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def referenced_names(text: str) -> set[str]:
    return {m.group("ref")[2:] for m in _TOKEN.finditer(text) if m.group("ref")}


def render(text: str, resolve: RefResolver = lambda name: None, *, as_on_hn: bool = False) -> str:
    """Safe HTML for the text: every character the author typed is escaped, then nh3 keeps
    only ALLOWED_TAGS with ALLOWED_ATTRIBUTES and http(s) links, as a second line of defence.
    A link longer than MAX_URL_DISPLAY shows its first LINK_KEEP characters and "...". A text
    from Hacker News is shown `as_on_hn`, as HN and zlacker show it: links cut after
    HN_LINK_KEEP characters, code lines with the spaces that make them code."""
    return clean("".join(_render_block(block, resolve, as_on_hn) for block in blocks(text)))


def blocks(text: str) -> list[str]:
    """The text's paragraphs and code blocks, as render() reads them."""
    return zlacker.paragraphs(without_hidden(text.replace("\r\n", "\n").replace("\r", "\n")))


def is_code(block: str) -> bool:
    """Whether the block is code: every line indented by two spaces or more."""
    return all(line.startswith("  ") for line in block.split("\n"))


def tokens(block: str) -> Iterator[tuple[str, str]]:
    """A paragraph as (kind, value) pairs: "text", "ref" (a >>name), "url" or "italic" (the
    words between the asterisks); every character of the block is in exactly one value,
    but the asterisks."""
    position = 0
    for match in _TOKEN.finditer(block):
        yield "text", block[position : match.start()]
        kind = match.lastgroup
        value = match.group(kind)
        yield kind, value[1:-1] if kind == "italic" else value
        position = match.end()
    yield "text", block[position:]


def url_split(url: str) -> tuple[str, str]:
    """The url as linked and the punctuation after it that ends a sentence, not the url."""
    tail = ""
    # Punctuation ending a sentence is not part of the url, but a closing bracket that
    # balances one inside it is, as in https://en.wikipedia.org/wiki/Mercury_(planet).
    while url and url[-1] in _TRAILING_PUNCTUATION:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    return url, tail


def shortened(url: str, keep: int) -> str:
    """The url as a link shows it: whole up to MAX_URL_DISPLAY characters, else its first
    `keep` characters and "..."."""
    return url if len(url) <= MAX_URL_DISPLAY else url[:keep] + "..."


def linkable(url: str) -> bool:
    """Whether the url passes the final cleaning as a link (a valid host, say)."""
    return " href=" in clean(f'<a href="{escape(url)}">x</a>')


def _render_block(block: str, resolve: RefResolver, as_on_hn: bool) -> str:
    if is_code(block):
        code = block if as_on_hn else "\n".join(line[2:] for line in block.split("\n"))
        return f"<pre><code>{escape(code)}</code></pre>"
    link_keep = HN_LINK_KEEP if as_on_hn else LINK_KEEP
    pieces = (_render_token(kind, value, resolve, link_keep) for kind, value in tokens(block))
    return f"<p>{''.join(pieces)}</p>"


def _render_token(kind: str, value: str, resolve: RefResolver, link_keep: int) -> str:
    if kind == "text":
        return escape(value)
    if kind == "ref":
        post_id = resolve(value[2:])
        if post_id is None:
            return escape(value)
        return (
            f'<a class="ref" href="{links.item(post_id)}" data-id="{post_id}">{escape(value)}</a>'
        )
    if kind == "url":
        url, tail = url_split(value)
        # A url the final pass would refuse (no valid host, say) stays text, not a dead link.
        if not linkable(url):
            return escape(value)
        shown = escape(shortened(url, link_keep))
        return f'<a href="{escape(url)}" rel="{LINK_REL}">{shown}</a>{escape(tail)}'
    return f"<i>{escape(value)}</i>"


def clean(html: str) -> str:
    """The HTML with only what render() can produce kept: every post body passes through here."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel=None,
        strip_comments=True,
    )
