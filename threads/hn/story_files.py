"""Hacker News data files read into one checked story: items one JSON object per line (as
/v0/item/ID.json gives them) or the nested tree hn.algolia.com/api/v1/items/ID gives."""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from forum.accounts.names import DELETED_AUTHOR
from forum.exceptions import ForumError
from threads.models import Comment
from threads.text import hn_html
from threads.text.zlacker import MAX_REF

_NAME = re.compile(r"[A-Za-z0-9_-]{1,30}")
# Hacker News began in 2006; a time past 2100 is a unit mistake (milliseconds).
_EARLIEST, _LATEST = 1_100_000_000, 4_102_444_800
# Item ids become post ids, and the forum's own posts take the ids after the highest: HN's
# ids are near 4.6e7, so 10^12 is far past them and leaves the 64-bit keys all but whole to
# the forum. A post's number (an item id minus its story's) is a 32-bit column (MAX_REF);
# HN's highest story score is in the thousands.
MAX_ID = 10**12
MAX_SCORE = 10_000_000
# The fields of an item in Hacker News' API (v0): an import keeps these and no others.
ITEM_FIELDS = frozenset(
    ("id", "deleted", "type", "by", "time", "text", "dead", "parent", "poll", "kids", "url")
    + ("score", "title", "parts", "descendants")
)
_STRING_FIELDS = ("type", "by", "text", "title", "url")
_WHOLE_FIELDS = {
    "parent": (1, MAX_ID),
    "story_id": (1, MAX_ID),
    "poll": (1, MAX_ID),
    "score": (0, MAX_SCORE),
    "descendants": (0, MAX_ID),
}
_ID_LISTS = ("kids", "parts")


@dataclass(frozen=True)
class Item:
    id: int
    parent: int | None
    by: str
    time: datetime
    text: str
    state: str
    title: str = ""
    url: str = ""
    score: int = 1
    # The item as HN gave it (an algolia node in v0's shape), kept beside its post.
    given: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Story:
    root: Item
    replies: tuple[Item, ...]


class HnFileError(ForumError):
    """The file cannot be imported; the message names the item that is wrong."""


def read_story(text: str) -> Story:
    raws = _raw_items(text)
    items = [_item(raw, position) for position, raw in enumerate(raws, 1)]
    return _checked(items, raws)


def _json(text: str):
    """The JSON value of `text`; ValueError (JSONDecodeError among them) when it is none."""
    try:
        return json.loads(text)
    except RecursionError:  # nested deeper than the parser goes
        raise ValueError("it nests objects or lists too deeply to be read") from None


def _raw_items(text: str) -> list[dict]:
    try:
        whole = _json(text)
    except ValueError:
        whole = None
    if isinstance(whole, dict) and ("children" in whole or "created_at_i" in whole):
        return _flattened(whole)
    raws = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = _json(line)
        except ValueError as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
            raise HnFileError(f"Line {number} is not a JSON object: {reason}.") from None
        if not isinstance(raw, dict):
            raise HnFileError(f"Line {number} is not a JSON object: items are objects.")
        raws.append(raw)
    if not raws:
        raise HnFileError("The file holds no items.")
    return raws


def _flattened(root: dict) -> list[dict]:
    """The algolia tree as v0 items: each child's parent is the node it sits in."""
    flat, todo = [], [(root, None)]
    while todo:
        node, parent = todo.pop()
        if not isinstance(node, dict):
            raise HnFileError(f"A child of item {parent} is not a JSON object: items are objects.")
        children = node.get("children") or []
        if not isinstance(children, list):
            raise HnFileError(f"Item {node.get('id')!r} has children that are not a list.")
        if parent is not None and node.get("parent_id") not in (None, parent):
            raise HnFileError(
                f"Item {node.get('id')} sits under item {parent} but names item"
                f" {node.get('parent_id')} as its parent."
            )
        flat.append(
            {
                "id": node.get("id"),
                "type": "comment" if parent is not None else node.get("type") or "story",
                "parent": parent,
                "by": node.get("author"),
                "time": node.get("created_at_i"),
                "text": node.get("text"),
                "title": node.get("title"),
                "url": node.get("url"),
                "score": node.get("points"),
                "story_id": node.get("story_id"),
                "deleted": node.get("author") is None and not node.get("text"),
                # A child that is no object is refused when its turn comes.
                "kids": [child.get("id") for child in children if isinstance(child, dict)],
            }
        )
        todo.extend((child, node.get("id")) for child in reversed(children))
    return flat


