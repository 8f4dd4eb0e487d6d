"""The /search page: results as zlacker-like lines, filters as links, its text form."""

from dataclasses import dataclass

from django.shortcuts import render
from django.utils.safestring import SafeString

from forum import limits, links
from forum.http import form_page, int_param, read_only, text_response, wants_text
from threads.drawing import textform
from threads.search.engine import Hit, marked, search, unmarked
from threads.search.query import PERIODS, SORTS, QueryError, parse
from threads.text import zlacker

PER_PAGE = 30
# As the search API (threads.hn.search_api.API_RATE): a search costs the database far more
# than a cached page.
SEARCHES = limits.Rate(1000, 60 * 60, "searches from your address")
KIND_LINKS = (("", "all"), ("story", "stories"), ("comment", "comments"))
PERIOD_LINKS = (
    ("day", "past day"),
    ("week", "past week"),
    ("month", "past month"),
    ("year", "past year"),
    ("", "all time"),
)
SORT_LINKS = (("relevance", "by relevance"), ("date", "by date"), ("points", "by points"))


@dataclass(frozen=True)
class Options:
    """What the results page's links choose beside the typed query."""

    q: str
    kind: str
    when: str
    sort: str

    def url(self, **changes) -> str:
        params = {"q": self.q, "type": self.kind, "when": self.when, "sort": self.sort}
        params |= changes
        if params["sort"] == "relevance":
            params["sort"] = ""
        return links.page("search", **params)


def _options(request) -> Options:
    get = request.GET
    options = Options(
        get.get("q", ""), get.get("type", ""), get.get("when", ""), get.get("sort", "")
    )
    if options.kind not in ("", "story", "comment"):
        raise QueryError("type is story or comment.")
    if options.when not in ("", *PERIODS):
        raise QueryError(f"when is one of {', '.join(PERIODS)}.")
    if options.sort not in ("", *SORTS):
        raise QueryError(f"sort is one of {', '.join(SORTS)}.")
    return options


@read_only
def search_page(request):
    """The results; a query that cannot be read shows the search page again (400) with the
    query kept in the box, the sentence saying what is wrong and the help."""
    limits.read_counted(SEARCHES, request)
    try:
        return _results(request)
    except QueryError as error:
        if wants_text(request):
            raise
        typed = request.GET.get("q", "").replace("\x00", "")
        context = {"search_query": typed, "help": HELP}
        return form_page(request, "threads/search.html", context, error=error)


def _results(request):
    options = _options(request)
    query = parse(options.q)
    number = int_param(request, "p", default=1)
    if number < 1:
        raise QueryError("Pages are numbered from 1.")
    if query.is_empty:
        return _help(request, options)
    narrowed = query.narrowed(kind=options.kind, period=options.when)
    sort = options.sort or ("relevance" if query.positive else "date")
    results = search(narrowed, sort=sort, page=number - 1, per_page=PER_PAGE)
    if wants_text(request):
        return text_response(textform.search_page(options.q, [_line(hit) for hit in results.hits]))
    context = {
        "search_query": options.q,
        "hits": [_line(hit) for hit in results.hits],
        "total": results.total,
        "capped": not results.exhaustive,
        "start": (number - 1) * PER_PAGE + 1,
        "next_url": options.url(p=number + 1) if results.has_next else "",
        "choices": _choices(options, sort),
    }
    return render(request, "threads/search.html", context)


def _help(request, options: Options):
    if wants_text(request):
        return text_response(textform.search_help(HELP))
    return render(request, "threads/search.html", {"search_query": options.q, "help": HELP})


@dataclass(frozen=True)
class Line:
    """One result as the page shows it."""

    id: int
    name: str
    # The author's full name beside the post's 6-letter one: two authors may share those.
    author: str
    author_url: str
    url: str
    thread_url: str
    created_at: object
    title: SafeString
    snippet: SafeString
    plain_title: str
    plain_snippet: str


def _line(hit: Hit) -> Line:
    return Line(
        id=hit.id,
        name=zlacker.post_name(hit.author, hit.ref),
        author=hit.author,
        author_url=links.user(hit.author),
        url=links.item(hit.op_id, anchor=None if hit.id == hit.op_id else hit.id),
        thread_url=links.item(hit.op_id),
        created_at=hit.created_at,
        title=marked(hit.title_marked),
        snippet=marked(hit.text_marked),
        plain_title=hit.thread_title,
        plain_snippet=unmarked(hit.text_marked),
    )


def _choices(options: Options, sort: str) -> list[list[tuple[str, str, bool]]]:
    """The filter links: (label, url, is the current one) in three groups."""
    return [
        [(label, options.url(type=kind), kind == options.kind) for kind, label in KIND_LINKS],
        [(label, options.url(when=when), when == options.when) for when, label in PERIOD_LINKS],
        [(label, options.url(sort=value), value == sort) for value, label in SORT_LINKS],
    ]


HELP = [
    ("words", "posts containing every word, in any form (run finds running)"),
    ('"a phrase"', "the words together, in this order"),
    ("-word", "leaves out posts containing the word"),
    ("author:NAME", "posts by that user"),
    ("thread:ID", "posts in the thread whose opening post has that id"),
    ("type:story or type:comment", "threads only, or replies only"),
    ("site:DOMAIN", "threads linking to that site or a subdomain of it"),
    ("after:YYYY-MM-DD", "posts from that day on (UTC)"),
    ("before:YYYY-MM-DD", "posts before that day (UTC)"),
]
