"""The documents tests read and write: the seed's source page, discussion pages as the forum
writes them, a post's article in a page, the seed as Hacker News items, and the addresses of the
feeds."""

import re
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from threads.drawing import textform
from threads.drawing.page_posts import DrawnPost
from threads.models import Comment
from threads.text import zlacker

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source" / "000_a66917e11199a140.txt"

WORDS = [
    "Grüße aus Köln",
    "日本語のテキスト",
    "emoji 🧵🌊",
    "שלום עולם",
    "e\u0301 combining",
    "plain",
]


def discussion_text(doc: zlacker.Discussion) -> str:
    """The page `doc` as the forum writes a discussion page (its text form, and what
    export_zlacker prints), under the site name `doc` carries."""
    chain = [
        DrawnPost(
            id=post.number,
            number=post.number,
            depth=post.depth,
            name=post.name,
            author=post.author,
            parent_id=None,
            parent_name=post.parent_name,
            created_at=post.created,
            edited=False,
            state=Comment.State.VISIBLE,
            html="",
            text=post.text,
        )
        for post in doc.posts
    ]
    with override_settings(FORUM_SITE_NAME=doc.site):
        return textform.discussion_page(doc.title, chain)


def discussion(depth: int, *, title="A deep thread — ünïcode", paragraphs=3) -> str:
    """A discussion page of a chain `depth` posts deep, in many scripts, with code now and then."""
    start = datetime(2024, 2, 29, 23, 59, 58, tzinfo=UTC)
    posts = []
    for k in range(1, depth + 1):
        paras = [
            f"{WORDS[(k + i) % len(WORDS)]} paragraph {i} of post {k}."
            for i in range(1 + k % paragraphs)
        ]
        if k % 4 == 0:
            paras.append("  code line one\n  code line two")
        parent = posts[-1] if posts else None
        posts.append(
            zlacker.DiscussionPost(
                number=k,
                depth=k,
                author=f"u{k % 3}_x-y",
                ref=k * 97,
                created=start + timedelta(minutes=k),
                parent_author=parent.author if parent else "opener",
                parent_ref=parent.ref if parent else 0,
                text="\n\n".join(paras),
            )
        )
    return discussion_text(zlacker.Discussion("zlacker", title, tuple(posts)))


# The seed as Hacker News items: its story's id and time, each post's id that plus its number.
STORY_ID = 34_377_000
STORY_TIME = 1_673_680_000


def hn_text(text: str) -> str:
    """The forum's text as Hacker News writes it: paragraphs after the first open with <p>."""
    return "<p>".join(escape(paragraph) for paragraph in zlacker.paragraphs(text))


def seed_items() -> list[dict]:
    """The seed's five posts and their story as v0 items, item ids consistent with their names."""
    doc = zlacker.parse_discussion(SOURCE.read_text(encoding="utf-8"))
    story = {
        "id": STORY_ID,
        "type": "story",
        "by": doc.op_author,
        "time": STORY_TIME,
        "title": doc.title,
        "score": 1,
    }
    items = [story]
    for post in doc.posts:
        items.append(
            {
                "id": STORY_ID + post.ref,
                "type": "comment",
                "by": post.author,
                "time": int(post.created.timestamp()),
                "parent": STORY_ID + post.parent_ref,
                "text": hn_text(post.text),
            }
        )
    return items


def feed_paths(op_id: int, author: str) -> list[str]:
    """Every feed, in both formats: the site's, a thread's, and an author's."""
    paths = []
    for kind in ("rss", "atom"):
        paths += [f"/{kind}", f"/newest/{kind}", f"/item/{kind}?id={op_id}"]
        paths += [f"/threads/{kind}?id={author}", f"/submitted/{kind}?id={author}"]
    return paths


def article(html: str, pk: int) -> str:
    """The post's <article> in a page's HTML."""
    match = re.search(rf'<article class="[^"]*" id="{pk}".*?</article>', html, re.S)
    assert match, f"no article with id {pk}"
    return match.group(0)
