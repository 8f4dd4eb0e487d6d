"""Rate limits kept as counters in the "limits" cache, so every worker of every server shares
them, and no flood of cached pages can evict them (see CACHES in settings)."""

import contextlib
import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from forum.caches import CACHE_ERRORS, Resting
from forum.exceptions import ForumError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    """At most `limit` events in `window` seconds, from the first event the window counts."""

    limit: int
    window: int
    what: str


class RateLimited(ForumError):
    """A rate was exceeded (429); the message says what, retry_after when to try again."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, status=429)
        self.retry_after = retry_after


class LimitsUnavailable(Exception):
    """The limits cannot be counted (their cache is down), so what they guard is refused."""

    status = 503
    retry_after = 30

    def __init__(self):
        super().__init__(
            "Log-ins, sign-ups and posts are paused for a moment: the forum cannot count its "
            "limits right now. Reading works. Please try again in a minute."
        )


_resting = Resting()  # a limits Redis that hangs must not cost every write its timeout


@contextlib.contextmanager
def _store() -> Iterator[BaseCache]:
    """The limits' cache; when it fails, LimitsUnavailable: a limit not counted is refused."""
    if _resting.now():
        raise LimitsUnavailable()
    try:
        yield caches["limits"]
    except CACHE_ERRORS as error:
        logger.warning("rate limits cannot be counted, refusing: %s", error)
        _resting.failed()
        raise LimitsUnavailable() from error


RESETS_PER_ADDRESS = Rate(5, 60 * 60, "password reset requests from your address")
# Each new address is mailed a confirmation link: a profile must not mail anyone at will.
EMAIL_CONFIRMATIONS = Rate(3, 60 * 60, "changes of email address")
# Failed log-ins. The (username, address) pair locks first, so a guesser is stopped at once
# without touching the real owner elsewhere; an address that sprays many usernames locks
# itself; the username alone locks only at a threshold that one address can never reach.
LOGIN_FAILURES_PER_PAIR = Rate(5, 15 * 60, "failed log-ins")
LOGIN_FAILURES_PER_ADDRESS = Rate(20, 15 * 60, "failed log-ins from your address")
LOGIN_FAILURES_PER_USERNAME = Rate(100, 15 * 60, "failed log-ins for this account")
# Wrong old passwords on /password/change, per account: a session left open or stolen must not
# become a way to guess the password behind it.
PASSWORD_CHANGE_FAILURES = Rate(5, 15 * 60, "wrong old passwords")

NEW_ACCOUNT_AGE = 24 * 60 * 60


def _keys(rate: Rate, key: str) -> tuple[str, str]:
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    counter = f"rate:{rate.window}:{digest}"
    return counter, counter + ":until"


def _retry_after(rate: Rate, until_key: str) -> int:
    with _store() as cache:
        until = cache.get(until_key) or time.time() + rate.window
    return max(1, math.ceil(until - time.time()))


def _refusal(rate: Rate, until_key: str) -> RateLimited:
    retry_after = _retry_after(rate, until_key)
    return RateLimited(
        f"Too many {rate.what}: at most {rate.limit} in {_window(rate)}. "
        f"Try again in {_when(retry_after)}.",
        retry_after,
    )


def _when(retry_after: int) -> str:
    minutes = math.ceil(retry_after / 60)
    if minutes > 90:
        hours = math.ceil(minutes / 60)
        return f"{hours} hours"
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def _window(rate: Rate) -> str:
    if rate.window == 24 * 3600:
        return "a day"
    if rate.window % 3600 == 0:
        return "an hour" if rate.window == 3600 else f"{rate.window // 3600} hours"
    return "a minute" if rate.window == 60 else f"{rate.window // 60} minutes"


def _incr(rate: Rate, counter: str, until_key: str) -> int:
    # The window opens at the first event and closes window seconds later; add() and incr()
    # are atomic in Redis, and within one process for the local-memory cache.
    with _store() as cache:
        try:
            used = cache.incr(counter)  # counted already: no new key
        except ValueError:
            pass
        else:
            if used == 1:  # the key expired after Redis found it: incr made it, with no expiry
                cache.touch(counter, timeout=rate.window)
            return used
        _make_room(rate, cache)
        if cache.add(counter, 1, timeout=rate.window):
            cache.set(until_key, time.time() + rate.window, timeout=rate.window)
            return 1
        try:
            return cache.incr(counter)  # another request added it a moment ago
        except ValueError:  # the window closed between add() and incr()
            cache.add(counter, 1, timeout=rate.window)
            return 1


