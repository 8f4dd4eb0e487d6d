"""The throwaway PostgreSQL databases the benchmarks create and drop (named forum_bench*)."""

import sys
from urllib.parse import urlsplit, urlunsplit


def psycopg_url(url: str, *, database: str | None = None) -> str:
    parts = urlsplit(url)._replace(scheme="postgresql")
    if database:
        parts = parts._replace(path=f"/{database}")
    return urlunsplit(parts)


def recreate(url: str) -> None:
    database = name(url)
    if not database.startswith("forum_bench"):
        sys.exit(
            f"Refusing to recreate {database!r}: a bench database's name starts with forum_bench."
        )
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')


def copy(url: str, target_url: str) -> None:
    """A copy of the database at url (nobody may be connected to it), named by target_url."""
    target = name(target_url)
    if not target.startswith("forum_bench"):
        sys.exit(f"Refusing to create {target!r}: a bench database's name starts with forum_bench.")
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{name(url)}"')


def drop(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name(url)}" WITH (FORCE)')


def name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin(url: str):
    import psycopg

    return psycopg.connect(psycopg_url(url, database="postgres"), autocommit=True)
