"""The zlacker text format: post names, depth glyphs, and discussion pages parsed and rendered."""

import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime

GLYPHS = "◧◩◪◨⬒⬓⬔⧯▣▦▧▨◲◳⚿⛋⬕⬚⧄⧅⧆⧇⧈⧉⧠⧮⛝⛞⛶⛾⟎⟏⟤⟥⯀⯐■"
OP_REF = "(OP)"
SHORT_NAME_LENGTH = 6
# A post's number is a 32-bit column (Comment.ref): the format writes any number, a post
# can hold none past this.
MAX_REF = 2**31 - 1

DIGITS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGIT_VALUES = {digit: value for value, digit in enumerate(DIGITS)}

TOP_LINE = "[go to top]"
HEADER_FORM = "N. USER+REF[view] [source] YYYY-MM-DD HH:MM:SS"

_USER = re.compile(r"[A-Za-z0-9_-]{1,6}")
_TIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2})")
_HEADER = re.compile(r"([1-9][0-9]*)\. (\S+)\[view\] \[source\] (.*)")
# Any line that looks like a header starts a post, so a body line that could be misread as
# one is rejected instead of silently splitting the post.
_HEADER_LIKE = re.compile(r"[0-9]+\. .*\[view\] \[source\]")
_FORBIDDEN = re.compile("[\r\0]")
_FORBIDDEN_PROBLEMS = {
    "\r": "carriage return: CRLF line endings are not accepted",
    "\0": "NUL byte: the page must be plain text",
}
_RETURN = re.compile(r'\[return to "(.+)"\]')


# Levels drawn glyph by glyph, as zlacker draws them (past the end the glyphs start again).
# Deeper, a line of depth d would cost d glyphs and a chain's page the square of its depth:
# there one round of the glyphs is followed by a mark that tells the level, "…⟨depth 982⟩".
GLYPH_LEVELS = 120


def glyphs(depth: int, *, top: bool = False) -> str:
    """The glyph line of a post at this depth; depth 1 has one (◧) only when `top` asks, as
    zlacker's thread page draws it (its discussion pages, the seed, draw none)."""
    if depth < 1 or (depth == 1 and not top):
        return ""
    if depth > GLYPH_LEVELS:
        return f"{GLYPHS}…⟨depth {depth}⟩"
    return _full_glyph_line(depth)


def _full_glyph_line(depth: int) -> str:
    return "".join(GLYPHS[i % len(GLYPHS)] for i in range(depth))


def encode_ref(number: int) -> str:
    if number < 0:
        raise ValueError(f"a post number cannot be negative: {number}")
    if number == 0:
        return OP_REF
    digits = []
    while number:
        number, digit = divmod(number, len(DIGITS))
        digits.append(DIGITS[digit])
    return "".join(digits)


def decode_ref(text: str) -> int:
    if text == OP_REF:
        return 0
    if not text:
        raise ValueError("empty post number")
    # Least significant digit first: a final "0" would be a leading zero, so not canonical.
    if text[-1] == "0":
        raise ValueError(f"post number {text!r} ends in a zero digit")
    number = 0
    for digit in reversed(text):
        if digit not in _DIGIT_VALUES:
            raise ValueError(f"post number {text!r} has a character outside 0-9a-zA-Z")
        number = number * len(DIGITS) + _DIGIT_VALUES[digit]
    return number


def short_name(username: str) -> str:
    return username[:SHORT_NAME_LENGTH]


def post_name(username: str, number: int) -> str:
    return f"{short_name(username)}+{encode_ref(number)}"


def split_name(name: str) -> tuple[str, int]:
    user, plus, ref = name.rpartition("+")
    if not plus:
        raise ValueError(f"post name {name!r} has no '+'")
    if not _USER.fullmatch(user):
        raise ValueError(f"post name {name!r} must start with 1-6 of A-Z a-z 0-9 _ -")
    return user, decode_ref(ref)


def paragraphs(text: str) -> list[str]:
    blocks: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return ["\n".join(block) for block in blocks if block]


