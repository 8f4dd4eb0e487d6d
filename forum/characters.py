"""Characters no document should carry: urls, titles, names and texts refuse them, feeds and
text forms replace them."""

import re

# Control characters (C0, DEL, C1), surrogates (only a JSON escape can make one: they are not
# text and no database encodes them) and Unicode's 66 non-characters (U+FDD0..U+FDEF and the
# last two code points of every plane). None of them is ever needed to write a url, a title or
# a name, and an XML feed or a database may be unable to hold them. A text of lines (a post, a
# reason, an about text) keeps tab, newline and carriage return: a terminal's escapes (ESC, CSI)
# and bell are refused there too. Format characters (U+202E and the other bidi controls, which
# right-to-left writing needs) are none of these: they are allowed.
_NON_CHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17)
)
_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_NON_CHARACTERS}]")
_FORBIDDEN_IN_LINES = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_NON_CHARACTERS}]"
)
# What a terminal must not be sent raw (a text form, text/plain): C0 controls but tab and
# newline, DEL and C1; a carriage return too, which could write over a line already shown.
_NOT_FOR_TERMINALS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What XML 1.0 cannot hold (its Char production): C0 controls but tab, newline and carriage
# return, surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def forbidden(text: str, *, lines: bool = False) -> str | None:
    """The first character of `text` that no url, title or name may hold (a text of `lines`:
    but tab, newline and carriage return), described; or None."""
    match = (_FORBIDDEN_IN_LINES if lines else _FORBIDDEN).search(text)
    if match is None:
        return None
    code = ord(match.group())
    if 0xD800 <= code <= 0xDFFF:
        kind = "a lone surrogate"
    elif code <= 0x9F:
        kind = "a control character"
    else:
        kind = "a Unicode non-character"
    return f"{kind} (U+{code:04X})"


def refusal(what: str, text: str, *, lines: bool = False) -> str | None:
    """A sentence refusing `text` as `what` ("The title", "The url"), or None when it is fine;
    a text of `lines` (a post's text, a reason) may hold tab, newline and carriage return."""
    found = forbidden(text, lines=lines)
    if found is None:
        return None
    return f"{what} contains {found}, which cannot be shown or stored: please remove it."


def xml_safe(text: str) -> str:
    """The text with each character XML 1.0 cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def terminal_safe(text: str) -> str:
    """The text with each control character but tab and newline replaced by U+FFFD: what a
    text form may send to a terminal whatever was stored before the rules above."""
    return _NOT_FOR_TERMINALS.sub("\ufffd", text)
