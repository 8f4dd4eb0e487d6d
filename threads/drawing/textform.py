"""Every page's text form (format=txt): zlacker pages of posts, and the forum's plain lists."""

from collections.abc import Iterable, Iterator

from django.conf import settings

from threads.drawing.page_posts import DrawnPost
from threads.text import zlacker

# Pages of posts: the zlacker format, ending in [go to top] with no newline.


def thread_page(thread, op: DrawnPost, posts: list[DrawnPost], *, top_glyph: bool = False) -> str:
    """The thread: its title and submission, the OP's text and replies, then every post (in
    time order, as zlacker draws it, each reply to the OP with its glyph: `top_glyph`)."""
    head = [
        _titled(thread),
        f"submitted by {op.name} on {zlacker.format_time(op.created_at)} | {_counts(thread)}",
        *(["", *op.shown_text.split("\n")] if op.text or op.gone else []),
        *_backlinks(op),
        "",
    ]
    body = _posts(posts, backlinked=True, top_glyph=top_glyph)
    return zlacker.page(settings.FORUM_SITE_NAME, head, body)


def comment_page(title: str, posts: list[DrawnPost]) -> str:
    """A comment and its subtree, each post with its replies."""
    return zlacker.framed(settings.FORUM_SITE_NAME, title, _posts(posts, backlinked=True))


def discussion_page(title: str, chain: list[DrawnPost]) -> str:
    """The chain from a top-level post down to a comment; export_zlacker prints the same."""
    return zlacker.framed(settings.FORUM_SITE_NAME, title, _posts(chain))


def links_page(title: str, posts: list[DrawnPost]) -> str:
    return zlacker.framed(settings.FORUM_SITE_NAME, title, _posts(posts))


def _post_lines(post: DrawnPost, top_glyph: bool = False) -> list[str]:
    """A post as zlacker writes it, its placeholder in place of the text of a post gone."""
    return zlacker.post_lines(
        number=post.number,
        depth=post.depth,
        name=post.name,
        parent_name=post.parent_name,
        created=post.created_at,
        text=post.shown_text,
        top_glyph=top_glyph,
    )


def _backlinks(post: DrawnPost) -> list[str]:
    """The `replies(N): >>a >>b` line under a post that has replies."""
    if not post.replies:
        return []
    names = " ".join(f">>{reply.name}" for reply in post.replies)
    return [f"replies({len(post.replies)}): {names}"]


def _posts(
    posts: Iterable[DrawnPost], *, backlinked: bool = False, top_glyph: bool = False
) -> Iterator[str]:
    for post in posts:
        yield from _post_lines(post, top_glyph)
        if backlinked:
            yield from _backlinks(post)


# Lists and the user's page: the site name, a blank line, then lines each ending in a newline.


def thread_list(threads: Iterable, *, start: int, heading: str = "") -> str:
    """Threads numbered from `start`, each with its points and comments."""
    lines = [heading, ""] if heading else []
    for number, thread in enumerate(threads, start=start):
        lines += [f"{number}. {_titled(thread)}", f"   {_counts(thread)}"]
    return _listing(lines)


def modlog_page(actions: Iterable) -> str:
    lines = ["moderation log", ""]
    for action in actions:
        reason = f" (reason: {action.reason})" if action.reason else ""
        lines.append(
            f"{zlacker.format_time(action.created_at)} {action.moderator.username} "
            f"{action.get_kind_display()}: {action.target}{reason}"
        )
    return _listing(lines)


# What the user page says of an author named in an imported file.
IMPORTED_NOTE = "an author named in an imported file, not an account anyone logs in to here"


def user_page(user) -> str:
    lines = [
        f"user: {user.username}",
        *([f"imported: {IMPORTED_NOTE}"] if user.is_imported else []),
        f"created: {user.date_joined:%Y-%m-%d}",
        f"karma: {user.karma}",
        "about:",
        *user.about.split("\n"),
    ]
    return _listing(lines)


def comment_list(heading: str, comments: Iterable) -> str:
    """Comments (a user's, the newest ...), each with the thread it is in."""
    lines = [heading]
    for comment in comments:
        lines += _listed_comment(comment, zlacker.format_time(comment.created_at))
    return _listing(lines)


def inbox_page(replies: Iterable) -> str:
    """Replies to the reader, each naming the post it answers."""
    lines = ["replies"]
    for reply in replies:
        lines += _listed_comment(
            reply, f"{zlacker.format_time(reply.created_at)} to {reply.parent.name}"
        )
    return _listing(lines)


def search_page(query: str, lines: Iterable) -> str:
    """Search results: each post's name and time, its thread, and the snippet that matched."""
    listed = [f"search: {query}"]
    for line in lines:
        listed += [
            "",
            f"{line.name} by {line.author} {zlacker.format_time(line.created_at)}",
            f'on: "{line.plain_title}"',
            *line.plain_snippet.split("\n"),
        ]
    return _listing(listed)


def search_help(filters: Iterable[tuple[str, str]]) -> str:
    """What the search box reads: each filter with what it does."""
    return _listing(["search", "", *(f"{syntax}: {meaning}" for syntax, meaning in filters)])


def _counts(thread) -> str:
    points = f"{thread.points} point" + ("" if thread.points == 1 else "s")
    comments = f"{thread.comment_count} comment" + ("" if thread.comment_count == 1 else "s")
    return f"{points} {comments}"


def _titled(thread) -> str:
    return thread.title + (f" ({thread.url})" if thread.url else "")


def _listed_comment(comment, when: str) -> list[str]:
    # Outside its thread a post's 6-letter name is not enough: its author's full name follows.
    return [
        "",
        f"{comment.name} by {comment.author.username} {when}",
        f'on: "{comment.thread.title}"',
        *comment.text.split("\n"),
    ]


def _listing(lines: list[str]) -> str:
    return "\n".join([settings.FORUM_SITE_NAME, "", *lines]) + "\n"
