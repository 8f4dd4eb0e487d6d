"""The throwaway PostgreSQL databases the benchmarks create and drop (named forum_bench*)."""

import sys
from urllib.parse import urlsplit, urlunsplit


def psycopg_url(url: str, *, database: str | None = None) -> str:
    parts = urlsplit(url)._replace(scheme="postgresql")
    if database:
        parts = parts._replace(path=f"/{database}")
    return urlunsplit(parts)


def recreate(url: str) -> None:
    name = _name(url)
    if not name.startswith("forum_bench"):
        sys.exit(f"Refusing to recreate {name!r}: a bench database's name starts with forum_bench.")
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop(url: str) -> None:
    with _admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{_name(url)}" WITH (FORCE)')


def _name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _admin(url: str):
    import psycopg

    return psycopg.connect(psycopg_url(url, database="postgres"), autocommit=True)
