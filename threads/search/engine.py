"""Full-text search over visible posts: one selector, two SQL queries, either database.

Posts are matched on their text; an opening post also on its thread's title and url (a
story). What is found is filtered at query time by the post's state and its thread's, so a
removal, a restore or a ban changes what search finds the moment its transaction commits.
"""

import html
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.utils.safestring import SafeString, mark_safe

from threads.core.selectors import reading_connection
from threads.search.filters import filters_sql
from threads.search.query import SORTS, ParsedQuery, QueryError

MAX_RESULTS = 1000
# Relevance and points order the newest this many matches, as a search engine ranks only its
# top candidates: the work per search is bounded however common the word. Fewer are all ranked.
CANDIDATES = 5_000
# Private-use characters around each matched word: the text is escaped with them in it, and only
# then do they become tags, so nothing a post contains can become markup.
START, STOP = "\ue000", "\ue001"
# PostgreSQL's headline drops what looks like an HTML tag: "<" goes in as this, comes back as "<".
LESS_THAN = "\ue002"
SNIPPET_CHARS = 300


@dataclass(frozen=True)
class Hit:
    """A post found: what a results line and an API hit show; *_marked carry START/STOP."""

    id: int
    op_id: int
    parent_id: int | None
    level: int
    ref: int
    author: str
    created_at: datetime
    points: int
    text: str
    thread_title: str
    thread_url: str
    num_comments: int
    text_marked: str
    title_marked: str

    @property
    def is_story(self) -> bool:
        return self.level == 0