def _make_room(rate: Rate, cache: BaseCache) -> None:
    """Counts a new key of this kind of counter (its `what` and window); RateLimited once the
    kind has made settings.FORUM_LIMIT_KEYS_PER_KIND keys in this window of the clock.

    Keys live one window, so a kind holds at most twice its budget at once: a flood of
    distinct clients fills its own kind's budget and meets 429 there, while the store keeps
    room for every other kind and for the clients it counts already (never 503 for all)."""
    slot = int(time.time() // rate.window)
    kind = hashlib.sha256(rate.what.encode()).hexdigest()[:16]
    budget_key = f"rate-kind:{rate.window}:{kind}:{slot}"
    cache.add(budget_key, 0, timeout=2 * rate.window)
    budget = settings.FORUM_LIMIT_KEYS_PER_KIND
    if cache.incr(budget_key) > budget:
        retry_after = max(1, math.ceil((slot + 1) * rate.window - time.time()))
        raise RateLimited(
            f"Too many {rate.what} are being counted from everywhere at once (at most "
            f"{budget:,} clients in {_window(rate)}). Try again in {_when(retry_after)}.",
            retry_after,
        )


def hit(rate: Rate, key: str) -> None:
    """Counts one event; raises RateLimited when it goes past the limit."""
    counter, until_key = _keys(rate, key)
    if _incr(rate, counter, until_key) > rate.limit:
        raise _refusal(rate, until_key)


def read_counted(rate: Rate, request) -> None:
    """Counts a read against its rate per client address (RateLimited past it). A read is served
    uncounted while the limits cannot be counted: unlike a write, it leaves nothing behind."""
    with contextlib.suppress(LimitsUnavailable):
        hit(rate, client_address(request))


@contextlib.contextmanager
def reserved(rate: Rate | None, key: str):
    """Counts one event for the write in the block, atomically (RateLimited when past the
    limit), and gives it back when the write is refused, by the limit or otherwise: the limit
    counts writes, not refusals. No rate (a writer not held to one): nothing is counted."""
    if rate is None:
        yield
        return
    reserve_all([(rate, key)])
    try:
        yield
    except ForumError:
        _refund(rate, key)
        raise


def reserve_all(counted: list[tuple[Rate, str]]) -> None:
    """Counts one event under each (rate, key) before the attempt it stands for is made, so
    that concurrent attempts cannot all pass the limit first; when one rate is past its
    limit, gives back what this call counted (the refused one too) and raises RateLimited."""
    taken = []
    try:
        for rate, key in counted:
            counter, until_key = _keys(rate, key)
            taken.append((rate, key))
            if _incr(rate, counter, until_key) > rate.limit:
                raise _refusal(rate, until_key)
    except RateLimited:
        give_back(taken)
        raise


def give_back(counted: list[tuple[Rate, str]]) -> None:
    """Takes back the events reserve_all counted, for an attempt that succeeded."""
    for rate, key in counted:
        _refund(rate, key)


def count(rate: Rate, key: str) -> None:
    """Counts one event whatever the total (reserve_all and hit are what refuse)."""
    _incr(rate, *_keys(rate, key))


def _refund(rate: Rate, key: str) -> None:
    """Takes back one event counted by hit() that turned out not to happen (a refused write)."""
    counter, _until = _keys(rate, key)
    # ValueError: the window has closed, nothing to take back.
    with _store() as cache, contextlib.suppress(ValueError):
        cache.decr(counter)


def reset(rate: Rate, key: str) -> None:
    with _store() as cache:
        cache.delete_many(_keys(rate, key))


def is_new(user) -> bool:
    return (timezone.now() - user.date_joined).total_seconds() < NEW_ACCOUNT_AGE


def _writer_rate(user, limit: int, window: int, what: str) -> Rate | None:
    """The rate a writer is held to (None: staff are not held); accounts younger than a day
    get half of it, at least one."""
    if user.is_staff:
        return None
    return Rate(max(1, limit // 2) if is_new(user) else limit, window, what)


def comment_rate(user) -> Rate | None:
    return _writer_rate(user, settings.FORUM_COMMENTS_PER_MINUTE, 60, "comments")


def thread_rate(user) -> Rate | None:
    return _writer_rate(user, settings.FORUM_THREADS_PER_HOUR, 60 * 60, "threads")


def flag_rate(user) -> Rate | None:
    return _writer_rate(user, settings.FORUM_FLAGS_PER_DAY, 24 * 60 * 60, "flags")


def signup_rate() -> Rate:
    return Rate(settings.FORUM_SIGNUPS_PER_HOUR, 60 * 60, "sign-ups from your address")


def client_address(request) -> str:
    """The client the limits count: its address (behind FORUM_PROXY_COUNT proxies, taken from
    X-Forwarded-For), an IPv6 one as its /64 (see counted_address)."""
    proxies = settings.FORUM_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return counted_address(address)


def counted_address(address: str) -> str:
    """An IPv4 address as it is; an IPv6 one as its /64, the least a customer is given, which
    holds 2^64 addresses that would otherwise each get limits of their own."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]  # not an address (a unix socket, a test): counted as it is
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def store_use() -> float | None:
    """How full the limits' store is, from 0 to 1: a Redis's used memory of its maxmemory, a
    local-memory cache's entries of its MAX_ENTRIES; None when it has no bound to fill or
    cannot be read."""
    with contextlib.suppress(LimitsUnavailable), _store() as cache:
        if isinstance(cache, RedisCache):
            memory = cache._cache.get_client(write=True).info("memory")
            return memory["used_memory"] / memory["maxmemory"] if memory["maxmemory"] else None
        if isinstance(cache, LocMemCache):
            return len(cache._cache) / cache._max_entries
    return None
