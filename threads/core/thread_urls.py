"""A thread's url: which are accepted, and the key under which two spellings of one page meet."""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit

from forum.exceptions import ForumError

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that say where a reader came from, not which page they read.
TRACKING_PARAMETERS = ("fbclid", "gclid")
TRACKING_PREFIXES = ("utm_",)


def url_checked(url: str) -> str:
    """The url as it will be stored (empty: a discussion), or ForumError saying why not."""
    if url and urlsplit(url).scheme.lower() not in SCHEMES:
        raise ForumError(
            "A thread links to a web page: its url must start with http:// or https://."
        )
    return url


def _tracking(name: str) -> bool:
    name = name.lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


def url_normalised(url: str) -> str:
    """The url as one resource, whichever way it was written: http and https alike, the host in
    lower case without its default port or a leading www. (one site, as Thread.domain shows
    it), no trailing slash, fragment or tracking parameters."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: kept as written
        port = parts.netloc.rpartition(":")[2]
    if port and port != DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    path = parts.path.rstrip("/")
    return f"//{host}{path}" + (f"?{urlencode(query)}" if query else "")


def url_key(url: str) -> str:
    """What Thread.url_key stores: the normalised url's digest, short enough for any index;
    empty for a thread without a url."""
    if not url:
        return ""
    return hashlib.sha256(url_normalised(url).encode()).hexdigest()
