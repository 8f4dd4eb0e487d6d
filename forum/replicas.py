"""Read replicas: which database a read goes to, what each process knows of every database's
health, and the write position that keeps a writer from reading the past.

A read goes to a replica that is up, lags at most FORUM_REPLICA_MAX_LAG seconds and has
replayed the reader's last write; else to the primary. Everything inside a transaction, and
every write, goes to the primary. With the primary down, reads go to any replica that answers,
and the forum is read-only until the primary is back.
"""

import collections
import contextlib
import contextvars
import dataclasses
import logging
import random
import time
from dataclasses import dataclass

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
# How long a process trusts what it learnt of a database before it asks again.
CHECK_EVERY = 1.0


@dataclass(frozen=True)
class Health:
    up: bool
    lag: float = 0.0  # seconds a replica is behind the primary; 0 for the primary
    position: int = 0  # the primary's WAL position, or the position a replica has replayed
    checked: float = 0.0


@dataclass
class Reading:
    """One request's reads: the write position its reader must see, and the database chosen."""

    must_see: int | None = None
    alias: str | None = None
    replica_failed: bool = False
    wrote: bool = False


_health: dict[str, Health] = {}
_reading: contextvars.ContextVar[Reading | None] = contextvars.ContextVar("reading", default=None)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def configured() -> bool:
    return bool(replica_aliases())


def position_number(text: str | None) -> int | None:
    """A WAL position ('16/B374D848') as one number, so that two can be compared."""
    if not text:
        return None
    high, low = text.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def position_text(number: int) -> str:
    return f"{number >> 32:X}/{number & 0xFFFFFFFF:X}"


def _ask(alias: str, sql: str) -> tuple:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()


def _probe(alias: str, sql: str) -> tuple:
    """Asks a database on a connection of its own, never a pooled one that a request may be
    waiting on: a database that hangs costs the probe its connect timeout, not a worker."""
    db = settings.DATABASES[alias]
    with psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        connect_timeout=db.get("OPTIONS", {}).get("connect_timeout", 2),
        autocommit=True,
    ) as connection:
        return connection.execute(sql).fetchone()


def _close(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def health(alias: str, *, fresh: bool = False) -> Health:
    """What this process knows of a database, asked again once it is CHECK_EVERY old."""
    known = _health.get(alias)
    now = time.monotonic()
    if known is not None and not fresh and now - known.checked < CHECK_EVERY:
        return known
    if alias == PRIMARY:
        found = _primary_health(now)
    else:
        health(PRIMARY)  # the primary's position first: a replica's lag is measured against it
        found = _replica_health(alias, now)
    # Stamped when the answer came: a probe that waited out its timeout is not stale on arrival.
    found = dataclasses.replace(found, checked=time.monotonic())
    _health[alias] = found
    return found


def _primary_health(now: float) -> Health:
    try:
        (position,) = _probe(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    except psycopg.Error as error:
        logger.warning("the primary database is down: %s", error)
        _close(PRIMARY)
        return Health(up=False)
    position = position_number(position)
    if not _primary_positions or position > _primary_positions[-1][1]:
        _primary_positions.append((now, position))
    return Health(up=True, position=position)


# When this process first saw the primary at each write position: a replica's lag is how long
# ago the primary first stood past what the replica has replayed. (The time since the replica's
# last replayed transaction is no measure: on a quiet site it is hours while nothing is missing.)
_primary_positions: collections.deque[tuple[float, int]] = collections.deque(maxlen=600)


def _lag(position: int, now: float, since_last_transaction: float | None) -> float:
    ahead = [seen for seen, primary_at in _primary_positions if primary_at > position]
    if not ahead:
        return 0.0
    if len(ahead) == len(_primary_positions) and since_last_transaction is not None:
        # Behind everything this process has seen of the primary: it knows no better measure.
        return max(now - ahead[0], since_last_transaction)
    return now - ahead[0]


REPLICA_STATE = """
    SELECT pg_last_wal_replay_lsn()::text,
           extract(epoch FROM now() - pg_last_xact_replay_timestamp())
"""


def _replica_health(alias: str, now: float) -> Health:
    try:
        replayed, since_last = _probe(alias, REPLICA_STATE)
    except psycopg.Error as error:
        logger.warning("replica %s is down: %s", alias, error)
        _close(alias)
        return Health(up=False)
    position = position_number(replayed) or 0
    since = float(since_last) if since_last is not None else None
    return Health(up=True, lag=_lag(position, now, since), position=position)


def left_out(alias: str) -> None:
    """A replica that failed a query is left out until it is asked again."""
    _health[alias] = Health(up=False, checked=time.monotonic())
    _close(alias)


def primary_up() -> bool:
    return health(PRIMARY).up


def read_only() -> bool:
    """The primary is lost while replicas serve: reads go on, writes are refused. With no
    database answering the forum is not read-only but down."""
    if not configured() or primary_up():
        return False
    return any(health(alias).up for alias in replica_aliases())


def too_far_behind(replica: Health) -> bool:
    """A replica lagging more than FORUM_REPLICA_MAX_LAG: reads are left out of it."""
    return replica.lag > settings.FORUM_REPLICA_MAX_LAG


def _usable(alias: str, reading: Reading, primary: Health) -> bool:
    known = health(alias)
    if not known.up:
        return False
    if not primary.up:
        return True  # read-only: any replica that answers is better than none
    if too_far_behind(known):
        return False
    if reading.must_see is None or known.position >= reading.must_see:
        return True
    # Behind the reader's write as last seen: it may have replayed it since.
    known = health(alias, fresh=True)
    return known.up and known.position >= reading.must_see


def read_alias() -> str:
    """The database this request reads from, chosen once per request."""
    reading = _reading.get()
    if reading is None or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    if reading.alias is None:
        primary = health(PRIMARY)
        if not primary.up and reading.must_see is not None:
            # A writer's read: a primary just back must not be taken for lost from a check
            # made a moment ago, or they would read a replica that lacks their write.
            primary = health(PRIMARY, fresh=True)
        usable = [alias for alias in replica_aliases() if _usable(alias, reading, primary)]
        reading.alias = random.choice(usable) if usable else PRIMARY
    return reading.alias


class ReplicaRouter:
    """Reads to read_alias(); writes, migrations and relations on the primary."""

    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


def reading_started(must_see: int | None) -> contextvars.Token:
    return _reading.set(Reading(must_see=must_see))


def reading_ended(token: contextvars.Token) -> None:
    _reading.reset(token)


def current() -> Reading | None:
    return _reading.get()


def retry_on_primary(request) -> bool:
    """Whether a read that failed on a replica may run again: a GET or HEAD, once, and only
    when its replica failed (the replica is then left out)."""
    reading = _reading.get()
    if reading is None or request.method not in ("GET", "HEAD") or reading.replica_failed:
        return False
    if reading.alias in (None, PRIMARY):
        return False
    left_out(reading.alias)
    reading.replica_failed = True
    reading.alias = None
    return True


def write_position() -> int | None:
    """The primary's WAL position now, after a request's writes have committed."""
    try:
        (position,) = _ask(PRIMARY, "SELECT pg_current_wal_lsn()::text")
    except DatabaseError:
        return None
    return position_number(position)
