"""Who may do what: pages offer only what the services allow; the services refuse the rest."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from forum.accounts.models import User
from forum.exceptions import ForumError
from tests.documents import article
from tests.factories import UserFactory
from threads.core import policies
from threads.models import Ban, Comment, ModerationAction, Thread
from threads.services.bans import user_ban
from threads.services.keeping import favorite_add
from threads.services.moderation import (
    comment_flag,
    comment_remove,
    comment_restore,
    thread_lock,
    thread_remove,
)
from threads.services.posting import comment_delete, comment_edit, comment_reply, thread_create
from threads.services.profiles import profile_update


@pytest.fixture
def talk(build):
    """A thread: OP > mine > theirs; `me` wrote `mine`."""
    me = UserFactory(username="me")
    thread = build.thread(title="Talk", text="Opening words.")
    op = build.op(thread)
    mine = build.reply(op, text="My words.", author=me)
    theirs = build.reply(mine, text="Their words.")
    return thread, op, mine, theirs, me


def up_arrows(html: str, post: Comment) -> list[str]:
    return re.findall(rf'href="/?vote\?id={post.pk}&amp;how=up"', html)


def flag_links(html: str, post: Comment) -> list[str]:
    return re.findall(rf'href="/?flag\?id={post.pk}"', html)


def reply_links(html: str, post: Comment) -> list[str]:
    return re.findall(rf'href="/?reply\?id={post.pk}"', html)


# What the pages offer


def test_no_up_arrow_on_ones_own_post_on_the_reply_and_delete_pages(client, talk):
    *_, mine, theirs, me = talk
    client.force_login(me)
    for url in (f"/reply?id={mine.pk}", f"/delete?id={mine.pk}"):
        html = client.get(url).content.decode()
        assert "My words." in html
        assert up_arrows(html, mine) == [], url
    assert up_arrows(client.get(f"/reply?id={theirs.pk}").content.decode(), theirs)


def test_a_posts_own_pages_offer_only_what_the_reader_may_do(client, talk):
    *_, mine, theirs, me = talk
    client.force_login(me)  # no karma: no downvotes
    for url in (f"/item?id={mine.pk}", f"/discussion?id={mine.pk}"):
        html = client.get(url).content.decode()
        assert up_arrows(html, mine) == [] and flag_links(html, mine) == [], url
        assert f"vote?id={mine.pk}&amp;how=down" not in html, url
    html = client.get(f"/item?id={theirs.pk}").content.decode()
    assert up_arrows(html, theirs) and flag_links(html, theirs)
    assert f"vote?id={theirs.pk}&amp;how=down" not in html


def test_a_banned_reader_is_offered_no_arrow_and_no_reply_on_any_page(client, talk, moderator):
    thread, op, mine, theirs, me = talk
    client.force_login(me)
    before = client.get(f"/item?id={theirs.pk}").content.decode()
    assert up_arrows(before, theirs) and reply_links(before, theirs)
    user_ban(user=me, moderator=moderator, reason="cool off")
    thread_page = client.get(f"/item?id={op.pk}").content.decode()
    # The thread's arrow is not drawn; the posts' shared arrows are hidden by the style sheet
    # for a reader marked so (with scripts or without), and [reply] is not added to them.
    assert up_arrows(thread_page, op) == []
    assert 'data-no-votes="1"' in thread_page and 'data-reply=""' in thread_page
    assert "body:has(#viewer[data-no-votes]) a.vote { display: none; }" in stylesheet(client)
    for url in (f"/item?id={theirs.pk}", f"/discussion?id={theirs.pk}"):
        html = client.get(url).content.decode()
        assert up_arrows(html, theirs) == [] and reply_links(html, theirs) == [], url
        assert 'data-no-votes="1"' in html and 'data-reply=""' in html, url
    assert client.get(f"/reply?id={theirs.pk}").status_code == 403
    front = client.get("/").content.decode()
    assert 'data-no-votes="1"' in front


def stylesheet(client) -> str:
    answer = client.get("/static/style.css")
    return b"".join(answer.streaming_content if answer.streaming else [answer.content]).decode()


def test_no_flag_link_on_ones_own_post_or_one_already_flagged(client, talk):
    thread, op, mine, theirs, me = talk
    client.force_login(me)
    assert flag_links(client.get(f"/reply?id={mine.pk}").content.decode(), mine) == []
    assert flag_links(client.get(f"/reply?id={theirs.pk}").content.decode(), theirs)
    comment_flag(comment_id=theirs.pk, user=me, reason="spam")
    assert flag_links(client.get(f"/reply?id={theirs.pk}").content.decode(), theirs) == []
    # The thread's shared HTML has no [flag] of its posts; the page tells vote.js which posts
    # not to offer it for when it adds it, and which to hide it on where a page shows it.
    page = client.get(f"/item?id={op.pk}").content.decode()
    assert f'data-flagged="{theirs.pk}"' in page
    assert f'data-own="{mine.pk}:1"' in page
    assert f'data-editable="{mine.pk}"' in page and f'data-deletable="{mine.pk}"' in page
    # The opening post's [flag] is drawn for this reader alone.
    client.force_login(thread.author)
    assert flag_links(client.get(f"/item?id={op.pk}").content.decode(), op) == []
    client.force_login(UserFactory())
    assert flag_links(client.get(f"/item?id={op.pk}").content.decode(), op)


def test_the_flag_page_refuses_what_the_flag_would(client, talk):
    *_, mine, theirs, me = talk
    client.force_login(me)
    assert client.get(f"/flag?id={mine.pk}").status_code == 403
    comment_flag(comment_id=theirs.pk, user=me, reason="spam")
    assert client.get(f"/flag?id={theirs.pk}").status_code == 409


def test_a_flag_sent_without_a_reason_hears_first_why_it_cannot_be_flagged_at_all(client, talk):
    thread, op, mine, theirs, me = talk
    client.force_login(me)
    own = client.post(f"/flag?id={mine.pk}", {})
    assert own.status_code == 403
    assert "You cannot flag your own post." in own.content.decode()
    other = client.post(f"/flag?id={theirs.pk}", {})
    assert other.status_code == 400
    assert "This field is required." in other.content.decode()
    assert not theirs.flags.exists()


def test_no_reply_link_in_a_locked_thread_on_the_reply_page_or_in_the_inbox(
    client, talk, moderator
):
    thread, op, mine, theirs, me = talk
    client.force_login(me)
    assert reply_links(client.get("/replies").content.decode(), theirs)
    thread_lock(thread_id=thread.pk, moderator=moderator)
    response = client.get(f"/reply?id={theirs.pk}")
    assert response.status_code == 403
    html = response.content.decode()
    assert "This thread is locked" in html
    assert reply_links(html, theirs) == []
    inbox = client.get("/replies").content.decode()
    assert "Their words." in inbox
    assert reply_links(inbox, theirs) == []


def test_the_vote_page_refuses_a_second_vote_and_offers_none(client, talk):
    *_, theirs, me = talk
    client.force_login(me)
    response = client.get(f"/vote?id={theirs.pk}&how=up")
    assert response.status_code == 200 and "vote up" in response.content.decode()
    client.post(f"/vote?id={theirs.pk}&how=up")
    again = client.get(f"/vote?id={theirs.pk}&how=up")
    assert again.status_code == 409
    assert "You have already voted on this post." in again.content.decode()
    assert "vote-confirm" not in again.content.decode()
    assert client.get(f"/vote?id={theirs.pk}&how=un").status_code == 200


# What the services check themselves


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the text is empty"), (" \n\n ", "the text is empty"), ("a\x00b", "NUL")],
)
def test_a_reply_checks_its_own_text(talk, text, message):
    _, op, *_ = talk
    posts = Comment.objects.count()
    with pytest.raises(ForumError, match=message):
        comment_reply(parent_id=op.pk, author=UserFactory(), text=text)
    assert Comment.objects.count() == posts


def test_a_reply_stores_its_text_as_checked(talk):
    _, op, *_ = talk
    reply = comment_reply(parent_id=op.pk, author=UserFactory(), text="\n\nhi\r\n  ")
    assert reply.text == "hi"


@pytest.mark.parametrize(
    ("title", "text", "message"),
    [("", "", "Please give a title."), ("x" * 81, "", "at most 80"), ("Fine", "\x00", "NUL")],
)
def test_a_new_thread_checks_its_own_title_and_text(db, title, text, message):
    with pytest.raises(ForumError, match=message):
        thread_create(author=UserFactory(), title=title, text=text)
    assert not Thread.objects.exists()


def test_restore_brings_back_only_what_a_moderator_removed_or_flags_hid(talk, moderator, settings):
    settings.FORUM_FLAGS_TO_HIDE = 1
    _, op, mine, theirs, me = talk
    comment_delete(comment_id=theirs.pk, user=theirs.author)
    with pytest.raises(ForumError, match="deleted by its author") as refused:
        comment_restore(comment_id=theirs.pk, moderator=moderator)
    assert refused.value.status == 403
    with pytest.raises(ForumError, match="nothing to restore") as refused:
        comment_restore(comment_id=mine.pk, moderator=moderator)
    assert refused.value.status == 409
    assert not ModerationAction.objects.filter(kind=ModerationAction.Kind.RESTORE).exists()
    comment_flag(comment_id=mine.pk, user=UserFactory(), reason="spam")
    comment_restore(comment_id=mine.pk, moderator=moderator, reason="the flags were wrong")
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == Comment.State.VISIBLE
    assert theirs.state == Comment.State.DELETED


def test_a_ban_stops_edits_deletes_and_profile_changes(client, talk, moderator):
    *_, mine, _, me = talk
    user_ban(user=me, moderator=moderator, reason="cool off")
    for write in (
        lambda: comment_edit(comment_id=mine.pk, editor=me, text="changed"),
        lambda: comment_delete(comment_id=mine.pk, user=me),
        lambda: profile_update(user=me, about="changed", email="me@example.org"),
    ):
        with pytest.raises(ForumError, match="banned"):
            write()
    client.force_login(me)
    assert client.get(f"/edit?id={mine.pk}").status_code == 403
    response = client.post("/user?id=me", {"about": "changed", "email": "me@example.org"})
    assert response.status_code == 403
    me.refresh_from_db()
    mine.refresh_from_db()
    assert me.about == "" and mine.text == "My words." and mine.state == Comment.State.VISIBLE


def test_edits_in_a_locked_thread_are_refused(client, talk, moderator):
    thread, _, mine, _, me = talk
    thread_lock(thread_id=thread.pk, moderator=moderator)
    with pytest.raises(ForumError, match="locked"):
        comment_edit(comment_id=mine.pk, editor=me, text="changed")
    client.force_login(me)
    assert client.get(f"/edit?id={mine.pk}").status_code == 403
    assert f'href="/edit?id={mine.pk}"' not in client.get(f"/item?id={mine.pk}").content.decode()


def test_a_reader_not_logged_in_is_refused_nothing_before_logging_in(talk):
    _, op, *_ = talk
    assert policies.post_refusal(AnonymousUser()) is None
    assert policies.replies_closed(op) is None


# The admin: refusals are messages, derived fields stay as the services wrote them


def test_dismissing_the_flags_of_a_post_in_a_removed_thread_is_reported(client, talk, moderator):
    thread, _, _, theirs, _ = talk
    comment_flag(comment_id=theirs.pk, user=UserFactory(), reason="spam")
    client.force_login(moderator)
    assert "Their words." in client.get("/admin/threads/flaggedcomment/").content.decode()
    thread_remove(thread_id=thread.pk, moderator=moderator, reason="spam")
    assert "Their words." not in client.get("/admin/threads/flaggedcomment/").content.decode()
    response = client.post(
        "/admin/threads/flaggedcomment/",
        {"action": "dismiss", "_selected_action": [str(theirs.pk)]},
        follow=True,
    )
    assert response.status_code == 200


def test_lifting_a_ban_in_the_admin_reports_what_was_done(client, talk, moderator):
    *_, me = talk
    ban = user_ban(user=me, moderator=moderator, reason="cool off")
    client.force_login(moderator)
    data = {"action": "lift", "_selected_action": [str(ban.pk)], "apply": "1"}
    response = client.post("/admin/threads/ban/", data, follow=True)
    assert response.status_code == 200
    assert "Lift bans: 1 of 1 done." in response.content.decode()
    assert policies.post_refusal(me) is None
    again = client.post("/admin/threads/ban/", data, follow=True)
    assert again.status_code == 200
    assert "was lifted already" in again.content.decode()
    assert Ban.objects.filter(lifted_at__isnull=False).count() == 1


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")


@pytest.mark.parametrize("who", ["moderator", "superuser"])
def test_no_one_edits_what_a_post_derives_in_the_admin(client, talk, who, request):
    *_, theirs, _ = talk
    client.force_login(request.getfixturevalue(who))
    url = f"/admin/threads/comment/{theirs.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    # Its page is the moderation page: the actions' fields (its thread's title among them),
    # none of the post's own.
    fields = re.findall(
        r'<(?:input|textarea|select)[^>]+name="(?!csrf)(\w+)"', page.content.decode()
    )
    assert set(fields) <= {"do", "reason", "new_parent", "duration", "remove_posts", "title"}
    response = client.post(url, {"points": "1000", "parent_author": "1", "text": "spam"})
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert (theirs.points, theirs.text) == (1, "Their words.")


def test_the_flag_queue_has_no_change_form(client, talk, moderator):
    *_, theirs, _ = talk
    comment_flag(comment_id=theirs.pk, user=UserFactory(), reason="spam")
    client.force_login(moderator)
    url = f"/admin/threads/flaggedcomment/{theirs.pk}/change/"
    response = client.post(url, {"text": "spam", "points": "1000", "state": "visible"})
    assert response.status_code in (302, 403, 404)
    theirs.refresh_from_db()
    assert (theirs.points, theirs.text) == (1, "Their words.")


def test_karma_is_read_only_in_the_user_admin(client, superuser, talk):
    *_, me = talk
    client.force_login(superuser)
    url = f"/admin/accounts/user/{me.pk}/change/"
    assert 'name="karma"' not in client.get(url).content.decode()


def test_a_title_changed_in_the_admin_renews_the_page_and_is_logged(client, talk, moderator):
    thread, *_ = talk
    version = thread.version
    client.force_login(moderator)
    response = client.post(
        f"/admin/threads/thread/{thread.pk}/change/",
        {"do": "retitle", "title": " Renamed ", "reason": "clearer"},
    )
    assert response.status_code == 302
    thread.refresh_from_db()
    assert thread.title == "Renamed" and thread.version > version
    assert ModerationAction.objects.filter(kind=ModerationAction.Kind.RETITLE).exists()


def test_own_posts_are_marked_editable_only_while_the_policies_allow(client, talk, moderator):
    thread, op, mine, theirs, me = talk
    client.force_login(me)
    Comment.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(hours=3))
    page = client.get(f"/item?id={op.pk}").content.decode()
    assert 'data-editable=""' in page and f'data-deletable="{mine.pk}"' in page
    thread_lock(thread_id=thread.pk, moderator=moderator)
    Comment.objects.filter(pk=mine.pk).update(created_at=timezone.now())
    page = client.get(f"/item?id={op.pk}").content.decode()
    assert 'data-editable=""' in page


def test_a_ban_stops_unvotes_favorites_hides_and_flag_withdrawals(client, talk, moderator):
    """Every write: a banned member took back votes and kept favorites and hides before."""
    from threads.models import Favorite, Flag, HiddenThread, Vote
    from threads.services.keeping import (
        favorite_add,
        favorite_remove,
        thread_hide,
        thread_unhide,
    )
    from threads.services.moderation import flag_withdraw
    from threads.services.votes import comment_vote, vote_withdraw

    _thread, op, _mine, theirs, me = talk
    comment_vote(comment_id=theirs.pk, user=me, direction="up")
    favorite_add(user=me, comment_id=op.pk)
    thread_hide(user=me, op_id=op.pk)
    comment_flag(comment_id=theirs.pk, user=me, reason="spam")
    user_ban(user=me, moderator=moderator, reason="cool off")
    for write in (
        lambda: vote_withdraw(comment_id=theirs.pk, user=me),
        lambda: favorite_add(user=me, comment_id=theirs.pk),
        lambda: favorite_remove(user=me, comment_id=op.pk),
        lambda: thread_hide(user=me, op_id=op.pk),
        lambda: thread_unhide(user=me, op_id=op.pk),
        lambda: flag_withdraw(comment_id=theirs.pk, user=me),
    ):
        with pytest.raises(ForumError, match="banned"):
            write()
    client.force_login(me)
    for url in (
        f"/vote?id={theirs.pk}&how=un",
        f"/fave?id={theirs.pk}",
        f"/fave?id={op.pk}&un=t",
        f"/hide?id={op.pk}",
        f"/hide?id={op.pk}&un=t",
    ):
        asked = client.get(url)
        assert asked.status_code == 403 and "banned" in asked.content.decode(), url
        assert client.post(url).status_code == 403, url
    assert client.post(f"/unflag?id={theirs.pk}").status_code == 403
    assert Vote.objects.filter(user=me).count() == 1
    assert Favorite.objects.filter(user=me).count() == 1
    assert HiddenThread.objects.filter(user=me).count() == 1
    assert Flag.objects.filter(user=me).count() == 1


def test_a_banned_members_thread_page_offers_no_favorite(client, talk, moderator):
    _thread, op, _mine, theirs, me = talk
    user_ban(user=me, moderator=moderator, reason="cool off")
    client.force_login(me)
    html = client.get(f"/item?id={theirs.pk}").content.decode()
    assert f'href="/fave?id={theirs.pk}"' not in html
    assert f'/fave?id={op.pk}"' not in client.get(f"/item?id={op.pk}").content.decode()


def test_a_post_drawn_with_its_actions_says_it_is_a_favorite_on_every_page_that_draws_it(
    client, talk
):
    thread, op, mine, theirs, me = talk
    favorite_add(user=me, comment_id=theirs.pk)
    client.force_login(me)
    for address in (f"/item?id={theirs.pk}", f"/discussion?id={theirs.pk}"):
        html = article(client.get(address).content.decode(), theirs.pk)
        assert f'fave?id={theirs.pk}&amp;un=t">un-favorite</a>' in html, address
    # A post readers cannot see is offered no [favorite]: the service would refuse it.
    comment_remove(comment_id=theirs.pk, moderator=UserFactory(is_staff=True), reason="rude")
    client.force_login(UserFactory())
    html = article(client.get(f"/discussion?id={theirs.pk}").content.decode(), theirs.pk)
    assert "favorite</a>" not in html


def test_a_thread_whose_opening_post_is_deleted_offers_no_favorite_or_hide(client, talk):
    thread, op, mine, theirs, me = talk
    comment_delete(comment_id=op.pk, user=op.author)  # it has replies: the thread stays
    for reader in (None, me):
        if reader:
            client.force_login(reader)
        tools = re.search(
            r'<nav class="tools".*?</nav>', client.get(f"/item?id={op.pk}").content.decode()
        )
        assert "favorite</a>" not in tools.group(0) and "hide</a>" not in tools.group(0)
