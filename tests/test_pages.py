"""Reading pages: names, numbers, glyphs, links, text forms and errors, as a reader sees them."""

import re

import pytest
from django.core.management import call_command

from forum.exceptions import ForumError
from tests.documents import SOURCE, article
from tests.factories import UserFactory
from tests.queries import thread_page_queries
from threads.models import Comment, Thread
from threads.services.moderation import thread_remove, thread_restore
from threads.services.posting import comment_delete

SEED_NAMES = ["dr_dsh+12", "akjetm+D3", "Salgat+R3", "AlotOf+D7", "derang+9j1"]


@pytest.fixture
def seed(db):
    call_command("seed")
    return Thread.objects.get()


def post_id(name: str) -> int:
    from threads.text import zlacker

    user, ref = zlacker.split_name(name)
    return Comment.objects.get(ref=ref, author__username=user).pk


def test_front_page_lists_the_seed_thread(client, seed):
    op = Comment.objects.get(level=0)
    html = client.get("/").content.decode()
    assert "We’ve filed a lawsuit challenging Stable Diffusion" in html
    assert f'href="/item?id={op.pk}"' in html
    shown = re.sub(r"<[^>]+>", "", html)
    assert "1 point by" in shown and "5 comments" in shown


def test_thread_page_shows_every_post_with_glyphs_and_links(client, seed):
    op = Comment.objects.get(level=0)
    # Tree order, as before time order became the default (which adds ◧ at depth 1).
    html = client.get(f"/item?id={op.pk}&order=tree").content.decode()
    assert "submitted by" in html and "zacwes+(OP)" in html
    for number, name in enumerate(SEED_NAMES, start=1):
        pk = post_id(name)
        post = article(html, pk)
        depth = number
        assert f' {number}. <a class="name" href="item?id={pk}">{name}</a>[' in post
        assert f'[<a href="item?id={pk}">view</a>] [<a href="source?id={pk}">source</a>]' in post
        # The glyph line is drawn by the style sheet from the post's data-g.
        glyphs = "◧◩◪◨⬒"[:depth] if depth >= 2 else None
        if glyphs:
            assert f'data-g="{glyphs}"' in post
        else:
            assert "data-g=" not in post
    derang = article(html, post_id("derang+9j1"))
    alot = post_id("AlotOf+D7")
    assert f'<a class="ref parent" href="#{alot}">&gt;&gt;AlotOf+D7</a>' in derang
    alot_html = article(html, alot)
    assert "replies(1):" in alot_html and "&gt;&gt;derang+9j1" in alot_html
    assert '[<a href="#bottom">go to bottom</a>]' in html
    assert '<a class="top" id="bottom" href="#top">[go to top]</a>' in html


def test_thread_header_separates_points_from_comments_in_html_only(client, seed):
    op = Comment.objects.get(level=0)
    html = client.get(f"/item?id={op.pk}").content.decode()
    header = re.sub(r"<[^>]+>", "", html[html.index('<div class="meta">') :].split("</div>")[0])
    assert header.endswith("on 2023-01-14 07:17:25 | 1 point | 5 comments")
    text = client.get(f"/item?id={op.pk}&format=txt").content.decode()
    assert "on 2023-01-14 07:17:25 | 1 point 5 comments\n" in text


def test_thread_page_shows_the_op_replies_and_tools(client, seed):
    op = Comment.objects.get(level=0)
    html = client.get(f"/item?id={op.pk}").content.decode()
    section = html[html.index('<section class="op"') : html.index("</section>")]
    assert f'id="{op.pk}"' in section
    assert "replies(1):" in section and "&gt;&gt;dr_dsh+12" in section
    assert f'href="/source?id={op.pk}"' in section and f'href="/links?id={op.pk}"' in section


def test_comment_page_shows_the_subtree_with_parent_and_thread_links(client, seed):
    salgat = Comment.objects.get(ref=zlacker_ref("R3"))
    html = client.get(f"/item?id={salgat.pk}").content.decode()
    assert f'href="/item?id={salgat.parent_id}">parent</a>' in html
    assert ">thread</a>" in html
    names = re.findall(r'<a class="name" href="item\?id=\d+">([^<]+)</a>', html)
    assert names == ["Salgat+R3", "AlotOf+D7", "derang+9j1"]
    assert f' 1. <a class="name" href="item?id={salgat.pk}">' in html
    # The parent is not on the page: its >> link goes to its own page.
    assert f'href="item?id={salgat.parent_id}">&gt;&gt;akjetm+D3' in html
    # The page's own post offers every action itself, for readers without JavaScript.
    own = article(html, salgat.pk)
    for action in ("reply", "flag", "fave", "discussion"):
        assert f'href="{action}?id={salgat.pk}"' in own
    assert f'href="vote?id={salgat.pk}&amp;how=down"' in own
    assert 'by <a class="author" href="/user?id=Salgat">Salgat</a>' in own
    # The other posts offer their actions on their own pages, which their names link to.
    below = article(html, post_id("AlotOf+D7"))
    assert 'class="acts"' not in below and "reply?id=" not in below


