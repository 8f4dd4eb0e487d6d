"""Helpers for the browser tests: logging a user in and finding posts of the seed thread."""

from django.conf import settings
from django.test import Client

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
