"""Hacker News' comment HTML and the forum's markup, each turned into the other."""

import re
from html.parser import HTMLParser

CODE_INDENT = "  "
# The forum's stored HTML (markup.render): paragraphs and code blocks, links, >>refs, italics.
_BLOCK = re.compile(r"<p>(?P<p>.*?)</p>|<pre><code>(?P<code>.*?)</code></pre>", re.DOTALL)
_REF_LINK = re.compile(r'<a class="ref"[^>]*>(.*?)</a>', re.DOTALL)
_LINK = re.compile(r'<a href="([^"]*)"[^>]*>.*?</a>', re.DOTALL)


def from_forum(html: str) -> str:
    """The forum's rendered HTML as Hacker News writes it: `<p>` before every paragraph but
    the first, code kept with its indentation, links showing their address."""
    blocks = []
    for match in _BLOCK.finditer(html):
        if match.group("p") is not None:
            inline = _REF_LINK.sub(r"\1", match.group("p"))
            blocks.append(_LINK.sub(r'<a href="\1" rel="nofollow">\1</a>', inline))
        else:
            lines = match.group("code").split("\n")
            blocks.append("<pre><code>" + "".join(CODE_INDENT + line + "\n" for line in lines))
            blocks[-1] += "</code></pre>"
    return "<p>".join(blocks)


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
