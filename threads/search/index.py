"""The full-text index's schema: generated tsvector columns on PostgreSQL, FTS5 tables on SQLite.

Either way the index changes inside the write's own transaction without any service knowing:
PostgreSQL computes a generated column from the row, SQLite's triggers copy the row into FTS5.
"""

# A url is indexed by its words ("github", "com"), split where the parser would keep it whole.
_URL_WORDS = "regexp_replace(coalesce(url, ''), '[^[:alnum:]]+', ' ', 'g')"
# Searches by date, and filters alone (before:, after:), read posts newest first.
_DATE_INDEX = "CREATE INDEX IF NOT EXISTS comment_search_date_idx ON threads_comment (created_at)"
# A found post links to its thread's opening post: one row per thread in this index.
_OP_INDEX = (
    "CREATE INDEX IF NOT EXISTS comment_search_op_idx ON threads_comment (tree_id) WHERE level = 0"
)
# Search leaves out the posts of removed threads: those few threads, in an index of their own.
REMOVED_INDEX = (
    "CREATE INDEX IF NOT EXISTS thread_search_removed_idx ON threads_thread (id) WHERE is_removed"
)
DROP_REMOVED_INDEX = "DROP INDEX IF EXISTS thread_search_removed_idx"
POSTGRESQL = [
    "ALTER TABLE threads_comment ADD COLUMN IF NOT EXISTS search_vector tsvector"
    " GENERATED ALWAYS AS (to_tsvector('english', coalesce(text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS comment_search_idx ON threads_comment USING gin (search_vector)",
    "ALTER TABLE threads_thread ADD COLUMN IF NOT EXISTS search_vector tsvector"
    " GENERATED ALWAYS AS (setweight(to_tsvector('english', coalesce(title, '')), 'A')"
    f" || setweight(to_tsvector('english', {_URL_WORDS}), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS thread_search_idx ON threads_thread USING gin (search_vector)",
    _DATE_INDEX,
    _OP_INDEX,
    REMOVED_INDEX,
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS comment_search_date_idx",
    "DROP INDEX IF EXISTS comment_search_op_idx",
    DROP_REMOVED_INDEX,
    "ALTER TABLE threads_comment DROP COLUMN IF EXISTS search_vector",
    "ALTER TABLE threads_thread DROP COLUMN IF EXISTS search_vector",
]

_TOKENIZER = "tokenize = 'porter unicode61 remove_diacritics 2'"
# (FTS table, content table, indexed columns)
_SQLITE_TABLES = [
    ("search_comment", "threads_comment", ("text",)),
    ("search_thread", "threads_thread", ("title", "url")),
]


def _sqlite_statements(fts: str, table: str, columns: tuple[str, ...]) -> list[str]:
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        _DATE_INDEX,
        _OP_INDEX,
        REMOVED_INDEX,
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names},"
        f" content='{table}', content_rowid='id', {_TOKENIZER})",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE OF {names} ON {table}"
        f" BEGIN {delete} {insert} END",
    ]


def _sqlite_triggers_missing(cursor) -> bool:
    cursor.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
    )
    return cursor.fetchone()[0] < 3 * len(_SQLITE_TABLES)


def install(connection) -> bool:
    """Creates what is missing; True when SQLite's triggers were, so the index needs a rebuild."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Only when missing: even a no-op ALTER TABLE fails in a transaction with pending
            # deferred checks, as the rebuild command's may have.
            cursor.execute(
                "SELECT count(*) FROM information_schema.columns"
                " WHERE column_name = 'search_vector' AND table_schema = current_schema()"
            )
            if cursor.fetchone()[0] < 2:
                for statement in POSTGRESQL:
                    cursor.execute(statement)
            return False
        if connection.vendor != "sqlite":
            return False
        missing = _sqlite_triggers_missing(cursor)
        for fts, table, columns in _SQLITE_TABLES:
            for statement in _sqlite_statements(fts, table, columns):
                cursor.execute(statement)
    return missing


def rebuild(connection) -> None:
    """Indexes every row again: FTS5 from its content tables, PostgreSQL's indexes anew."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for fts, _table, _columns in _SQLITE_TABLES:
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
        elif connection.vendor == "postgresql":
            # Generated columns are always current; only their indexes can be rebuilt.
            cursor.execute("REINDEX INDEX comment_search_idx")
            cursor.execute("REINDEX INDEX thread_search_idx")


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRESQL_DROP:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for fts, _table, _columns in _SQLITE_TABLES:
                for event in ("insert", "delete", "update"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {fts}_{event}")
                cursor.execute(f"DROP TABLE IF EXISTS {fts}")
            cursor.execute("DROP INDEX IF EXISTS comment_search_date_idx")
            cursor.execute("DROP INDEX IF EXISTS comment_search_op_idx")
            cursor.execute(DROP_REMOVED_INDEX)


def after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: SQLite drops a table's triggers when a migration remakes the table; this
    puts them back and indexes every row again, since the copied rows were never indexed."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    if "search_comment" in connection.introspection.table_names() and install(connection):
        rebuild(connection)
