"""Helpers for the browser tests: logging a user in, a small thread to fold and walk, and finding
posts on a page."""

from django.conf import settings
from django.test import Client

from tests.factories import ThreadBuilder
from threads.models import Comment
from threads.text import zlacker


def log_in(page, user) -> None:
    """Gives the page's browser a session of `user`, as if they had logged in."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": page.base, "httpOnly": True}]
    )


def seed_thread_url(page) -> str:
    op = Comment.objects.get(level=0, tree_id=post("D3").tree_id)
    return f"{page.base}/item?id={op.pk}"


def post(ref: str) -> Comment:
    """The seed post named by its zlacker ref (base 62, as in the names)."""
    return Comment.objects.get(ref=zlacker.decode_ref(ref))


def article(page, comment: Comment):
    return page.locator(f'article[id="{comment.pk}"]')


def reach(page, comment: Comment):
    """The post, once the reader's pointer is over it: the scripts add its actions then."""
    shown = article(page, comment)
    shown.locator(":scope > a.name").hover()
    return shown


def fold_button(page, post):
    """The post's fold button: forum.js adds it when a reader reaches the post (or folds it)."""
    shown = article(page, post)
    if shown.is_visible():
        shown.locator(":scope > a.name").hover()
    return shown.locator(":scope > .acts > button.fold")


LETTER_PARENTS = {"a": "op", "b": "a", "c": "b", "d": "a", "e": "op"}


def letter_tree(title: str, written: str = "abcde") -> dict:
    """OP; a > (b > c, d); e, the replies written in the order `written` names them. Returns
    the posts by letter and the thread's URL path."""
    build = ThreadBuilder()
    posts = {"op": build.op(build.thread(title=title, text="The opening post."))}
    for letter in written:
        posts[letter] = build.reply(posts[LETTER_PARENTS[letter]], text=f"Post {letter}.")
    return posts | {"url": f"/item?id={posts['op'].pk}"}
