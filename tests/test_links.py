"""The forum's URLs: built in one place, exactly the Hacker News style ones readers know."""

import pytest

from forum import links
from tests.factories import UserFactory
from threads.core import selectors
from threads.drawing import page_posts
from threads.services.bans import user_ban
from threads.services.moderation import comment_remove, thread_lock


@pytest.mark.parametrize(
    ("built", "expected"),
    [
        (lambda: links.item(12), "/item?id=12"),
        (lambda: links.item(12, anchor=40), "/item?id=12#40"),
        (lambda: links.user("dr_dsh"), "/user?id=dr_dsh"),
        (lambda: links.page("user_comments", "dr_dsh"), "/threads?id=dr_dsh"),
        (lambda: links.page("submitted", "dr_dsh"), "/submitted?id=dr_dsh"),
        (lambda: links.page("discussion", 7), "/discussion?id=7"),
        (lambda: links.page("reply", 7), "/reply?id=7"),
        (lambda: links.page("reply", ""), "/reply"),
        (lambda: links.page("edit", 7), "/edit?id=7"),
        (lambda: links.page("delete", 7), "/delete?id=7"),
        (lambda: links.page("flag", 7), "/flag?id=7"),
        (lambda: links.page("source", 7), "/source?id=7"),
        (lambda: links.page("links", 7), "/links?id=7"),
        (lambda: links.page("vote", 7, how="up"), "/vote?id=7&how=up"),
        (
            lambda: links.page("vote", 7, how="up", goto="/newest?p=2"),
            "/vote?id=7&how=up&goto=/newest%3Fp%3D2",
        ),
        (lambda: links.page("login", next="/item?id=3"), "/login?next=/item%3Fid%3D3"),
        (lambda: links.page("signup", next="/"), "/signup?next=/"),
        (lambda: links.page("modlog"), "/modlog"),
        (lambda: links.page("replies"), "/replies"),
        (lambda: links.prefix("item") + "5", "/item?id=5"),
    ],
)
def test_links_are_the_urls_the_forum_always_had(built, expected):
    assert built() == expected


def test_each_thing_knows_its_page(build):
    author = UserFactory(username="zacwes")
    thread = build.thread(author=author)
    reply = build.reply(thread.op)
    assert thread.get_absolute_url() == f"/item?id={thread.op_id}"
    assert reply.get_absolute_url() == f"/item?id={reply.pk}"
    assert author.get_absolute_url() == "/user?id=zacwes"


def test_a_post_on_a_page_links_to_its_pages_and_votes(build):
    thread = build.thread()
    reply = build.reply(thread.op)
    post = page_posts.build(selectors.thread_posts(thread_id=thread.pk))[1]
    pk = reply.pk
    # Relative links: every page that shows posts is a sibling of the pages they lead to.
    shared = [f"item?id={pk}", f"source?id={pk}", f"vote?id={pk}&amp;how=up", f"#{thread.op_id}"]
    in_full = [f"discussion?id={pk}", f"reply?id={pk}", f"flag?id={pk}", f"fave?id={pk}"]
    html = page_posts.post_html(post, {thread.op_id})
    assert all(f'href="{href}"' in html for href in shared)
    assert not any(f'href="{href}"' in html for href in in_full)
    html = page_posts.post_html(post, {thread.op_id}, offers=page_posts.EVERY_ACTION)
    for href in [*shared, *in_full, f"vote?id={pk}&amp;how=down"]:
        assert f'href="{href}"' in html


@pytest.mark.django_db
def test_the_modlog_links_each_line_to_what_it_acted_on(client, build):
    moderator = UserFactory(username="mod", is_staff=True)
    thread = build.thread(title="Moderated")
    reply = build.reply(thread.op, author=UserFactory(username="troll"))
    comment_remove(comment_id=reply.pk, moderator=moderator, reason="rude")
    thread_lock(thread_id=thread.pk, moderator=moderator)
    user_ban(user=reply.author, moderator=moderator, reason="rude")
    html = client.get("/modlog").content.decode()
    assert f'<a href="/item?id={reply.pk}">troll+1 in &quot;Moderated&quot;</a>' in html
    assert f'<a href="/item?id={thread.op_id}">&quot;Moderated&quot;</a>' in html
    assert '<a href="/user?id=troll">troll for good</a>' in html