def test_authors_with_one_short_name_are_told_apart_and_linked(client, build):
    tester, imposter = UserFactory(username="pgtester"), UserFactory(username="pgtest_imposter")
    thread = build.thread(author=tester, title="Who said it?")
    op = build.op(thread)
    real = build.reply(op, text="The real one.", author=tester)
    fake = build.reply(real, text="The other one.", author=imposter)
    for url in (f"/item?id={op.pk}", f"/item?id={real.pk}"):
        html = client.get(url).content.decode()
        mine, theirs = article(html, real.pk), article(html, fake.pk)
        assert '<a class="name" href="item?id=' in mine and ">pgtest+1</a>" in mine
        assert ">pgtest+2</a>" in theirs
        # Each post carries its author's full name; static/vote.js shows it, linked, when a
        # reader reaches the post (tests/test_browser_reading.py).
        assert 'data-by="pgtester"' in mine and 'data-by="pgtest_imposter"' in theirs
    # The post's own page names and links its author without JavaScript.
    html = client.get(f"/item?id={real.pk}").content.decode()
    assert 'by <a class="author" href="/user?id=pgtester">pgtester</a>' in article(html, real.pk)
    submitted = client.get(f"/item?id={op.pk}").content.decode()
    assert 'submitted by <a class="name"' in submitted and 'href="/user?id=pgtester"' in submitted
    # The text form stays zlacker's: short names only.
    text = client.get(f"/item?id={op.pk}&format=txt").content.decode()
    assert "pgtest_imposter" not in text and "pgtest+2" in text
    assert client.get("/user?id=pgtest_imposter").status_code == 200


def test_an_author_link_escapes_and_quotes_the_name():
    from threads.drawing.page_posts import author_link

    assert author_link("a&b<c>") == (
        '<a class="author" href="/user?id=a%26b%3Cc%3E">a&amp;b&lt;c&gt;</a>'
    )


def zlacker_ref(text: str) -> int:
    from threads.text import zlacker

    return zlacker.decode_ref(text)


