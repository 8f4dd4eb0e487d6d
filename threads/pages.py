"""The posts of a page: numbering, names, glyphs and backlinks, rendered as HTML and as text."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.utils.html import escape

from . import zlacker
from .models import Comment

PLACEHOLDERS = {
    Comment.State.DELETED: "[deleted]",
    Comment.State.REMOVED: "[removed by moderator]",
    Comment.State.FLAGGED: "[flagged: hidden until a moderator reviews it]",
}


@dataclass
class Post:
    """One post as a page shows it."""

    id: int
    number: int
    depth: int
    name: str
    parent_id: int | None
    parent_name: str
    created_at: datetime
    edited: bool
    state: str
    html: str
    text: str
    replies: list["Post"] = field(default_factory=list)

    @property
    def gone(self) -> bool:
        return self.state != Comment.State.VISIBLE

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


def build(rows: list, *, parent_names: dict[int, str] | None = None) -> list[Post]:
    """Posts from rows in tree order, replies numbered from 1 (the opening post is 0).

    A deleted post with no replies is left out: nothing below it needs its place.
    """
    names = dict(parent_names or {})
    by_id: dict[int, Post] = {}
    posts: list[Post] = []
    number = 0
    for row in rows:
        name = zlacker.post_name(row.author__username, row.ref)
        names[row.id] = name
        if row.state == Comment.State.DELETED and row.rght - row.lft == 1:
            continue
        number += 1 if row.level else 0
        post = Post(
            id=row.id,
            number=number if row.level else 0,
            depth=row.level,
            name=name,
            parent_id=row.parent_id,
            parent_name=names.get(row.parent_id, ""),
            created_at=row.created_at,
            edited=row.edited_at is not None,
            state=row.state,
            html=row.html,
            text=row.text,
        )
        by_id[row.id] = post
        posts.append(post)
        if row.parent_id in by_id:
            by_id[row.parent_id].replies.append(post)
    return posts


def timestamp(moment: datetime) -> str:
    return zlacker.format_time(moment)


def ref_link(post_id: int, name: str, on_page: set[int]) -> str:
    href = f"#{post_id}" if post_id in on_page else f"/item?id={post_id}"
    return f'<a class="ref" href="{href}" data-id="{post_id}">&gt;&gt;{escape(name)}</a>'


def replies_html(post: Post, on_page: set[int]) -> str:
    if not post.replies:
        return ""
    links = " ".join(ref_link(reply.id, reply.name, on_page) for reply in post.replies)
    return f'<div class="replies">replies({len(post.replies)}): {links}</div>'


def post_html(post: Post, on_page: set[int], *, discussion_link: bool = True) -> str:
    glyphs = zlacker.glyphs(post.depth)
    glyph_line = f'<div class="glyphs" aria-hidden="true">{glyphs}</div>' if glyphs else ""
    discussion = f' [<a href="/discussion?id={post.id}">discussion</a>]' if discussion_link else ""
    when = timestamp(post.created_at)
    edited = ' <span class="edited">(edited)</span>' if post.edited and not post.gone else ""
    parent = ref_link(post.parent_id, post.parent_name, on_page) if post.parent_id else ""
    css = "post gone" if post.gone else "post"
    return (
        f'<article class="{css}" id="{post.id}" data-depth="{post.depth}"'
        f' aria-label="{escape(post.name)}, depth {post.depth}">{glyph_line}'
        f'<div class="head"><span class="num">{post.number}.</span> '
        f'<a class="name" href="/item?id={post.id}">{escape(post.name)}</a>'
        f'[<a href="/item?id={post.id}">view</a>] [<a href="/source?id={post.id}">source</a>]'
        f'{discussion} <time datetime="{post.created_at.strftime("%Y-%m-%dT%H:%M:%SZ")}">'
        f'{when}</time>{edited} [<a href="/flag?id={post.id}">flag</a>]</div>'
        f'<div class="parent">{parent}</div>'
        f'<div class="text">{post.shown_html}</div>'
        f"{replies_html(post, on_page)}</article>"
    )


def posts_html(posts: list[Post], *, discussion_link: bool = True, extra_ids=()) -> str:
    on_page = {post.id for post in posts} | set(extra_ids)
    return "".join(post_html(post, on_page, discussion_link=discussion_link) for post in posts)


def post_text(post: Post) -> list[str]:
    return zlacker.post_lines(
        number=post.number,
        depth=post.depth,
        name=post.name,
        parent_name=post.parent_name,
        created=post.created_at,
        text=post.shown_text,
    )


def replies_text(post: Post) -> list[str]:
    if not post.replies:
        return []
    names = " ".join(f">>{reply.name}" for reply in post.replies)
    return [f"replies({len(post.replies)}): {names}"]


def discussion_text(title: str, chain: list[Post]) -> str:
    """The zlacker text form of a discussion page: the chain from the top-level post down."""
    lines = [settings.FORUM_SITE_NAME, "", f'[return to "{title}"]']
    for post in chain:
        lines.extend(post_text(post))
    lines.append("[go to top]")
    return "\n".join(lines)
