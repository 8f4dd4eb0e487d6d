"""Settings read from the environment: yes/no words, comma lists, host patterns, and the cache
and mail configurations that URLs name. forum/settings.py uses them; nothing here reads a
setting."""

import os
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry


def env_bool(name: str, default: bool) -> bool:
    return env_bool_text(os.environ.get(name), default, name=name)


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool_text(value: str | None, default: bool, *, name: str = "the value") -> bool:
    if value is None or value.strip() == "":
        return default
    word = value.strip().lower()
    # A typo must not turn a safeguard off (FORUM_TREE_LOCK=flase) or debug pages on.
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ImproperlyConfigured(
            f"{name} must be one of 1, true, yes, on, 0, false, no, off; not {value!r}."
        )
    return word in TRUE_WORDS


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def matches_a_whole_domain(host: str) -> bool:
    """Whether a host pattern (`.example.org`, or `*.example.org` in an origin) matches every
    site under a top-level domain: `.com`, `*.com`, `.`, `*`. Longer public suffixes
    (`.co.uk`) would need the public suffix list; the single label is what a typo makes."""
    host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host  # a port, not IPv6
    for wildcard in (".", "*."):
        if host.startswith(wildcard):
            return "." not in host[len(wildcard) :].strip(".")
    return host == "*"


def cache_config(redis_url: str, *, location: str, max_entries: int, prefix: str) -> dict:
    """A Redis cache at redis_url, or a local-memory one of its own (its own LOCATION)."""
    if not redis_url:
        return {
            "BACKEND": "forum.metrics.LocMemCache",
            "LOCATION": location,
            "METRICS_NAME": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"MAX_ENTRIES": max_entries},
        }
    return {
        "BACKEND": "forum.metrics.RedisCache",
        "LOCATION": redis_url,
        "METRICS_NAME": location,
        "KEY_PREFIX": prefix,
        # A Redis that is down costs a request one refused connection, not seconds of
        # backoff; one retry at once reconnects a connection that a restarted Redis dropped.
        # A Redis that hangs is not asked twice: it costs one socket_timeout, not two.
        "OPTIONS": {
            "socket_connect_timeout": 1,
            "socket_timeout": 2,
            "retry": Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        },
    }


def mailer_from_url(url: str) -> dict:
    """smtp://user:password@host:587 (STARTTLS) or smtps://...:465 (TLS) as a MAILERS entry.

    User and password are percent-encoded in the url (@ is %40)."""
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL must look like smtp://user:password@host:587.")
    secure = parts.scheme == "smtps"
    query = parse_qs(parts.query)
    port = parts.port or (465 if secure else 587)
    options = {
        "host": parts.hostname,
        "port": port,
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_ssl": secure,
        # STARTTLS on the submission port, not on 25 (a local server); ?tls=0/1 decides.
        "use_tls": env_bool_text(
            query.get("tls", [""])[0], not secure and port != 25, name="EMAIL_URL's tls"
        ),
        "timeout": 20,
    }
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}
