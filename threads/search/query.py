"""What a search asks for: the words and filters typed in a box, or Algolia's tags and numbers."""

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from forum.exceptions import ForumError
from forum.http import whole_number

MAX_QUERY_LENGTH = 1000
MAX_TERMS = 32
# The tokens both databases index: runs of letters and digits (FTS5's unicode61, near enough
# PostgreSQL's parser); anything else in a word only separates its parts.
WORD = re.compile(r"[^\W_]+")
_DOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")
_USERNAME = re.compile(r"^[\w.@+-]{1,150}$")
_NUMERIC = re.compile(r"^(created_at_i|points|num_comments)(<=|>=|<|>|=)(-?\d{1,12})$")
_TOKEN = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S*))')
KINDS = ("story", "comment")
SORTS = ("relevance", "date", "points")
PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}
TYPED_FILTERS = ("author", "thread", "before", "after", "type", "site")


class QueryError(ForumError):
    """A query that cannot be read; the message says which part and why."""

    def __init__(self, message: str):
        super().__init__(message, status=400)


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase, as its tokens; `excluded` for one written with a minus."""

    words: tuple[str, ...]
    excluded: bool = False


@dataclass(frozen=True)
class Tag:
    """One of Algolia's tags: ("type", "story"|"comment"), ("author", NAME), ("story", ID)."""

    kind: str
    value: str | int


@dataclass(frozen=True)
class Numeric:
    """A comparison on created_at_i, points or num_comments."""

    field: str
    op: str
    value: int


@dataclass(frozen=True)
class ParsedQuery:
    """Words to match and filters: tag_groups are ANDed, the tags within a group ORed."""

    terms: tuple[Term, ...] = ()
    tag_groups: tuple[tuple[Tag, ...], ...] = ()
    numeric: tuple[Numeric, ...] = ()
    sites: tuple[str, ...] = ()
    text: str = field(default="", compare=False)

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(term for term in self.terms if not term.excluded)

    @property
    def words(self) -> list[str]:
        """The words the query looks for, each once, for marking and matchedWords."""
        seen = dict.fromkeys(word for term in self.positive for word in term.words)
        return list(seen)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.tag_groups or self.numeric or self.sites)

    def narrowed(self, *, kind: str = "", period: str = "", now: datetime | None = None):
        """The query with the results page's own links added: a kind, a period."""
        groups, numeric = self.tag_groups, self.numeric
        if kind:
            groups += ((Tag("type", kind),),)
        if period in PERIODS:
            since = (now or datetime.now(UTC)) - timedelta(days=PERIODS[period])
            numeric += (Numeric("created_at_i", ">=", int(since.timestamp())),)
        return replace(self, tag_groups=groups, numeric=numeric)


def _checked_text(raw: str) -> str:
    if "\x00" in raw:
        raise QueryError("The query contains a NUL character; leave it out.")
    if len(raw) > MAX_QUERY_LENGTH:
        raise QueryError(
            f"The query is {len(raw):,} characters long; at most {MAX_QUERY_LENGTH:,} are read."
        )
    return raw


def parse(raw: str) -> ParsedQuery:
    """The search box's language: words, "phrases", -excluded, and filters like author:NAME."""
    raw = _checked_text(raw)
    terms, groups, numeric, sites = [], [], [], []
    for minus, key, quoted, bare in _TOKEN.findall(raw):
        key = (key or "").lower()
        value = quoted or bare
        if key in TYPED_FILTERS:
            _typed_filter(key, value, groups, numeric, sites)
            continue
        text = f"{key}:{value}" if key else value
        words = tuple(word.lower() for word in WORD.findall(text))
        if words:
            terms.append(Term(words, excluded=bool(minus)))
    return _complete(raw, terms, groups, numeric, sites)


def _complete(raw, terms, groups, numeric, sites) -> ParsedQuery:
    if len(terms) > MAX_TERMS:
        raise QueryError(f"The query has {len(terms)} words; at most {MAX_TERMS} are read.")
    if terms and all(term.excluded for term in terms):
        raise QueryError("Say what to look for as well as what to leave out (-word).")
    return ParsedQuery(tuple(terms), tuple(groups), tuple(numeric), tuple(sites), raw)


def _typed_filter(key: str, value: str, groups: list, numeric: list, sites: list) -> None:
    if not value:
        raise QueryError(f"{key}: needs a value right after the colon, as in {_EXAMPLES[key]}.")
    if key == "author":
        groups.append((Tag("author", _username(value)),))
    elif key == "thread":
        groups.append((Tag("story", _item_id(value, "thread:")),))
    elif key == "type":
        if value.lower() not in KINDS:
            raise QueryError("type: is story or comment, as in type:comment.")
        groups.append((Tag("type", value.lower()),))
    elif key == "site":
        sites.append(_domain(value))
    else:
        day = _day(key, value)
        if key == "after":
            numeric.append(Numeric("created_at_i", ">=", int(day.timestamp())))
        else:
            numeric.append(Numeric("created_at_i", "<", int(day.timestamp())))


_EXAMPLES = {
    "author": "author:pg",
    "thread": "thread:123",
    "before": "before:2024-01-31",
    "after": "after:2024-01-01",
    "type": "type:story",
    "site": "site:example.com",
}


def _username(value: str) -> str:
    if not _USERNAME.match(value):
        raise QueryError(f"{value!r} cannot be a username.")
    return value


def _item_id(value: str, what: str) -> int:
    if (number := whole_number(value)) is None:
        raise QueryError(f"{what} takes a post's id, a whole number, not {value!r}.")
    return number


def _domain(value: str) -> str:
    domain = value.lower().removeprefix("www.")
    if len(domain) > 253 or not _DOMAIN.match(domain):
        raise QueryError(f"site: takes a domain name such as example.com, not {value!r}.")
    return domain


def _day(key: str, value: str) -> datetime:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise QueryError(f"{key}: takes a date written YYYY-MM-DD, not {value!r}.") from None
    return day


def parse_tags(raw: str) -> tuple[tuple[Tag, ...], ...]:
    """Algolia's tags: a comma ANDs, parentheses hold ORed tags: (story,comment),author_pg."""
    groups = []
    for part in re.findall(r"\([^()]*\)|[^,()]+|[()]", raw.replace(" ", "")):
        if part in ("(", ")"):
            raise QueryError("The tags have an unbalanced parenthesis.")
        names = part.strip("()").split(",") if part.startswith("(") else [part]
        group = tuple(_tag(name) for name in names if name)
        if group:
            groups.append(group)
    return tuple(groups)


def _tag(name: str) -> Tag:
    if name in KINDS:
        return Tag("type", name)
    if name.startswith("author_") and _USERNAME.match(name[7:]):
        return Tag("author", name[7:])
    if name.startswith("story_"):
        return Tag("story", _item_id(name[6:], "story_"))
    raise QueryError(f"Unknown tag {name!r}: story, comment, author_NAME and story_ID are known.")


def parse_numeric(raw: str) -> tuple[Numeric, ...]:
    """Algolia's numericFilters: created_at_i>1700000000,points>=10 (a comma ANDs)."""
    filters = []
    for part in filter(None, raw.replace(" ", "").split(",")):
        match = _NUMERIC.match(part)
        if not match:
            raise QueryError(
                f"Cannot read the numeric filter {part!r}: write FIELD OP NUMBER, FIELD one of "
                "created_at_i, points, num_comments and OP one of <, <=, =, >=, >."
            )
        filters.append(Numeric(match[1], match[2], int(match[3])))
    return tuple(filters)
