"""A thread's url: which are accepted, and the key under which two spellings of one page meet."""

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit

from forum import characters
from forum.exceptions import ForumError

SCHEMES = ("http", "https")
# Thread.url's column; the submit form and both importers hold urls to it.
MAX_URL_LENGTH = 2000
DEFAULT_PORTS = {"http": 80, "https": 443}
# Query parameters that say where a reader came from, not which page they read.
TRACKING_PARAMETERS = ("fbclid", "gclid")
TRACKING_PREFIXES = ("utm_",)


def url_checked(url: str) -> str:
    """The url as it will be stored (empty: a discussion), or ForumError saying why not."""
    if refusal := characters.refusal("The url", url):
        raise ForumError(refusal)
    if len(url) > MAX_URL_LENGTH:
        raise ForumError(
            f"The url is {len(url):,} characters long; at most {MAX_URL_LENGTH:,} are allowed."
        )
    if any(char.isspace() for char in url):
        raise ForumError("The url contains a space: spaces in a url are written %20.")
    try:
        parts = urlsplit(url)
    except ValueError:  # a bracketed host that is not an IPv6 address
        raise ForumError("The url cannot be read: its host is malformed.") from None
    if url and parts.scheme.lower() not in SCHEMES:
        raise ForumError(
            "A thread links to a web page: its url must start with http:// or https://."
        )
    if not _port_valid(parts):
        raise ForumError("The url's port is not a port: ports are numbered from 1 to 65535.")
    return url


def _port_valid(parts) -> bool:
    try:
        return parts.port != 0  # None (no port) or 1 to 65535
    except ValueError:  # not a number, or over 65535
        return False


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