def test_discussion_page_text_is_the_source_document_byte_for_byte(client, seed, settings):
    response = client.get(f"/discussion?id={post_id('derang+9j1')}&format=txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == SOURCE.read_bytes()


def test_discussion_page_shows_the_chain_with_a_return_link(client, seed):
    op = Comment.objects.get(level=0)
    html = client.get(f"/discussion?id={post_id('AlotOf+D7')}").content.decode()
    assert f'<a class="return" href="/item?id={op.pk}">[return to "We’ve filed' in html
    names = re.findall(r'<a class="name" href="item\?id=\d+">([^<]+)</a>', html)
    assert names == SEED_NAMES[:4]


def test_source_shows_the_raw_text(client, seed):
    pk = post_id("akjetm+D3")
    response = client.get(f"/source?id={pk}")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == Comment.objects.get(pk=pk).text


def test_links_page_lists_only_posts_with_links(client, build):
    thread = build.thread(title="Links")
    op = build.op(thread)
    with_link = build.reply(op, text="See https://example.com/a for more.")
    build.reply(op, text="No link here.")
    html = client.get(f"/links?id={op.pk}").content.decode()
    assert re.findall(r'<article class="post" id="(\d+)"', html) == [str(with_link.pk)]
    assert 'rel="nofollow ugc noopener"' in html


@pytest.mark.parametrize(
    "url, status",
    [
        ("/item?id=abc", 400),
        ("/item?id=", 400),
        ("/item", 400),
        ("/item?id=-3", 400),
        ("/item?id=1e3", 400),
        ("/item?id=99999999999999999999999", 400),
        ("/item?id=999999999", 404),
        ("/discussion?id=", 400),
        ("/discussion?id=999999999", 404),
        ("/source?id=x", 400),
        ("/links?id=999999999", 404),
        ("/?p=0", 400),
        ("/?p=zz", 400),
        ("/no-such-page", 404),
    ],
)
def test_garbage_in_the_url_gives_a_readable_error(client, seed, url, status):
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert "<h1>" in html and ("Not found" in html or "Bad request" in html)


def test_error_messages_say_what_is_wrong_with_the_id(client, build):
    huge = client.get("/item?id=99999999999999999999999").content.decode()
    assert "too large: at most 18 digits" in huge
    thread = build.thread(title="Going away")
    op = build.op(thread)
    thread_remove(thread_id=thread.pk, moderator=UserFactory(), reason="spam")
    gone = client.get(f"/item?id={op.pk}")
    assert gone.status_code == 404
    assert "This thread was removed by a moderator." in gone.content.decode()
    assert "There is no post with id 424242." in client.get("/item?id=424242").content.decode()


def test_a_post_its_author_deleted_is_gone_and_says_so(client, build):
    op = build.op(build.thread(title="Deleted"))
    kept = build.reply(op, text="Kept.")
    reply = build.reply(kept, text="Soon gone.")
    comment_delete(comment_id=reply.pk, user=reply.author)
    for page in ("item", "discussion"):
        gone = client.get(f"/{page}?id={reply.pk}")
        assert gone.status_code == 410
        assert "This post was deleted by its author." in gone.content.decode()
        text = client.get(f"/{page}?id={reply.pk}&format=txt")
        assert (text.status_code, text.content.decode()) == (
            410,
            "This post was deleted by its author.\n",
        )
    # An opening post deleted before anyone replied takes its thread with it, and says so.
    alone = build.op(build.thread(title="Changed my mind"))
    comment_delete(comment_id=alone.pk, user=alone.author)
    for url in (f"/item?id={alone.pk}", f"/discussion?id={alone.pk}", f"/reply?id={alone.pk}"):
        client.force_login(alone.author)
        gone = client.get(url)
        assert gone.status_code == 410
        assert "This thread was deleted by its author." in gone.content.decode()
        assert "moderator" not in gone.content.decode()
    client.logout()
    # An author's deletion is theirs: no moderator brings the thread back.
    with pytest.raises(ForumError, match="Its author deleted this thread before anyone replied"):
        thread_restore(thread_id=alone.thread_id, moderator=UserFactory(is_staff=True))
    # An opening post deleted after a reply keeps its thread, even once no reply is left to
    # read: the page is its [deleted] head.
    head = build.op(build.thread(title="Left alone"))
    answer = build.reply(head, text="Soon gone too.")
    comment_delete(comment_id=head.pk, user=head.author)
    comment_delete(comment_id=answer.pk, user=answer.author)
    for address in (f"/item?id={head.pk}", f"/item?id={head.pk}&format=txt"):
        shown = client.get(address)
        assert shown.status_code == 200
        assert "[deleted]" in shown.content.decode() and "Soon gone" not in shown.content.decode()
    # A deleted post with replies keeps its place, and so its page.
    build.reply(kept, text="An answer.")
    comment_delete(comment_id=kept.pk, user=kept.author)
    shown = client.get(f"/item?id={kept.pk}")
    assert shown.status_code == 200
    assert "[deleted]" in article(shown.content.decode(), kept.pk)


def test_errors_have_a_text_form_too(client, seed):
    response = client.get("/item?id=abc&format=txt")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "positive whole number" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/newest",
        "/best",
        "/item?id={op}",
        "/item?id={post}",
        "/discussion?id={post}",
        "/links?id={op}",
    ],
)
def test_every_page_has_a_text_form(client, seed, path):
    op = Comment.objects.get(level=0).pk
    url = path.format(op=op, post=post_id("Salgat+R3"))
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}format=txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("zlacker\n\n")


def test_pages_refuse_writes(client, seed):
    assert client.post("/").status_code == 405


@pytest.mark.django_db
def test_thread_page_queries_do_not_grow_with_the_thread(client, build):
    small = thread_page_queries(client, build, 10)
    large = thread_page_queries(client, build, 500)
    assert small == large <= 4


def test_the_csp_header_is_on_every_page(client, seed):
    for url in ["/", "/item?id=1", "/item?id=abc"]:
        csp = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp


def test_the_icon_is_served_where_browsers_look_and_where_pages_link_it(client, seed):
    op = Comment.objects.get(level=0)
    html = client.get(f"/item?id={op.pk}").content.decode()
    linked = re.search(r'<link rel="icon" href="([^"]+)">', html).group(1)
    for url in ["/favicon.ico", linked]:
        icon = client.get(url)
        assert icon.status_code == 200, url
        assert b"".join(icon.streaming_content)[:4] == b"\0\0\1\0"
