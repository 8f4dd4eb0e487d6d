"""Pages shared by every logged-in reader of one kind, with holes for what is each reader's own.

A page for a logged-in reader differs from the next reader's only in a few places: the header's
account bar (their name, karma, inbox count, log-out form), the #viewer element that tells
static/vote.js their votes and own posts, their CSRF token and a reply form's one-time key. A
stencil is that page rendered once (per version and audience, like any cached page) with marks
in those places; filling it costs a small template or two and a join, not the whole page.

The marks carry a digest of SECRET_KEY: a post's text cannot spell one and have its reader's
token or name put in its place.
"""

import functools
import hashlib
import hmac
import re
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from forum.compression import accepts_gzip
from threads.caching import page_cache
from threads.caching.readers import Audience, Reader, audience, reader_key

HOLES = ("account", "viewer", "csrf", "form_key")


@functools.cache
def marks() -> SimpleNamespace:
    """The marks a stencil is rendered with (templates read them as `stencil.account` etc.),
    and the pattern that finds them."""
    key = settings.SECRET_KEY.encode()
    nonce = hmac.new(key, b"stencil holes", hashlib.sha256).hexdigest()[:20]
    named = {hole: mark_safe(f"hole-{nonce}-{hole}") for hole in HOLES}
    pattern = re.compile(rf"hole-{nonce}-({'|'.join(HOLES)})".encode())
    return SimpleNamespace(**named, pattern=pattern)


@dataclass(frozen=True)
class Stencil:
    """A page's bytes cut at its holes: parts[0], hole[0], parts[1], hole[1], ...; each part
    also compressed on its own (deflated), so that a reader who takes gzip is sent the page
    compressed without compressing it again."""

    parts: tuple[bytes, ...]
    deflated: tuple[bytes, ...]
    holes: tuple[str, ...]
    content_type: str

    @property
    def nbytes(self) -> int:
        return sum(map(len, self.parts)) + sum(map(len, self.deflated))

    def fill(self, request: HttpRequest, reader: Reader) -> HttpResponse:
        """The page for this reader."""
        token = get_token(request)
        context = {"user": request.user, "csrf_token": token}
        values = {
            "account": _render("account.html", context | {"unread_replies": reader.unread}),
            # The #viewer element alone: the template's other lines are in the stencil already.
            "viewer": _render("threads/viewer.html", context | reader.viewer).strip(),
            "csrf": token.encode(),
            "form_key": secrets.token_urlsafe(16).encode(),
        }
        filling = [values[hole] for hole in self.holes]
        if not accepts_gzip(request):
            return HttpResponse(_interleave(self.parts, filling), content_type=self.content_type)
        response = HttpResponse(self._gzipped(filling), content_type=self.content_type)
        response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ("Accept-Encoding",))
        return response

    def _gzipped(self, filling: list[bytes]) -> list[bytes]:
        # A gzip member whose deflate stream is the parts' segments and the filling's, each
        # ending on a byte boundary and referring to nothing before it, then a final block.
        # The reader's token is compressed alone: its length tells nothing of the page (BREACH).
        deflated = _interleave(self.deflated, [_deflate(value) for value in filling])
        plain = _interleave(self.parts, filling)
        crc = 0
        for piece in plain:
            crc = zlib.crc32(piece, crc)
        size = sum(map(len, plain)) & 0xFFFFFFFF
        return [GZIP_HEADER, *deflated, FINAL_BLOCK, struct.pack("<II", crc, size)]


GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # no name, no time, unknown OS
FINAL_BLOCK = b"\x03\x00"  # an empty last block of fixed codes


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _interleave(parts, filling) -> list[bytes]:
    pieces = [parts[0]]
    for value, part in zip(filling, parts[1:], strict=True):
        pieces += (value, part)
    return pieces


def context() -> dict:
    """What a template is rendered with to make a stencil."""
    return {"stencil": marks(), "csrf_token": marks().csrf}


def cut(response: HttpResponse) -> Stencil:
    """The stencil of a page rendered with context()."""
    pieces = marks().pattern.split(response.content)
    parts = tuple(pieces[0::2])
    return Stencil(
        parts=parts,
        deflated=tuple(map(_deflate, parts)),
        holes=tuple(hole.decode() for hole in pieces[1::2]),
        content_type=response["Content-Type"],
    )


def served(
    request,
    version: page_cache.Version,
    params: dict[str, str],
    *,
    shared_by: Audience,
    draw: Callable[[], "Stencil"],
    reader_of: Callable[[Callable[[], "Stencil"]], Reader],
    thread: bool,
) -> HttpResponse | None:
    """The page at this address for this version, filled in from the stencil `shared_by` the
    reader's audience (readers.audience: staff or members); None for a reader whom what is
    kept of them (Reader.own) gives a page of their own.

    `draw` renders the stencil on a miss, with the request as every reader makes it; it is
    called only once the reader is known to share it, as a stencil drawn for a reader with
    something of their own would hold it for all. `reader_of` is given the stencil, as a call,
    for what is kept of the reader to read it if it needs (a list's threads). `thread`: a
    thread page, whose reader part follows more than its version (readers.reader_key).
    """
    address = page_cache.address_key(request, version, params)
    stencil_key = f"{address}:stencil:{shared_by}"
    kept_reader = reader_key(address, request.user, thread=thread)
    found = page_cache.prefetched(stencil_key, kept_reader)
    stencil = functools.cache(
        lambda: page_cache.cached(stencil_key, draw, timeout=version.timeout, found=found)
    )
    reader = page_cache.cached(
        kept_reader, lambda: reader_of(stencil), timeout=READER_TIMEOUT, found=found
    )
    if audience(request, reader.own) is Audience.OWN:
        return None
    return stencil().fill(request, reader)


# What is kept of a reader is keyed by the minute too, on a thread page: it need not live long.
READER_TIMEOUT = 5 * 60


def _render(template: str, context: dict) -> bytes:
    # No request: the reader's part needs no context processor, and skipping them is the saving.
    return get_template(template).render(context).encode()
