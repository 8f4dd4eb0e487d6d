"""Lists across the forum, as on Hacker News: newest comments, threads from a site, a user's
favorites and the threads a reader hid."""

import pytest

from tests.factories import UserFactory
from threads.services.keeping import favorite_add
from threads.services.moderation import comment_remove, thread_remove


@pytest.fixture
def forum(build):
    """Two threads, one with two replies, one linking to example.com."""
    first = build.thread(title="First thread")
    reply = build.reply(build.op(first), text="older words")
    newer = build.reply(build.op(first), text="newer words")
    linked = build.thread(title="Linked thread", url="https://www.example.com/a")
    return first, reply, newer, linked


# /newcomments


def test_newcomments_lists_the_newest_visible_comments_with_their_thread(client, forum, build):
    first, reply, newer, linked = forum
    gone = build.thread(title="Gone thread")
    hidden = build.reply(build.op(gone), text="in a removed thread")
    thread_remove(thread_id=gone.pk, moderator=UserFactory(), reason="spam")
    removed = build.reply(build.op(linked), text="removed words")
    comment_remove(comment_id=removed.pk, moderator=UserFactory(), reason="spam")
    html = client.get("/newcomments").content.decode()
    assert html.index("newer words") < html.index("older words")
    assert "First thread" in html and hidden.text not in html and "removed words" not in html
    text = client.get("/newcomments?format=txt").content.decode()
    assert text.splitlines()[2] == "newest comments" and 'on: "First thread"' in text
    assert '<a href="/newcomments">comments</a>' in html


def test_newcomments_is_paged(client, build, settings):
    op = build.op(build.thread(title="Busy"))
    for n in range(31):
        build.reply(op, text=f"reply number {n}")
    first = client.get("/newcomments").content.decode()
    assert "reply number 30" in first and "reply number 0<" not in first
    assert 'href="?p=2"' in first
    assert "reply number 0" in client.get("/newcomments?p=2").content.decode()


# /from?site=


def test_the_site_after_a_title_lists_every_thread_from_it(client, forum, build):
    first, reply, newer, linked = forum
    build.thread(title="Same site again", url="http://example.com")
    build.thread(title="Lookalike site", url="https://example.com.evil.org/x")
    front = client.get("/").content.decode()
    assert '(<a href="/from?site=example.com">example.com</a>)' in front
    html = client.get("/from?site=example.com").content.decode()
    assert "Linked thread" in html and "Same site again" in html
    assert "Lookalike site" not in html and "First thread" not in html
    text = client.get("/from?site=example.com&format=txt").content.decode()
    assert "threads from example.com" in text and "Linked thread" in text


def test_a_site_that_is_no_host_name_is_refused(client):
    for site in ("", "a b", "exa$mple.com", "x" * 300, "a..b"):
        answer = client.get("/from", {"site": site})
        assert answer.status_code == 400 and "?site=example.com" in answer.content.decode()


# Favorites


def test_a_reader_favorites_a_thread_and_a_post_and_anyone_sees_them(client, forum, user):
    first, reply, newer, linked = forum
    client.force_login(user)
    op_html = client.get(f"/item?id={first.op_id}").content.decode()
    assert f'href="/fave?id={first.op_id}">favorite</a>' in op_html
    # A post offers [favorite] on its own page, and on the thread page once reached (vote.js).
    reply_html = client.get(f"/item?id={reply.pk}").content.decode()
    assert f'<a class="fave" href="fave?id={reply.pk}">favorite</a>' in reply_html
    assert 'data-fave="/fave?id="' in op_html
    confirm = client.get(f"/fave?id={reply.pk}").content.decode()
    assert 'method="post"' in confirm and "Add to your favorites" in confirm
    assert client.post(f"/fave?id={reply.pk}").status_code == 302
    client.post(f"/fave?id={first.op_id}")
    client.post(f"/fave?id={first.op_id}")  # again: still one favorite
    client.logout()
    threads = client.get(f"/favorites?id={user.username}").content.decode()
    assert threads.count("First thread") == 1 and "un-favorite" not in threads
    comments = client.get(f"/favorites?id={user.username}&comments=t").content.decode()
    assert "older words" in comments and "newer words" not in comments
    text = client.get(f"/favorites?id={user.username}&format=txt").content.decode()
    assert f"{user.username}'s favorite threads" in text and "First thread" in text


def test_un_favorite_takes_it_out(client, forum, user):
    first, reply, newer, linked = forum
    favorite_add(user=user, comment_id=reply.pk)
    client.force_login(user)
    listed = client.get(f"/favorites?id={user.username}&comments=t").content.decode()
    assert f"/fave?id={reply.pk}&amp;un=t" in listed
    client.post(f"/fave?id={reply.pk}&un=t")
    listed = client.get(f"/favorites?id={user.username}&comments=t").content.decode()
    assert "older words" not in listed


