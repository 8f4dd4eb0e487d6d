"""Hacker News' search API as hn.algolia.com shapes it (v1), on the forum's own index."""

import functools
import json
import re
import time
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse

from forum import limits
from forum.exceptions import ForumError
from forum.http import read_only, whole_number
from threads.hn import search_reads
from threads.search.engine import START, STOP, Hit, marked, search
from threads.search.query import WORD, ParsedQuery, QueryError, parse, parse_numeric, parse_tags
from threads.text import hn_html

DEFAULT_HITS_PER_PAGE = 20
MAX_HITS_PER_PAGE = 100
API_RATE = limits.Rate(1000, 60 * 60, "API requests from your address")


def _json(body: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _error(status: int, message: str) -> JsonResponse:
    return _json({"status": status, "message": message}, status=status)


def api_view(view):
    """Counts the address's requests; answers every refusal as {"status", "message"} JSON."""

    @read_only
    @functools.wraps(view)
    def wrapped(request, **kwargs):
        try:
            limits.read_counted(API_RATE, request)
            return view(request, **kwargs)
        except limits.RateLimited as refusal:
            response = _error(429, str(refusal))
            response["Retry-After"] = str(refusal.retry_after)
            return response
        except ForumError as refusal:
            return _error(refusal.status, str(refusal))

    return wrapped


def _whole_number(request, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    if (number := whole_number(raw, most_digits=9)) is None:
        raise QueryError(f"{name} must be a whole number from 0, not {raw!r}.")
    return number


def _api_query(request) -> ParsedQuery:
    typed = parse(request.GET.get("query", ""))
    return ParsedQuery(
        terms=typed.terms,
        tag_groups=typed.tag_groups + parse_tags(request.GET.get("tags", "")),
        numeric=typed.numeric + parse_numeric(request.GET.get("numericFilters", "")),
        sites=typed.sites,
        text=typed.text,
    )


def _search(request, sort: str) -> JsonResponse:
    started = time.perf_counter()
    query = _api_query(request)
    page = _whole_number(request, "page", 0)
    per_page = min(
        max(_whole_number(request, "hitsPerPage", DEFAULT_HITS_PER_PAGE), 1), MAX_HITS_PER_PAGE
    )
    results = search(query, sort=sort, page=page, per_page=per_page, full_text=True)
    texts = search_reads.hn_texts(post_ids=[hit.id for hit in results.hits])
    return _json(
        {
            "hits": [_hit(hit, query, texts.get(hit.id, "")) for hit in results.hits],
            "nbHits": results.counted,
            "page": page,
            "nbPages": results.pages,
            "hitsPerPage": per_page,
            "exhaustiveNbHits": results.exhaustive,
            "query": request.GET.get("query", ""),
            "params": request.META.get("QUERY_STRING", ""),
            "processingTimeMS": round((time.perf_counter() - started) * 1000),
        }
    )


@api_view
def search_by_relevance(request):
    return _search(request, "relevance")


@api_view
def search_by_date(request):
    return _search(request, "date")


def _time(moment: datetime) -> dict:
    moment = moment.astimezone(UTC)
    return {
        "created_at": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
        "created_at_i": int(moment.timestamp()),
    }


def _hit(hit: Hit, query: ParsedQuery, text: str) -> dict:
    """One hit; `text` is its post's text as Hacker News' HTML, as hn.algolia.com gives it."""
    story = hit.is_story
    kind = "story" if story else "comment"
    body = {
        **_time(hit.created_at),
        "title": hit.thread_title if story else None,
        "url": (hit.thread_url or None) if story else None,
        "author": hit.author,
        # A reply's points are shown to its author only, here as on its page.
        "points": hit.points if story else None,
        "story_text": text if story else None,
        "comment_text": text if not story else None,
        "num_comments": hit.num_comments if story else None,
        "story_id": hit.op_id,
        "story_title": None if story else hit.thread_title,
        "story_url": None if story else (hit.thread_url or None),
        "parent_id": None if story else hit.parent_id,
        "objectID": str(hit.id),
        "_tags": [kind, f"author_{hit.author}", f"story_{hit.op_id}"],
    }
    text_field = "story_text" if story else "comment_text"
    title_field, url_field = ("title", "url") if story else ("story_title", "story_url")
    words = query.words
    body["_highlightResult"] = {
        "author": _highlight(_words_marked(hit.author, words), words),
        text_field: _highlight(hit.text_marked, words, html=_html_marked(text, hit.text_marked)),
        title_field: _highlight(hit.title_marked, words),
        url_field: _highlight(_words_marked(hit.thread_url, words), words),
    }
    return body


def _highlight(raw: str, words: list[str], *, html: str | None = None) -> dict:
    """Algolia's highlight of one field: the value with <em> marks, how much of the query hit.
    The value is `raw` escaped and marked, or `html` when given (marked by _html_marked)."""
    found = _matched_words(raw, words)
    level = "none" if not found else "full" if len(found) == len(words) else "partial"
    value = str(marked(raw, "em")) if html is None else html
    return {"value": value, "matchLevel": level, "matchedWords": found}


# In Hacker News' HTML a tag or an entity holds no word of the text: words are marked between.
_TAG_OR_ENTITY = re.compile(r"<[^>]*>|&#?[0-9A-Za-z]+;")


def _html_marked(html: str, raw: str) -> str:
    """Hacker News' HTML of a post with <em> around each word the search marked in `raw` (its
    markup marked with START/STOP), wherever the word stands in the text: never in a tag, an
    address or an entity, so the marks make no other tag and the HTML stays HN's."""
    forms = {
        word.lower()
        for piece in raw.split(START)[1:]
        for word in WORD.findall(piece.split(STOP, 1)[0])
    }
    if not forms:
        return html
    out, position = [], 0
    for match in _TAG_OR_ENTITY.finditer(html):
        out += [_words_marked_in(html[position : match.start()], forms), match.group()]
        position = match.end()
    out.append(_words_marked_in(html[position:], forms))
    return "".join(out)


def _words_marked_in(text: str, forms: set[str]) -> str:
    return WORD.sub(lambda m: f"<em>{m[0]}</em>" if m[0].lower() in forms else m[0], text)


def _matched_words(raw: str, words: list[str]) -> list[str]:
    marks = [piece.split(STOP, 1)[0].lower() for piece in raw.split(START)[1:]]
    return [word for word in words if any(_same_stem(word, mark) for mark in marks)]


def _same_stem(word: str, mark: str) -> bool:
    # Marks are the database's stemmed matches (images for image): compare the leading letters.
    size = max(3, min(len(word), len(mark)) - 2)
    return word[:size] == mark[:size]


def _words_marked(value: str, words: list[str]) -> str:
    """A field matched verbatim (author, url): each of its words equal to a query word marked."""
    wanted = set(words)
    return WORD.sub(lambda m: f"{START}{m[0]}{STOP}" if m[0].lower() in wanted else m[0], value)


def _item_id(raw: str) -> int:
    number = whole_number(raw)
    if number is None:
        raise QueryError(f"An item's id is a whole number, not {raw!r}.")
    return number


@api_view
def item(request, item_id: str):
    found = search_reads.item_tree(post_id=_item_id(item_id))
    if found is None:
        raise ForumError(f"There is no item {item_id}.", status=404)
    post, root = found
    thread = post.thread
    response = HttpResponse(
        _tree_json(root, thread=thread, story_id=_story_id(post)),
        content_type="application/json",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _story_id(post) -> int:
    return post.thread.op_id


def _tree_json(root: search_reads.Node, *, thread, story_id: int) -> str:
    """The post and its replies nested as JSON, written as JsonResponse would write the nested
    dicts but without recursion (json's encoder recurses): a chain of replies is unbounded."""
    dumps = functools.partial(json.dumps, cls=DjangoJSONEncoder, ensure_ascii=False)
    parts: list[str] = []
    stack: list[search_reads.Node | str] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, str):  # what closes a node, or comes between two replies
            parts.append(node)
            continue
        fields = _node(node, thread=thread, story_id=story_id)
        # The fields end in "children": []; the replies go between its brackets.
        parts.append(dumps(fields)[: -len("[]}")] + "[")
        stack.append("]}")
        for index, child in enumerate(reversed(node.children)):
            stack.extend([", "] if index else [])
            stack.append(child)
    return "".join(parts)


def _node(node: search_reads.Node, *, thread, story_id: int) -> dict:
    """A node's own fields, its replies left out ("children" is written by _tree_json)."""
    story = node.level == 0
    return {
        "id": node.id,
        **_time(node.created_at),
        "type": "story" if story else "comment",
        "author": node.author,
        "title": thread.title if story else None,
        "url": (thread.url or None) if story else None,
        "text": node.text,
        "points": thread.points if story else None,
        "parent_id": node.parent_id,
        "story_id": story_id,
        "children": [],
    }


@api_view
def user(request, username: str):
    found = search_reads.user_get(username=username)
    if found is None:
        raise ForumError(f"There is no user {username!r}.", status=404)
    return _json(
        {
            "username": found.username,
            "about": hn_html.from_markup(found.about),
            "karma": found.karma,
            **_time(found.date_joined),
            "objectID": found.username,
        }
    )