class ZlackerError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class DiscussionPost:
    """One post as a discussion page's text gives it: what the importer reads."""

    number: int
    depth: int
    author: str
    ref: int
    created: datetime
    parent_author: str
    parent_ref: int
    text: str

    @property
    def name(self) -> str:
        return post_name(self.author, self.ref)

    @property
    def parent_name(self) -> str:
        return post_name(self.parent_author, self.parent_ref)


@dataclass(frozen=True)
class Discussion:
    """A discussion page read from its text: the site, the thread's title and the chain."""

    site: str
    title: str
    posts: tuple[DiscussionPost, ...]

    @property
    def op_author(self) -> str:
        return self.posts[0].parent_author


# Rendering


def format_time(moment: datetime) -> str:
    # Written by hand: strftime("%Y") does not pad years below 1000 on every platform.
    # A naive time is taken to be UTC already.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} "
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )


def post_lines(
    *,
    number: int,
    depth: int,
    name: str,
    parent_name: str,
    created: datetime,
    text: str,
    top_glyph: bool = False,
) -> list[str]:
    """One post of a page: glyphs, header, parent, text, and a blank line after long posts.
    `top_glyph`: a reply to the opening post has its glyph line too (glyphs)."""
    line = glyphs(depth, top=top_glyph)
    lines = [line] if line else []
    lines.append(f"{number}. {name}[view] [source] {format_time(created)}")
    lines.append(f">>{parent_name}")
    lines.extend(text.split("\n"))
    if len(paragraphs(text)) > 1:
        lines.append("")
    return lines


def page(site: str, head: Iterable[str], body: Iterable[str]) -> str:
    """A page: the site name, a blank line, the head, the body, and [go to top] with no newline."""
    return "\n".join([site, "", *head, *body, TOP_LINE])


def framed(site: str, title: str, body: Iterable[str]) -> str:
    """A page of posts below [return to "TITLE"]: a discussion page is one."""
    return page(site, [f'[return to "{title}"]'], body)


# Parsing. Lines are indexed from 0 here; every error names the 1-based line.


def parse_discussion(text: str) -> Discussion:
    _check_characters(text)
    # Render never writes a final newline, but a file saved by an editor often has one.
    lines = text.removesuffix("\n").split("\n")
    title = _check_frame(lines)
    posts = _parse_posts(lines, 3, len(lines) - 1)
    return Discussion(site=lines[0], title=title, posts=posts)


def _error(index: int, message: str) -> ZlackerError:
    return ZlackerError(index + 1, message)


def _check_characters(text: str) -> None:
    if not text:
        raise ZlackerError(1, "the document is empty")
    if match := _FORBIDDEN.search(text):
        problem = _FORBIDDEN_PROBLEMS[match.group()]
        raise _error(text.count("\n", 0, match.start()), problem)


def _check_frame(lines: list[str]) -> str:
    """Check the lines around the posts; return the title."""
    if not lines[0].strip():
        raise _error(0, "expected the site name")
    if len(lines) < 2 or lines[1] != "":
        raise _error(1, "expected a blank line after the site name")
    title = _RETURN.fullmatch(lines[2]) if len(lines) > 2 else None
    if not title:
        raise _error(2, 'expected [return to "TITLE"]')
    # The last line is the terminator, so a body line reading "[go to top]" stays body text.
    if lines[-1] != TOP_LINE:
        if TOP_LINE in lines[3:]:
            last = len(lines) - 1 - lines[::-1].index(TOP_LINE)
            raise _error(last + 1, f"unexpected text after {TOP_LINE}")
        raise _error(len(lines) - 1, f"the page ends without {TOP_LINE}")
    if len(lines) == 4:
        raise _error(3, "the page has no posts")
    return title.group(1)


