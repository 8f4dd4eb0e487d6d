"""Hacker News' comment HTML and the forum's markup, each turned into the other: the one
renderer of the text Hacker News' API gives (from_markup), and its reader (to_text)."""

import re
from html import unescape
from html.parser import HTMLParser

from threads.text import markup

CODE_INDENT = "  "
# The six characters Hacker News writes as entities in an item's text, as its API gives it.
_ENTITIES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;", "/": "&#x2F;"}
)


# The tags Hacker News writes in an item's text, as its API gives it: anything else (a
# script, an image, an event handler, a comment, a raw "<") is no text of HN's.
_TAG = re.compile(r"<[^<>]*>?")
_HN_TAG = re.compile(r'<(?:p|i|/i|pre|/pre|code|/code|/a)>|<a href="([^"<>]*)"(?: rel="[^"<>]*")?>')
_WEB_ADDRESS = re.compile(r"https?://", re.IGNORECASE)
HN_TAGS = "p, i, pre, code and a (with href, http or https, and rel)"


def foreign_markup(html: str) -> str | None:
    """The first piece of `html` that Hacker News does not write in an item's text (a tag of
    another kind, an attribute, a link to anything but http or https), or None."""
    for match in _TAG.finditer(html):
        tag = _HN_TAG.fullmatch(match.group())
        # HN writes an address escaped (https:&#x2F;&#x2F;): its scheme is read unescaped.
        if tag is None or (tag.group(1) is not None and not _WEB_ADDRESS.match(unescape(tag[1]))):
            return match.group()
    return None


def escape(text: str) -> str:
    """The text as Hacker News escapes it: `'` as `&#x27;`, `/` as `&#x2F;`, `"` as `&quot;`."""
    return text.translate(_ENTITIES)


def from_markup(text: str) -> str:
    """The forum's markup (markup.py's rules) as Hacker News writes it, as news.arc's markdown
    would write the same text: `<p>` before every paragraph but the first, and none after a
    code block, which is `<p><pre><code>` and its lines as typed, indentation kept (blocks
    only a blank line apart are one block there); `<i>`; links `rel="nofollow"` showing at
    most 60 characters of their address and "..."; >>names as typed."""
    out: list[str] = []
    after_code = False
    for block in markup.blocks(text):
        if markup.is_code(block):
            if after_code:
                out.append("\n\n" + escape(block))
            else:
                out.append("<p><pre><code>" + escape(block))
            after_code = True
            continue
        if after_code:
            out.append("\n</code></pre>\n")
        elif out:
            out.append("<p>")
        out.append("".join(_inline(kind, value) for kind, value in markup.tokens(block)))
        after_code = False
    if after_code:
        out.append("</code></pre>")
    return "".join(out)


def _inline(kind: str, value: str) -> str:
    if kind == "italic":
        return f"<i>{escape(value)}</i>"
    if kind != "url":
        return escape(value)
    url, tail = markup.url_split(value)
    if not markup.linkable(url):
        return escape(value)
    shown = markup.shortened(url, markup.HN_LINK_KEEP)
    return f'<a href="{escape(url)}" rel="nofollow">{escape(shown)}</a>{escape(tail)}'


def to_text(html: str) -> str:
    """Hacker News' HTML as the forum's markup: paragraphs split by a blank line, `*italic*`,
    code as lines indented by two spaces, links as their address, entities unescaped."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.end_block()
    return "\n\n".join(reader.blocks)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.in_code = False
        self.in_link = False

    def end_block(self) -> None:
        text = "".join(self.current)
        self.current = []
        if self.in_code:
            self.blocks.extend(_code_blocks(text))
        elif text.strip():
            self.blocks.append(text.strip())

    def handle_starttag(self, tag, attrs):
        if tag == "p":
            self.end_block()
        elif tag == "pre":
            self.end_block()
            self.in_code = True
        elif tag == "i" and not self.in_code:
            self.current.append("*")
        elif tag == "a":
            self.current.append(dict(attrs).get("href") or "")
            self.in_link = True

    def handle_endtag(self, tag):
        if tag == "pre":
            self.end_block()
            self.in_code = False
        elif tag == "i" and not self.in_code:
            self.current.append("*")
        elif tag == "a":
            self.in_link = False

    def handle_data(self, data):
        if not self.in_link:
            self.current.append(data)


def _code_blocks(code: str) -> list[str]:
    """Code as indented lines; a blank line inside it starts another block, as in the markup."""
    blocks, lines = [], []
    for line in code.strip("\n").split("\n"):
        if line.strip():
            lines.append(line if line.startswith(CODE_INDENT) else CODE_INDENT + line)
        elif lines:
            blocks.append("\n".join(lines))
            lines = []
    if lines:
        blocks.append("\n".join(lines))
    return blocks