def _item(raw: dict, position: int) -> Item:
    """One item, every field of it checked for its type and range; HnFileError names the
    item and the field that is wrong."""
    item_id = raw.get("id")
    if not _whole(item_id) or not 1 <= item_id <= MAX_ID:
        raise HnFileError(
            f"Item {position} of the file has the id {_shown(item_id)}: ids are whole numbers"
            f" from 1 to {MAX_ID} (field 'id'), far past Hacker News' own, so that the forum's"
            " posts, which share the ids, keep room."
        )
    for name in _STRING_FIELDS:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            raise HnFileError(
                f"Item {item_id}: its field {name!r} is {_shown(raw[name])}, not a string."
            )
    for name, (low, high) in _WHOLE_FIELDS.items():
        value = raw.get(name)
        if value is not None and (not _whole(value) or not low <= value <= high):
            raise HnFileError(
                f"Item {item_id}: its field {name!r} is {_shown(value)}, not a whole number"
                f" from {low} to {high}."
            )
    if isinstance(raw.get("text"), str) and (piece := hn_html.foreign_markup(raw["text"])):
        raise HnFileError(
            f"Item {item_id}: its field 'text' holds {_shown(piece)}: Hacker News writes only"
            f" the tags {hn_html.HN_TAGS}."
        )
    for name in ("deleted", "dead"):
        if raw.get(name) is not None and not isinstance(raw[name], bool):
            raise HnFileError(f"Item {item_id}: its field {name!r} is not true or false.")
    seconds = raw.get("time")
    if not _whole(seconds) or not _EARLIEST <= seconds <= _LATEST:
        raise HnFileError(
            f"Item {item_id} has a bad time {_shown(seconds)}: Unix seconds expected"
            f" (field 'time', from {_EARLIEST} to {_LATEST})."
        )
    state = Comment.State.VISIBLE
    if raw.get("deleted"):
        state = Comment.State.DELETED
    elif raw.get("dead"):
        state = Comment.State.DEAD
    by = raw.get("by") or DELETED_AUTHOR
    if not _NAME.fullmatch(by):
        raise HnFileError(
            f"Item {item_id} is by {_shown(by)} (field 'by'): names are 1 to 30 letters, digits,"
            " _ and -."
        )
    for name in _ID_LISTS:
        ids = raw.get(name, [])
        if not isinstance(ids, list) or not all(_is_id(value) for value in ids):
            raise HnFileError(
                f"Item {item_id} has the {name} {_shown(ids)} (field {name!r}): a list of item"
                f" ids, from 1 to {MAX_ID}."
            )
    score = raw.get("score")
    return Item(
        id=item_id,
        parent=raw.get("parent"),
        by=by,
        time=datetime.fromtimestamp(seconds, tz=UTC),
        text=hn_html.to_text(raw.get("text") or ""),
        state=state,
        # HN's titles are plain text, never HTML: `<tool>` in one is the word <tool>.
        title=(raw.get("title") or "") if raw.get("type") == "story" else "",
        url=raw.get("url") or "",
        score=max(score or 1, 1),
        given=_given(raw),
    )


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value) -> bool:
    return _whole(value) and 1 <= value <= MAX_ID


def _shown(value) -> str:
    """A value as the file gave it, cut short: a refusal quotes it, never at any length."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def _given(raw: dict) -> dict:
    """The item's fields as HN gave them, those of HN's item API alone (ITEM_FIELDS: not
    story_id, which an algolia tree's nodes are checked by, nor any a file adds); HN's API
    leaves out an empty field rather than give it null."""
    return {
        name: value
        for name, value in raw.items()
        if name in ITEM_FIELDS and value is not None and value is not False and value != []
    }


def _checked(items: list[Item], raws: list[dict]) -> Story:
    stories = [item for item, raw in zip(items, raws, strict=True) if raw.get("type") == "story"]
    if len(stories) != 1:
        names = ", ".join(str(item.id) for item in stories) or "none"
        raise HnFileError(f"A file holds one story; this one has {len(stories)} ({names}).")
    root = stories[0]
    by_id: dict[int, Item] = {}
    for item, raw in zip(items, raws, strict=True):
        if item.id in by_id:
            raise HnFileError(f"Item {item.id} appears twice.")
        if raw.get("story_id") not in (None, root.id):
            raise HnFileError(f"Item {item.id} belongs to story {raw['story_id']}, not {root.id}.")
        by_id[item.id] = item
    reaching = {root.id}
    for item in items:
        if item is not root:
            _check_reply(item, root, by_id, reaching)
    return Story(root=root, replies=tuple(item for item in items if item is not root))


def _check_reply(item: Item, root: Item, by_id: dict[int, Item], reaching: set[int]) -> None:
    """The item answers an item of the file, and its parents lead to the story (`reaching`
    holds the items known to, so each chain is walked once)."""
    if item.id <= root.id:
        raise HnFileError(f"Item {item.id} is older than its story {root.id}: ids only grow.")
    if item.id - root.id > MAX_REF:
        raise HnFileError(
            f"Item {item.id} is {item.id - root.id} items after its story {root.id}: a post's"
            f" number goes up to {MAX_REF}."
        )
    path: dict[int, None] = {}
    current = item
    while current.id not in reaching:
        if current.parent not in by_id:
            raise HnFileError(
                f"Item {current.id} answers item {current.parent}, which is not in the file."
            )
        if current.id in path:
            raise HnFileError(
                f"Item {current.id} is in a cycle of parents: it never reaches a story."
            )
        path[current.id] = None
        current = by_id[current.parent]
    reaching.update(path)