@dataclass(frozen=True)
class Results:
    hits: list[Hit]
    total: int  # counted up to MAX_RESULTS + 1
    page: int  # from 0
    per_page: int

    @property
    def counted(self) -> int:
        """The matches told: every one up to MAX_RESULTS, then MAX_RESULTS."""
        return min(self.total, MAX_RESULTS)

    @property
    def exhaustive(self) -> bool:
        return self.total <= MAX_RESULTS

    @property
    def pages(self) -> int:
        return -(-self.counted // self.per_page)

    @property
    def has_next(self) -> bool:
        return (self.page + 1) * self.per_page < self.counted


def search(
    query: ParsedQuery,
    *,
    sort: str = "relevance",
    page: int = 0,
    per_page: int = 30,
    full_text: bool = False,
) -> Results:
    """A page of visible posts matching the query; full_text marks whole texts, not snippets.

    One query for the page and the count of matches (up to MAX_RESULTS + 1); a second to
    count them only for a page past the last.
    """
    if sort not in SORTS:
        raise QueryError(f"Sort by {', '.join(SORTS)}; not {sort!r}.")
    if page < 0 or page * per_page >= MAX_RESULTS:
        raise QueryError(f"Only the first {MAX_RESULTS:,} results can be paged through.")
    # The last page counted (nbPages) is there to fetch, cut at the MAX_RESULTS-th result.
    offset = page * per_page
    limit = min(per_page, MAX_RESULTS - offset)
    reading = reading_connection()
    backend = _Backend.for_connection(query)
    with reading.cursor() as cursor:
        cursor.execute(*backend.results_sql(sort, offset, limit, full_text))
        rows = cursor.fetchall()
        total = rows[0][-1] if rows else 0
        if not rows and page > 0:
            cursor.execute(*backend.count_sql(sort))
            total = cursor.fetchone()[0]
    hits = [_hit(row[:-1]) for row in rows]
    return Results(hits, min(total, MAX_RESULTS + 1), page, per_page)


def _hit(row) -> Hit:
    *fields, text_marked, title_marked = row
    pk, op_id, parent_id, level, ref, author, created_at, points, text, title, url, comments = (
        fields
    )
    if created_at.tzinfo is None:  # SQLite's, stored in UTC
        created_at = created_at.replace(tzinfo=UTC)
    return Hit(
        pk,
        op_id,
        parent_id,
        level,
        ref,
        author,
        created_at,
        points,
        text,
        title,
        url,
        comments,
        text_marked=text_marked or text[:SNIPPET_CHARS],
        title_marked=title_marked or title,
    )


def marked(raw: str, tag: str = "mark") -> SafeString:
    """The text escaped, each matched word wrapped in <tag>; stray marks are dropped."""
    out, open_ = [], False
    for part in _split_marks(html.escape(raw.replace(LESS_THAN, "<"))):
        if part == START and not open_:
            out.append(f"<{tag}>")
            open_ = True
        elif part == STOP and open_:
            out.append(f"</{tag}>")
            open_ = False
        elif part not in (START, STOP):
            out.append(part)
    if open_:
        out.append(f"</{tag}>")
    return mark_safe("".join(out))


def unmarked(raw: str) -> str:
    return raw.replace(START, "").replace(STOP, "").replace(LESS_THAN, "<")


def _split_marks(text: str) -> list[str]:
    parts, start = [], 0
    for index, char in enumerate(text):
        if char in (START, STOP):
            parts += [text[start:index], char]
            start = index + 1
    parts.append(text[start:])
    return parts


# A reply's points are shown to its author only: search orders and filters by a story's alone.
_POINTS = "CASE WHEN c.level = 0 THEN c.points ELSE -1000000 END"
# Removed threads are few and indexed apart (thread_search_removed_idx): a post's thread is
# looked up in that small set rather than joined, which could cost a pass over every thread.
_ORDER = {
    "relevance": "{p}rank DESC, {p}created_at DESC, {p}id DESC",
    "date": "{p}created_at DESC, {p}id DESC",
    "points": "{p}points DESC, {p}created_at DESC, {p}id DESC",
}
_DETAIL_COLUMNS = (
    "c.id, op.id, c.parent_id, c.level, c.ref, u.username, c.created_at, c.points, c.text,"
    " t.title, t.url, t.comment_count"
)
_STORY_JOIN = "threads_comment c ON c.id = t.op_id"


@dataclass(frozen=True)
class _Branch:
    """One way a post can match: the rows it reads, and what ranks them once the newest are
    chosen (`carried` is read with each match, `rank` is computed from it)."""

    source: str
    match: str = "1 = 1"
    match_params: tuple | list = ()
    carried: str = "0"
    rank: str = "0"
    rank_params: tuple | list = ()


class _Backend:
    """The SQL of a search: the filters shared, the matching and marking per database."""

    def __init__(self, query: ParsedQuery):
        self.query = query
        self.where, self.params = filters_sql(query)
        # Only the filters on a thread's url or size read the thread of a post found by its text.
        reads_thread = query.sites or any(n.field == "num_comments" for n in query.numeric)
        self.thread_join = " JOIN threads_thread t ON t.id = c.thread_id" if reads_thread else ""

    @staticmethod
    def for_connection(query: ParsedQuery) -> "_Backend":
        return _PostgreSQL(query) if connection.vendor == "postgresql" else _SQLite(query)

    def _branches(self) -> list["_Branch"]:
        """Each way a post can match: by its text, or (an opening post) by its thread's title."""
        if not self.query.positive:
            return [_Branch(f"threads_comment c{self.thread_join}")]
        return [self.text_branch(), self.title_branch()]

    def _found_sql(self, sort: str) -> tuple[str, list]:
        """The matches a page is chosen from: each branch's newest, ranked, merged by post.

        By date the newest MAX_RESULTS + 1 are all any page or the count needs; relevance and
        points order the newest CANDIDATES, so a common word costs no more than a rarer one.
        """
        newest = MAX_RESULTS + 1 if sort == "date" else CANDIDATES
        selects, params = [], []
        for n, branch in enumerate(self._branches()):
            rows = (
                f"SELECT c.id AS id, c.created_at AS created_at, {_POINTS} AS points,"
                f" {branch.carried} AS carried FROM {branch.source}"
                f" WHERE {branch.match} AND {self.where}"
                f" ORDER BY c.created_at DESC, c.id DESC LIMIT {newest}"
            )
            selects.append(
                f"SELECT id, {branch.rank} AS rank, created_at, points FROM ({rows}) b{n}"
            )
            params += [*branch.rank_params, *branch.match_params, *self.params]
        if len(selects) == 1:
            return selects[0], params
        union = " UNION ALL ".join(selects)
        sql = (
            f"SELECT id, max(rank) AS rank, created_at, points FROM ({union}) m"
            " GROUP BY id, created_at, points"
        )
        return sql, params

    def results_sql(self, sort: str, offset: int, limit: int, full_text: bool):
        """One query for the page and the number of matches: which posts, what each shows."""
        order = _ORDER[sort]
        found, params = self._found_sql(sort)
        marks, mark_params = self.marks(full_text) if self.query.positive else ("NULL, NULL", [])
        sql = (
            f"WITH found AS ({found}), page AS (SELECT id, rank, created_at, points,"
            " (SELECT count(*) FROM found) AS total FROM found"
            f" ORDER BY {order.format(p='')} LIMIT {limit} OFFSET {offset})"
            f" SELECT {_DETAIL_COLUMNS}, {marks}, page.total FROM page"
            " JOIN threads_comment c ON c.id = page.id"
            " JOIN threads_thread t ON t.id = c.thread_id"
            " JOIN accounts_user u ON u.id = c.author_id"
            " JOIN threads_comment op ON op.id = t.op_id"
            f" ORDER BY {order.format(p='page.')}"
        )
        return sql, params + mark_params

    def count_sql(self, sort: str) -> tuple[str, list]:
        found, params = self._found_sql(sort)
        return f"WITH found AS ({found}) SELECT count(*) FROM found", params


class _PostgreSQL(_Backend):
    def __init__(self, query: ParsedQuery):
        super().__init__(query)
        self.tsquery = _websearch(query.terms)
        self.highlight = " or ".join(_websearch((term,)) for term in query.positive)

    def text_branch(self):
        return self._branch(f"threads_comment c{self.thread_join}", "c")

    def title_branch(self):
        return self._branch(f"threads_thread t JOIN {_STORY_JOIN}", "t")

    def _branch(self, source: str, table: str) -> "_Branch":
        tsquery = "websearch_to_tsquery('english', %s)"
        return _Branch(
            source,
            f"{table}.search_vector @@ {tsquery}",
            [self.tsquery],
            carried=f"{table}.search_vector",
            rank=f"ts_rank(carried, {tsquery})",
            rank_params=[self.tsquery],
        )

    def marks(self, full_text: bool):
        options = "StartSel=\ue000, StopSel=\ue001, HighlightAll=true"
        if not full_text:
            options = "StartSel=\ue000, StopSel=\ue001, MaxWords=35, MinWords=15, MaxFragments=2"
        query = "websearch_to_tsquery('english', %s)"
        sql = (
            f"ts_headline('english', translate(c.text, '<', %s), {query}, %s),"
            f" ts_headline('english', translate(t.title, '<', %s), {query}, %s)"
        )
        title_options = "StartSel=\ue000, StopSel=\ue001, HighlightAll=true"
        return sql, [LESS_THAN, self.highlight, options, LESS_THAN, self.highlight, title_options]


def _websearch(terms) -> str:
    """websearch_to_tsquery's input made from parsed terms: it never fails on any input."""
    parts = []
    for term in terms:
        words = " ".join(term.words)
        parts.append(
            ("-" if term.excluded else "") + (f'"{words}"' if len(term.words) > 1 else words)
        )
    return " ".join(parts)


class _SQLite(_Backend):
    def __init__(self, query: ParsedQuery):
        super().__init__(query)
        positive = " AND ".join(_fts_phrase(term) for term in query.positive)
        excluded = "".join(f" NOT {_fts_phrase(term)}" for term in query.terms if term.excluded)
        self.match = f"({positive}){excluded}" if positive else ""
        self.highlight = " OR ".join(_fts_phrase(term) for term in query.positive)

    def text_branch(self):
        source = (
            "search_comment JOIN threads_comment c ON c.id = search_comment.rowid"
            f"{self.thread_join}"
        )
        return _Branch(
            source, "search_comment MATCH %s", [self.match], "-bm25(search_comment)", "carried"
        )

    def title_branch(self):
        source = (
            f"search_thread JOIN threads_thread t ON t.id = search_thread.rowid JOIN {_STORY_JOIN}"
        )
        return _Branch(
            source, "search_thread MATCH %s", [self.match], "-bm25(search_thread)", "carried"
        )

    def marks(self, full_text: bool):
        text = (
            "highlight(search_comment, 0, char(57344), char(57345))"
            if full_text
            else "snippet(search_comment, 0, char(57344), char(57345), '…', 24)"
        )
        sql = (
            f"(SELECT {text} FROM search_comment WHERE search_comment MATCH %s"
            " AND search_comment.rowid = c.id),"
            " (SELECT highlight(search_thread, 0, char(57344), char(57345)) FROM search_thread"
            " WHERE search_thread MATCH %s AND search_thread.rowid = t.id)"
        )
        return sql, [self.highlight, self.highlight]


def _fts_phrase(term) -> str:
    # Terms hold only letters and digits, so a quoted FTS5 string cannot be broken out of.
    return '"' + " ".join(term.words) + '"'