def _parse_posts(lines: list[str], start: int, stop: int) -> tuple[DiscussionPost, ...]:
    heads = [i for i in range(start, stop) if _HEADER_LIKE.match(lines[i])]
    if not heads or heads[0] != start:
        raise _error(start, f'expected a post header "{HEADER_FORM}"')
    drafts: list[DiscussionPost] = []
    texts: list[str] = []
    for number, head in enumerate(heads, 1):
        drafts.append(_parse_head(lines, number, head, drafts))
        if number > 1:
            # A body is checked only once the next post's glyph line, where it ends, is sound.
            texts.append(_parse_body(lines, number - 1, heads[number - 2] + 2, head - 1))
    texts.append(_parse_body(lines, len(heads), heads[-1] + 2, stop))
    return tuple(replace(draft, text=text) for draft, text in zip(drafts, texts, strict=True))


def _parse_head(
    lines: list[str], number: int, head: int, posts: list[DiscussionPost]
) -> DiscussionPost:
    """Parse a post's header and >>PARENT lines into a DiscussionPost without text."""
    match = _HEADER.fullmatch(lines[head])
    if not match:
        raise _error(head, f'expected a post header "{HEADER_FORM}"')
    if match.group(1) != str(number):
        raise _error(head, f"expected post number {number}, found {match.group(1)}")
    if number > 1:
        _check_glyph_line(lines, number, head)
    author, ref = _parse_name(head, match.group(2))
    if ref == 0:
        raise _error(head, f"post {number} cannot be the opening post {OP_REF}")
    for earlier in posts:
        if earlier.ref == ref:
            raise _error(head, f"post {number} has the same REF as post {earlier.number}")
    created = _parse_time(head, match.group(3))
    parent_line = lines[head + 1]
    if not parent_line.startswith(">>"):
        raise _error(head + 1, f'expected ">>PARENT" naming the post that post {number} answers')
    parent_author, parent_ref = _parse_name(head + 1, parent_line[2:])
    if posts and (parent_author, parent_ref) != (posts[-1].author, posts[-1].ref):
        raise _error(head + 1, f"post {number} must answer post {number - 1}, {posts[-1].name}")
    if not posts and parent_ref != 0:
        raise _error(head + 1, f"post 1 must answer the opening post, USER+{OP_REF}")
    return DiscussionPost(number, number, author, ref, created, parent_author, parent_ref, text="")


def _parse_name(index: int, name: str) -> tuple[str, int]:
    try:
        return split_name(name)
    except ValueError as error:
        raise _error(index, f"invalid post name: {error}") from error


def _parse_time(index: int, text: str) -> datetime:
    if match := _TIME.fullmatch(text):
        with suppress(ValueError):  # a well-formed but impossible time, such as February 30
            return datetime(*map(int, match.groups()), tzinfo=UTC)
    raise _error(index, f"invalid time {text!r}: expected a real UTC time YYYY-MM-DD HH:MM:SS")


def _check_glyph_line(lines: list[str], number: int, head: int) -> None:
    """The post's glyph line as the forum draws it, or past GLYPH_LEVELS as zlacker itself
    does: every level's glyph, round after round (read, never written)."""
    expected, line = glyphs(number), lines[head - 1]
    if line == expected or (number > GLYPH_LEVELS and line == _full_glyph_line(number)):
        return
    if number > GLYPH_LEVELS:
        expected += f" (or zlacker's line of all {number} glyphs)"
    if line and all(char in GLYPHS for char in line):
        raise _error(head - 1, f"post {number} has depth {number}, so its glyph line is {expected}")
    raise _error(head, f"post {number} must be preceded by its glyph line {expected}")


def _parse_body(lines: list[str], number: int, start: int, stop: int) -> str:
    body = lines[start:stop]
    # One empty line after the text marks a post of more than one paragraph.
    separated = bool(body) and body[-1] == ""
    if separated:
        body = body[:-1]
    if not any(line.strip() for line in body):
        raise _error(start, f"post {number} has no text")
    if not body[0].strip():
        raise _error(start, f"the text of post {number} starts with a blank line")
    if not body[-1].strip():
        raise _error(start + len(body) - 1, f"the text of post {number} ends with a blank line")
    text = "\n".join(body)
    several = len(paragraphs(text)) > 1
    if several and not separated:
        raise _error(stop, f"post {number} has several paragraphs, so a blank line must follow it")
    if separated and not several:
        raise _error(stop - 1, f"post {number} has one paragraph, so no blank line may follow it")
    return text
