"""A page as its stencil is filled for a reader is the page drawn for that reader from nothing:
for a thread's author, a banned reader, a flagger, a reader who hid threads, a moderator and a
plain member, on a thread page and the lists."""

import re

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import UserFactory
from threads.caching import list_pages
from threads.caching.readers import Audience
from threads.pages import reading
from threads.services.bans import user_ban
from threads.services.keeping import thread_hide
from threads.services.moderation import comment_flag
from threads.services.votes import comment_vote

# The per-request tokens: every page has a new CSRF token and reply form key.
TOKENS = re.compile(rb'<input[^>]*name="(csrfmiddlewaretoken|form_key)"[^>]*>')


def without_tokens(page: bytes) -> bytes:
    return TOKENS.sub(rb"<input name=\1>", page)


@pytest.fixture
def forum(build, moderator):
    """A thread by its author with a member's reply, another thread, and a reader of each kind."""
    readers = {
        "author": UserFactory(username="author"),
        "banned": UserFactory(username="banned"),
        "flagger": UserFactory(username="flagger"),
        "hider": UserFactory(username="hider"),
        "moderator": moderator,
        "member": UserFactory(username="member"),
    }
    thread = build.thread(title="The thread", text="Its opening post.", author=readers["author"])
    op = build.op(thread)
    reply = build.reply(op, text="A member's reply.", author=readers["member"])
    build.reply(reply, text="An answer to it.", author=readers["author"])
    other = build.thread(title="Another thread", text="Elsewhere.")
    comment_vote(comment_id=op.pk, user=readers["member"], direction="up")
    comment_flag(comment_id=op.pk, user=readers["flagger"], reason="spam")
    thread_hide(user=readers["hider"], op_id=build.op(other).pk)
    user_ban(user=readers["banned"], moderator=moderator, reason="trolling")
    return op, readers


def as_reader(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def warmer(reader) -> Client:
    """Another reader of the same audience, who has the stencil drawn for everyone in it."""
    other = UserFactory(is_staff=reader.is_staff)
    return as_reader(other)


READERS = ["author", "banned", "flagger", "hider", "moderator", "member"]


@pytest.mark.parametrize("who", READERS)
def test_the_filled_page_is_the_page_drawn_from_nothing(forum, who, monkeypatch):
    op, readers = forum
    reader = readers[who]
    for path in (f"/item?id={op.pk}", "/", "/newest", "/best"):
        cache.clear()
        assert warmer(reader).get(path).status_code == 200
        client = as_reader(reader)
        filled, again = client.get(path), client.get(path)
        with monkeypatch.context() as drawn_alone:
            cache.clear()
            for module in (reading, list_pages):
                drawn_alone.setattr(module, "audience", lambda *a, **k: Audience.OWN)
            fresh = client.get(path)
        assert filled.status_code == again.status_code == fresh.status_code == 200
        assert without_tokens(filled.content) == without_tokens(fresh.content), (who, path)
        assert without_tokens(again.content) == without_tokens(fresh.content), (who, path)
        assert f">{reader.username}</a>".encode() in fresh.content
