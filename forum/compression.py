"""Which content codings a reader accepts (q-values honoured), and the middleware that ask it."""

import copy
import functools

from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers
from whitenoise.middleware import WhiteNoiseMiddleware


@functools.lru_cache(maxsize=256)  # a few headers come again and again; asked several times a page
def accepted_codings(header: str) -> frozenset[str]:
    """The codings an Accept-Encoding header accepts: those named with a q-value above 0
    (`gzip;q=0` refuses gzip), and `*` standing for any coding it does not name."""
    named: dict[str, float] = {}
    for item in header.split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        if coding:
            named[coding.lower()] = _quality(params)
    accepted = {coding for coding, quality in named.items() if quality > 0}
    if named.get("*", 0) > 0:
        accepted |= {coding for coding in ("gzip", "br", "zstd") if coding not in named}
    if "x-gzip" in accepted and "gzip" not in named:
        accepted.add("gzip")
    return frozenset(accepted)


def _quality(params: list[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                quality = float(value.strip())
            except ValueError:
                return 0.0  # a q-value that cannot be read accepts nothing
            return quality if 0 <= quality <= 1 else 0.0
    return 1.0


def accepts_gzip(request) -> bool:
    return "gzip" in accepted_codings(request.META.get("HTTP_ACCEPT_ENCODING", ""))


class AcceptingGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, which compresses for any header that mentions gzip, even
    `gzip;q=0`: here only for a reader who accepts it."""

    def process_response(self, request, response):
        if accepts_gzip(request) or response.has_header("Content-Encoding"):
            return super().process_response(request, response)
        if response.streaming or len(response.content) >= 200:
            patch_vary_headers(response, ("Accept-Encoding",))  # as Django's does either way
        return response


class AcceptingWhiteNoiseMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, told only the codings the reader accepts: it would send a compressed copy
    of a static file to any header that mentions its coding, q=0 or not."""

    @staticmethod
    def serve(static_file, request):
        header = request.META.get("HTTP_ACCEPT_ENCODING", "")
        honest = ", ".join(sorted(accepted_codings(header)))
        told = copy.copy(request)
        told.META = {**request.META, "HTTP_ACCEPT_ENCODING": honest}
        return WhiteNoiseMiddleware.serve(static_file, told)