def test_favoriting_needs_a_login_and_a_shown_post(client, forum, user):
    first, reply, newer, linked = forum
    answer = client.post(f"/fave?id={reply.pk}")
    assert answer.status_code == 302 and "/login" in answer["Location"]
    comment_remove(comment_id=reply.pk, moderator=UserFactory(), reason="spam")
    client.force_login(user)
    answer = client.post(f"/fave?id={reply.pk}")
    assert answer.status_code == 409 and "cannot be kept" in answer.content.decode()
    assert client.post("/fave?id=987654").status_code == 404


# Hiding


def test_a_hidden_thread_leaves_only_that_readers_lists_until_un_hidden(client, forum, user):
    first, reply, newer, linked = forum
    client.force_login(user)
    assert f'href="/hide?id={first.op_id}&amp;goto=/"' in client.get("/").content.decode()
    answer = client.post(f"/hide?id={first.op_id}", {"goto": "/"})
    assert answer.status_code == 302 and answer["Location"] == "/"
    for page in ("/", "/newest", "/best"):
        html = client.get(page).content.decode()
        assert "First thread" not in html and "Linked thread" in html
    hidden = client.get("/hidden").content.decode()
    assert "First thread" in hidden and f"/hide?id={first.op_id}&amp;un=t" in hidden
    client.logout()
    assert "First thread" in client.get("/").content.decode()
    client.force_login(user)
    client.post(f"/hide?id={first.op_id}&un=t")
    assert "First thread" in client.get("/").content.decode()
    assert "First thread" not in client.get("/hidden").content.decode()


def test_only_threads_are_hidden_and_hidden_needs_a_login(client, forum, user):
    first, reply, newer, linked = forum
    assert client.get("/hidden").status_code == 302
    client.force_login(user)
    answer = client.post(f"/hide?id={reply.pk}")
    assert answer.status_code == 400 and "Only a thread is hidden" in answer.content.decode()


def test_what_would_be_refused_is_refused_before_the_click(client, forum, user):
    first, reply, newer, linked = forum
    comment_remove(comment_id=newer.pk, moderator=UserFactory(), reason="spam")
    client.force_login(user)
    assert client.get(f"/fave?id={newer.pk}").status_code == 409
    assert client.get(f"/hide?id={reply.pk}").status_code == 400
    assert client.get(f"/fave?id={reply.pk}").status_code == 200


def test_a_hidden_thread_stays_off_its_sites_list_and_shows_un_hide_in_favorites(
    client, forum, user
):
    first, reply, newer, linked = forum
    client.force_login(user)
    client.post(f"/fave?id={linked.op_id}")
    client.post(f"/hide?id={linked.op_id}")
    assert "Linked thread" not in client.get("/from?site=example.com").content.decode()
    favorites = client.get(f"/favorites?id={user.username}").content.decode()
    assert f"/hide?id={linked.op_id}&amp;un=t" in favorites


def test_a_site_written_in_another_script_has_its_list(client, build):
    build.thread(title="Books", url="https://bücher.de/x")
    page = client.get("/from?site=bücher.de")
    assert page.status_code == 200 and "Books" in page.content.decode()


def test_favorites_keep_the_users_own_case(client, db):
    owner = UserFactory(username="McBob")
    assert (
        "McBob&#x27;s favorite threads"
        in client.get(f"/favorites?id={owner.username}").content.decode()
    )


def test_fave_and_hide_answer_scripts_and_offer_to_take_back_what_is_kept(client, forum, user):
    first, reply, *_ = forum
    client.force_login(user)
    json = {"accept": "application/json"}
    kept = client.post(f"/fave?id={reply.pk}", headers=json).json()
    assert kept == {"id": reply.pk, "kind": "fave", "kept": True}
    confirm = client.get(f"/fave?id={reply.pk}").content.decode()
    assert "Add to your favorites" not in confirm and "Take out of your favorites" in confirm
    assert f'action="/fave?id={reply.pk}&amp;un=t"' in confirm
    hidden = client.post(f"/hide?id={first.op_id}", headers=json).json()
    assert hidden == {"id": first.op_id, "kind": "hide", "kept": True}
    assert "Bring back to your lists" in client.get(f"/hide?id={first.op_id}").content.decode()
    page = client.get(f"/item?id={first.op_id}").content.decode()
    assert f'data-faved="{reply.pk}" data-hidden="1"' in page
    dropped = client.post(f"/fave?id={reply.pk}&un=t", headers=json).json()
    assert dropped["kept"] is False
    assert "Add to your favorites" in client.get(f"/fave?id={reply.pk}").content.decode()
