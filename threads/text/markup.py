"""Comment text to safe HTML, by Hacker News rules: paragraphs, *italic*, code, links, >>refs."""

import re
import unicodedata
from collections.abc import Callable

import nh3
from django.utils.html import escape

from forum import links
from threads.text import zlacker

ALLOWED_TAGS = {"p", "i", "pre", "code", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href", "class", "data-id", "rel"}}
LINK_REL = "nofollow ugc noopener"
MAX_URL_DISPLAY = 60

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


def is_blank(text: str) -> bool:
    """Whether the text shows nothing: only white space, controls and format characters
    (zero-width spaces, bidi marks, the byte-order mark)."""
    return all(char.isspace() or unicodedata.category(char) in _UNSEEN for char in text)


_UNSEEN = {"Cc", "Cf", "Zs", "Zl", "Zp"}


def referenced_names(text: str) -> set[str]:
    return {m.group("ref")[2:] for m in _TOKEN.finditer(text) if m.group("ref")}


def render(text: str, resolve: RefResolver = lambda name: None) -> str:
    """Safe HTML for the text: every character the author typed is escaped, then nh3 keeps
    only ALLOWED_TAGS with ALLOWED_ATTRIBUTES and http(s) links, as a second line of defence."""
    text = without_hidden(text.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = [_render_block(block, resolve) for block in zlacker.paragraphs(text)]
    return clean("".join(blocks))


def _render_block(block: str, resolve: RefResolver) -> str:
    lines = block.split("\n")
    if all(line.startswith("  ") for line in lines):
        code = "\n".join(line[2:] for line in lines)
        return f"<pre><code>{escape(code)}</code></pre>"
    return f"<p>{_render_inline(block, resolve)}</p>"


def _render_inline(text: str, resolve: RefResolver) -> str:
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(_render_token(match, resolve))
        position = match.end()
    out.append(escape(text[position:]))
    return "".join(out)


def _render_token(match: re.Match, resolve: RefResolver) -> str:
    if ref := match.group("ref"):
        post_id = resolve(ref[2:])
        if post_id is None:
            return escape(ref)
        return f'<a class="ref" href="{links.item(post_id)}" data-id="{post_id}">{escape(ref)}</a>'
    if url := match.group("url"):
        return _render_url(url)
    return f"<i>{escape(match.group('italic')[1:-1])}</i>"


def _render_url(url: str) -> str:
    tail = ""
    # Punctuation ending a sentence is not part of the url, but a closing bracket that
    # balances one inside it is, as in https://en.wikipedia.org/wiki/Mercury_(planet).
    while url and url[-1] in _TRAILING_PUNCTUATION:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    shown = url if len(url) <= MAX_URL_DISPLAY else url[: MAX_URL_DISPLAY - 3] + "..."
    link = f'<a href="{escape(url)}" rel="{LINK_REL}">{escape(shown)}</a>'
    # A url the final pass would refuse (no valid host, say) stays text, not a dead link.
    if " href=" not in clean(link):
        return escape(url + tail)
    return link + escape(tail)


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
