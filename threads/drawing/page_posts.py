"""The posts of a page: numbering, names, glyphs and backlinks, rendered as HTML."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, lru_cache
from html import escape

from forum import links
from threads.core.rows import AUTHOR, ID, PARENT, REF, STATE
from threads.models import Comment
from threads.text import zlacker

VISIBLE = Comment.State.VISIBLE
PLACEHOLDERS = {
    Comment.State.DELETED: "[deleted]",
    Comment.State.REMOVED: "[removed by moderator]",
    Comment.State.FLAGGED: "[flagged: hidden until a moderator reviews it]",
    # As Hacker News shows a dead post to readers without showdead; staff read it at [source].
    Comment.State.DEAD: "[dead]",
}


@dataclass(slots=True)
class DrawnPost:
    """One post as a page shows it."""

    id: int
    number: int
    depth: int
    name: str
    author: str
    parent_id: int | None
    parent_name: str
    created_at: datetime
    edited: bool
    state: str
    html: str
    text: str
    points: int = 1
    replies: list["DrawnPost"] = field(default_factory=list)

    @property
    def gone(self) -> bool:
        return self.state != Comment.State.VISIBLE

    @property
    def fade(self) -> int:
        """0 for a post at 1 point or more, else 1 (0 points) to 5 (-4 points): how faded."""
        return min(max(1 - self.points, 0), 5) if not self.gone else 0

    @property
    def has_links(self) -> bool:
        return not self.gone and 'rel="nofollow' in self.html

    @property
    def shown_text(self) -> str:
        return PLACEHOLDERS.get(self.state, self.text)

    @property
    def shown_html(self) -> str:
        placeholder = PLACEHOLDERS.get(self.state)
        return f"<p>{placeholder}</p>" if placeholder else self.html


@dataclass(frozen=True, slots=True)
class Offers:
    """The actions a post's head offers its reader. A post's own page, like any page drawn for
    one reader, offers only what threads.core.policies allows them (pages.offers.post_offers);
    a reader not logged in is offered every one (EVERY_ACTION), each leading to the log-in
    page."""

    reply: bool = True
    vote: bool = True
    downvote: bool = True
    flag: bool = True
    keep: bool = True
    faved: bool = False  # one of the reader's favorites: [un-favorite] takes it back


EVERY_ACTION = Offers()


def build(rows: list[tuple], *, parent_names: dict[int, str] | None = None) -> list[DrawnPost]:
    """Posts from rows (rows.POST_FIELDS, then html and text) in the order given (tree order, or
    time order), replies numbered from 1 in that order (the opening post is 0); each post's
    replies listed in that order too.

    A deleted reply is left out unless a reply below it is shown: only they need its place.
    The opening post never is: it heads its page (a thread imported with its story deleted).
    """
    left_out = _deleted_without_shown_replies(rows)
    short = zlacker.SHORT_NAME_LENGTH
    names = dict(parent_names or {})
    for row in rows:
        names[row[ID]] = f"{row[AUTHOR][:short]}+{_encoded_ref(row[REF])}"
    by_id: dict[int, DrawnPost] = {}
    posts: list[DrawnPost] = []
    number = 0
    for (
        pk,
        parent_id,
        _ref,
        level,
        _lft,
        _rght,
        created_at,
        edited_at,
        state,
        user,
        points,
        html,
        text,
    ) in rows:
        if pk in left_out:
            continue
        if level:
            number += 1
        post = DrawnPost(
            pk,
            number if level else 0,
            level,
            names[pk],
            user,
            parent_id,
            names.get(parent_id, ""),
            created_at,
            edited_at is not None,
            state,
            html,
            text,
            points,
            [],
        )
        by_id[pk] = post
        posts.append(post)
    for post in posts:
        parent = by_id.get(post.parent_id)
        if parent is not None:
            parent.replies.append(post)
    return posts


def _deleted_without_shown_replies(rows: list[tuple]) -> set[int]:
    # A deleted post is kept when a shown post is below it: from each shown post up through its
    # parents, until a post already kept, whatever order the rows come in (no recursion).
    deleted = Comment.State.DELETED
    parent_of = {row[ID]: row[PARENT] for row in rows}
    kept: set[int] = set()
    for row in rows:
        if row[STATE] == deleted:
            continue
        post = row[ID]
        while post in parent_of and post not in kept:
            kept.add(post)
            post = parent_of[post]
    return {
        row[ID]
        for row in rows
        if row[STATE] == deleted and row[ID] not in kept and row[PARENT] is not None
    }


# Post numbers repeat from thread to thread: their base-62 forms are worth keeping.
_encoded_ref = lru_cache(maxsize=1 << 16)(zlacker.encode_ref)


def ref_link(post_id: int, name: str, on_page: set[int], css: str = "ref") -> str:
    href = f"#{post_id}" if post_id in on_page else f"{links.post_prefixes().item}{post_id}"
    return f'<a class="{css}" href="{href}">&gt;&gt;{escape(name)}</a>'


def replies_html(post: DrawnPost, on_page: set[int]) -> str:
    if not post.replies:
        return ""
    links = " ".join(ref_link(reply.id, reply.name, on_page) for reply in post.replies)
    return f'<div class="replies">replies({len(post.replies)}): {links}</div>'


@cache
def _glyphs_attribute(depth: int, top: bool = False) -> str:
    # Drawn by style.css (article[data-g]::before) as a line of their own: no element per post.
    glyphs = zlacker.glyphs(depth, top=top)
    return f' data-g="{glyphs}"' if glyphs else ""


def vote_links(post_id: int, *, down: bool = True) -> str:
    """Vote arrows as plain links, the same for every reader, so the post's HTML can be shared.

    Without JavaScript a link leads to a small confirmation form; static/vote.js posts the
    vote in place and marks the arrows this reader has used.
    """
    return f'<span class="votes" data-id="{post_id}">{_arrows(post_id, down)}</span>'


def _arrows(post_id: int, down: bool) -> str:
    return _arrows_shape(down).replace(_ID_MARK, str(post_id))


_ID_MARK = "__id__"  # left as it is by URL encoding and HTML escaping


@cache
def _arrows_shape(down: bool) -> str:
    # Built once: on a thread page only the post's id changes from one post to the next.
    arrows = [("up", "▲", "vote up")] + ([("down", "▼", "vote down")] if down else [])
    vote = links.post_prefixes().vote
    return "".join(
        f'<a class="vote {how}" href="{vote}{_ID_MARK}&amp;how={how}"'
        f' rel="nofollow" aria-label="{label}">{arrow}</a>'
        for how, arrow, label in arrows
    )


@lru_cache(maxsize=1 << 12)
def author_link(username: str) -> str:
    """The author's full name, linked to their page: zlacker's 6-letter names can be shared."""
    return f'<a class="author" href="{escape(links.user(username))}">{escape(username)}</a>'


def post_html(
    post: DrawnPost,
    on_page: set[int],
    *,
    discussion_link: bool = True,
    replies_open: bool = True,
    offers: Offers | None = None,
    top_glyph: bool = False,
) -> str:
    """A post as zlacker shows it: ▲, number, name, [view] [source], time, >>parent, text and
    replies(K). Its other actions are on its own page (the name's link); static/vote.js adds
    them when a reader reaches the post. Given offers, the post shows them all itself.
    `top_glyph`: a reply to the opening post has its glyph (zlacker.glyphs)."""
    # Runs once per post of a thread page, tens of thousands of times: one f-string, few calls.
    pk = post.id
    to = links.post_prefixes()
    gone = post.state != VISIBLE
    iso = post.created_at.isoformat()
    edited = ' <span class="edited">(edited)</span>' if post.edited and not gone else ""
    css = "post gone" if gone else "post"
    css += f" faded fade{post.fade}" if post.fade else ""
    up = "" if gone else _arrows(pk, False) + " "
    parent = (
        ref_link(post.parent_id, post.parent_name, on_page, "ref parent") if post.parent_id else ""
    )
    if offers is not None:
        up, edited = _all_actions(post, edited, discussion_link, replies_open, offers)
    return (
        f'<article class="{css}" id="{pk}" data-depth="{post.depth}"'
        f'{_glyphs_attribute(post.depth, top_glyph)} data-by="{escape(post.author)}">{up}'
        f"{f'{post.number}. ' if post.number else ''}"
        f'<a class="name" href="{to.item}{pk}">{escape(post.name)}</a>[<a href="{to.item}{pk}">'
        f'view</a>] [<a href="{to.source}{pk}">source</a>] <time>{iso[:10]} {iso[11:19]}</time>'
        f"{edited}"
        f"{parent}"
        f"{f'<p>{PLACEHOLDERS[post.state]}</p>' if gone else post.html}"
        f"{replies_html(post, on_page) if post.replies else ''}</article>"
    )


def _all_actions(
    post: DrawnPost, edited: str, discussion_link, replies_open, offers
) -> tuple[str, str]:
    """The arrows, and what follows the time, of a post that shows every action it offers."""
    pk = post.id
    to = links.post_prefixes()
    gone = post.gone
    arrows = "" if gone or not offers.vote else _arrows(pk, offers.downvote) + " "
    discussion = f' [<a href="{to.discussion}{pk}">discussion</a>]' if discussion_link else ""
    reply = f' [<a class="reply" href="{to.reply}{pk}">reply</a>]' if replies_open else ""
    flag = f' <span class="flag">[<a href="{to.flag}{pk}">flag</a>]</span>' if offers.flag else ""
    if not offers.keep:
        favorite = ""
    elif offers.faved:
        favorite = f' [<a class="fave" href="{to.fave}{pk}&amp;un=t">un-favorite</a>]'
    else:
        favorite = f' [<a class="fave" href="{to.fave}{pk}">favorite</a>]'
    actions = "" if gone else reply + flag + favorite
    by = f" by {author_link(post.author)}"
    return arrows, f'{edited}<span class="acts">{by}{actions}{discussion}</span>'


def posts_html(
    posts: list[DrawnPost],
    *,
    discussion_link: bool = True,
    replies_open: bool = True,
    extra_ids=(),
    offers: Offers | None = None,
    shown_in_full: tuple[int, Offers] | None = None,
) -> str:
    """The posts' HTML; without [reply] links when their thread is locked (replies_open).
    Given offers, every post shows them; else only the post `shown_in_full` names (the page's
    own) shows its actions, those it names (offers.post_offers: the reader's)."""
    return "".join(
        _each_post_html(posts, discussion_link, replies_open, extra_ids, offers, shown_in_full)
    )


def posts_bytes(
    posts: list[DrawnPost], *, replies_open: bool = True, extra_ids=(), top_glyph: bool = False
) -> bytes:
    """posts_html in UTF-8, encoded post by post: the glyphs would make one joined text of
    megabytes two bytes a character, and encoding it whole costs more than all the small ones.
    `top_glyph` as post_html's: a thread page in time order, as zlacker draws it."""
    each = _each_post_html(posts, True, replies_open, extra_ids, None, top_glyph=top_glyph)
    return b"".join([html.encode() for html in each])


def _each_post_html(
    posts,
    discussion_link: bool,
    replies_open: bool,
    extra_ids,
    offers,
    shown_in_full=None,
    *,
    top_glyph: bool = False,
):
    on_page = {post.id for post in posts} | set(extra_ids)
    full_id, full_offers = shown_in_full or (None, None)
    if offers is not None:
        replies_open = replies_open and offers.reply
    for post in posts:
        yield post_html(
            post,
            on_page,
            discussion_link=discussion_link,
            replies_open=replies_open,
            offers=full_offers if post.id == full_id and offers is None else offers,
            top_glyph=top_glyph,
        )
