"""Moderation: who may do what in the admin, and what each action does to the public pages."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from forum.exceptions import ForumError
from tests.factories import UserFactory
from threads.core import tree_check
from threads.models import Ban, Comment, Flag, ModerationAction, Thread
from threads.services.bans import user_ban, user_unban
from threads.services.moderation import (
    comment_flag,
    comment_move,
    comment_remove,
    comment_restore,
    flag_withdraw,
    flags_dismiss,
    thread_lock,
    thread_pin,
    thread_remove,
    thread_restore,
    thread_retitle,
    thread_unlock,
    thread_unpin,
)
from threads.services.posting import comment_delete, comment_reply, thread_create


@pytest.fixture
def tree(build):
    """A thread: OP > a > (b > c), d."""
    thread = build.thread(title="Moderated thread")
    op = build.op(thread)
    a = build.reply(op, text="post a")
    b = build.reply(a, text="post b")
    c = build.reply(b, text="post c")
    d = build.reply(op, text="post d")
    return thread, op, a, b, c, d


def assert_tree_valid(thread: Thread) -> None:
    thread.refresh_from_db()
    assert tree_check.thread_problems(thread) == []


def admin_action(client, model: str, action: str, ids, **form):
    data = {"action": action, "_selected_action": [str(pk) for pk in ids], "apply": "1", **form}
    return client.post(f"/admin/threads/{model}/", data)


def thread_html(client, thread) -> str:
    op = Comment.objects.get(tree_id=thread.pk, level=0)
    return client.get(f"/item?id={op.pk}").content.decode()


# Who may do what


@pytest.mark.parametrize(
    "url",
    [
        "/admin/threads/comment/",
        "/admin/threads/thread/",
        "/admin/threads/flaggedcomment/",
        "/admin/threads/ban/",
        "/admin/threads/ban/add/",
        "/admin/threads/moderationaction/",
    ],
)
def test_a_moderator_opens_the_moderation_pages(mod_client, tree, url):
    assert mod_client.get(url).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        "/admin/accounts/user/",
        "/admin/accounts/user/1/change/",
        "/admin/auth/permission/",
    ],
)
def test_a_moderator_cannot_touch_users_groups_or_permissions(mod_client, url):
    assert mod_client.get(url).status_code in (403, 404)


def test_a_plain_staff_user_cannot_moderate(client, tree):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/threads/comment/").status_code == 403
    response = admin_action(client, "comment", "remove", [tree[2].pk], reason="x")
    assert response.status_code == 403
    assert Comment.objects.get(pk=tree[2].pk).state == Comment.State.VISIBLE


def test_a_normal_user_gets_no_admin(client, user, tree):
    client.force_login(user)
    response = client.get("/admin/threads/comment/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# Posts


def test_removing_a_post_leaves_a_placeholder_and_logs_it(mod_client, client, tree):
    thread, op, a, b, c, d = tree
    response = admin_action(mod_client, "comment", "remove", [b.pk], reason="personal attack")
    assert response.status_code == 302
    html = thread_html(client, thread)
    article = re.search(rf'<article class="post gone" id="{b.pk}".*?</article>', html, re.S)
    assert article and "[removed by moderator]" in article.group(0)
    assert "post b" not in html and "post c" in html
    assert_tree_valid(thread)
    log = client.get("/modlog").content.decode()
    assert "mod removed a post" in log and "personal attack" in log and b.name in log


def test_the_author_of_a_removed_post_sees_the_reason(client, tree):
    thread, op, a, b, c, d = tree
    comment_remove(comment_id=b.pk, moderator=UserFactory(), reason="off topic")
    assert "off topic" not in client.get(f"/item?id={b.pk}").content.decode()
    client.force_login(b.author)
    html = client.get(f"/item?id={b.pk}").content.decode()
    assert "Your post was removed by a moderator. Reason: off topic" in html


def test_restoring_a_post_shows_it_again(mod_client, client, tree):
    b = tree[3]
    comment_remove(comment_id=b.pk, moderator=UserFactory(), reason="oops")
    admin_action(mod_client, "comment", "restore", [b.pk], reason="")
    assert "post b" in thread_html(client, tree[0])
    assert ModerationAction.objects.filter(kind="restore").exists()


def test_a_removed_post_accepts_no_replies(tree):
    b = tree[3]
    comment_remove(comment_id=b.pk, moderator=UserFactory(), reason="off topic")
    with pytest.raises(ForumError, match="removed by a moderator"):
        comment_reply(parent_id=b.pk, author=UserFactory(), text="hello")
    assert not Comment.objects.filter(parent=b).exclude(pk=tree[4].pk).exists()


def test_remove_and_ban_the_author(mod_client, tree):
    b = tree[3]
    response = admin_action(
        mod_client, "comment", "remove_and_ban", [b.pk], reason="spam", duration="7"
    )
    assert response.status_code == 302
    assert Comment.objects.get(pk=b.pk).state == Comment.State.REMOVED
    ban = Ban.objects.get(user=b.author)
    assert ban.reason == "spam" and ban.expires_at is not None
    with pytest.raises(ForumError, match=r"banned from posting until .* spam"):
        comment_reply(parent_id=tree[1].pk, author=b.author, text="again")


def test_the_opening_post_is_removed_with_its_thread(tree):
    with pytest.raises(ForumError, match="remove the thread"):
        comment_remove(comment_id=tree[1].pk, moderator=UserFactory(), reason="spam")


# Threads


def test_lock_refuses_replies_and_says_so(mod_client, client, tree):
    thread, op = tree[0], tree[1]
    admin_action(mod_client, "thread", "lock", [thread.pk], reason="heated")
    assert "This thread is locked: it accepts no new replies." in thread_html(client, thread)
    with pytest.raises(ForumError, match="locked"):
        comment_reply(parent_id=op.pk, author=UserFactory(), text="late")
    admin_action(mod_client, "thread", "unlock", [thread.pk], reason="")
    comment_reply(parent_id=op.pk, author=UserFactory(), text="on time")
    kinds = list(ModerationAction.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["lock", "unlock"]


def test_a_pinned_thread_is_on_top_of_the_front_page(mod_client, client, build, tree):
    thread = tree[0]
    build.thread(title="Newer and busier")
    assert client.get("/").content.decode().index("Newer and busier") < client.get(
        "/"
    ).content.decode().index("Moderated thread")
    admin_action(mod_client, "thread", "pin", [thread.pk], reason="")
    html = client.get("/").content.decode()
    assert html.index("Moderated thread") < html.index("Newer and busier")


def test_removing_a_thread_takes_it_off_the_site(mod_client, client, tree):
    thread, op = tree[0], tree[1]
    admin_action(mod_client, "thread", "remove", [thread.pk], reason="duplicate")
    assert "Moderated thread" not in client.get("/").content.decode()
    assert client.get(f"/item?id={op.pk}").status_code == 404
    admin_action(mod_client, "thread", "restore", [thread.pk], reason="")
    assert client.get(f"/item?id={op.pk}").status_code == 200


def test_a_moderator_edits_a_title(mod_client, client, tree):
    thread = tree[0]
    url = f"/admin/threads/thread/{thread.pk}/change/"
    form = {"do": "retitle", "title": "A clearer title", "reason": "vague"}
    response = mod_client.post(url, form)
    assert response.status_code == 302
    assert "A clearer title" in thread_html(client, thread)
    assert ModerationAction.objects.filter(kind="retitle").exists()


@pytest.mark.parametrize(
    ("service", "message"),
    [
        (thread_lock, "This thread is locked already."),
        (thread_unlock, "This thread is not locked: there is nothing to unlock."),
        (thread_pin, "This thread is pinned already."),
        (thread_unpin, "This thread is not pinned: there is nothing to unpin."),
        (thread_remove, "This thread is removed already."),
        (thread_restore, "This thread is not removed: there is nothing to restore."),
    ],
)
def test_a_thread_change_that_changes_nothing_is_refused_and_not_logged(
    tree, moderator, service, message
):
    thread = tree[0]
    # Lock, pin and remove find it done once done; unlock, unpin and restore find it so at once.
    if service.__name__ in ("thread_lock", "thread_pin", "thread_remove"):
        service(thread_id=thread.pk, moderator=moderator, reason="spam")
    logged = ModerationAction.objects.count()
    with pytest.raises(ForumError) as refused:
        service(thread_id=thread.pk, moderator=moderator, reason="again")
    assert (str(refused.value), refused.value.status) == (message, 409)
    assert ModerationAction.objects.count() == logged


def test_retitling_to_the_same_title_is_refused_and_not_logged(tree, moderator):
    with pytest.raises(ForumError, match='titled "Moderated thread" already') as refused:
        thread_retitle(
            thread_id=tree[0].pk, moderator=moderator, title="Moderated thread", reason="same"
        )
    assert refused.value.status == 409 and not ModerationAction.objects.exists()


@pytest.mark.parametrize(
    ("service", "message"),
    [
        (comment_remove, "This post is already removed."),
        (comment_restore, "This post is not removed or hidden"),
    ],
)
def test_a_post_change_that_changes_nothing_is_refused_and_not_logged(
    tree, moderator, service, message
):
    b = tree[3]
    if service is comment_remove:
        comment_remove(comment_id=b.pk, moderator=moderator, reason="spam")
    logged = ModerationAction.objects.count()
    with pytest.raises(ForumError, match=message) as refused:
        service(comment_id=b.pk, moderator=moderator, reason="again")
    assert refused.value.status == 409 and ModerationAction.objects.count() == logged


def test_the_admin_reports_a_change_that_changes_nothing(mod_client, tree):
    thread = tree[0]
    admin_action(mod_client, "thread", "lock", [thread.pk], reason="")
    answer = admin_action(mod_client, "thread", "lock", [thread.pk], reason="")
    shown = [str(message) for message in answer.wsgi_request._messages]
    assert shown[-1] == f"Not done for {thread}: This thread is locked already."
    assert not any(message.startswith("Lock threads: 1 of 1") for message in shown[1:])
    assert ModerationAction.objects.filter(kind="lock").count() == 1


# Bans


def test_a_ban_made_in_the_admin_refuses_posting_with_reason_and_date(mod_client, client, tree):
    victim = tree[2].author
    victim.set_password("a-long-user-password")
    victim.save()
    response = mod_client.post(
        "/admin/threads/ban/add/",
        {"username": victim.username.upper(), "reason": "trolling", "duration": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with pytest.raises(ForumError, match=r"until \d{4}-\d\d-\d\d .*trolling"):
        thread_create(author=victim, title="Can I?")
    assert client.login(username=victim.username, password="a-long-user-password")
    assert client.get(f"/item?id={tree[1].pk}").status_code == 200


def test_a_ban_for_good_can_remove_every_post(tree, moderator):
    thread, op, a, b, c, d = tree
    author = b.author
    comment_reply(parent_id=d.pk, author=author, text="another")
    user_ban(user=author, moderator=moderator, reason="spam", remove_posts=True)
    assert set(Comment.objects.filter(author=author).values_list("state", flat=True)) == {"removed"}
    logged = ModerationAction.objects.get(kind=ModerationAction.Kind.REMOVE_ALL)
    assert logged.get_kind_display() == "removed every post of a user"
    assert logged.target == f"every post and thread of {author.username}"
    with pytest.raises(ForumError, match="for good"):
        comment_reply(parent_id=op.pk, author=author, text="x")
    assert_tree_valid(thread)


def test_a_lifted_ban_lets_the_user_post_again(tree, moderator):
    author = tree[2].author
    ban = user_ban(user=author, moderator=moderator, reason="cool off")
    user_unban(ban_id=ban.pk, moderator=moderator)
    comment_reply(parent_id=tree[1].pk, author=author, text="back")


def test_a_second_ban_is_refused_and_lifting_the_first_lets_the_user_post(tree, moderator):
    author = tree[2].author
    until = timezone.now() + timedelta(days=7)
    ban = user_ban(user=author, moderator=moderator, reason="spam", expires_at=until)
    with pytest.raises(ForumError) as refused:
        user_ban(user=author, moderator=moderator, reason="again")
    assert refused.value.status == 409
    assert str(refused.value) == f"{author.username} is already banned {ban.until}."
    assert Ban.objects.filter(user=author).count() == 1
    assert ModerationAction.objects.filter(kind=ModerationAction.Kind.BAN).count() == 1
    user_unban(ban_id=ban.pk, moderator=moderator)
    comment_reply(parent_id=tree[1].pk, author=author, text="back")


def test_the_ban_form_refuses_a_user_banned_already(mod_client, tree, moderator):
    author = tree[2].author
    user_ban(user=author, moderator=moderator, reason="spam")
    response = mod_client.post(
        "/admin/threads/ban/add/", {"username": author.username, "reason": "x", "duration": "1"}
    )
    assert f"{author.username} is already banned for good." in response.content.decode()
    assert Ban.objects.filter(user=author).count() == 1


def test_remove_and_ban_removes_the_post_of_an_author_banned_already(mod_client, tree, moderator):
    b = tree[3]
    user_ban(user=b.author, moderator=moderator, reason="spam")
    answer = admin_action(mod_client, "comment", "remove_and_ban", [b.pk], reason="x", duration="1")
    assert [str(m) for m in answer.wsgi_request._messages][-1].endswith(": 1 of 1 done.")
    assert Comment.objects.get(pk=b.pk).state == Comment.State.REMOVED
    assert Ban.objects.filter(user=b.author).count() == 1


def test_unknown_user_in_the_ban_form_is_an_error(mod_client):
    response = mod_client.post(
        "/admin/threads/ban/add/", {"username": "nobody", "reason": "x", "duration": "1"}
    )
    assert response.status_code == 200
    assert "There is no user named nobody." in response.content.decode()
    assert not Ban.objects.exists()


# Flags


def flag(client, post, reason="spam"):
    return client.post(f"/flag?id={post.pk}", {"reason": reason})


def test_a_reader_flags_a_post_once_and_a_repeated_flag_lands_on_the_post(client, tree):
    b = tree[3]
    client.force_login(UserFactory())
    first = flag(client, b)
    assert first.status_code == 302
    second = flag(client, b)  # the form posted again (Back, reload)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Flag.objects.filter(comment=b).count() == 1
    again = client.get(f"/flag?id={b.pk}")
    assert again.status_code == 409 and "You have flagged this already." in again.content.decode()


def test_after_a_flag_the_post_says_so_and_the_flag_can_be_taken_back(client, tree):
    b = tree[3]
    client.force_login(UserFactory())
    landed = client.get(flag(client, b)["Location"]).content.decode()
    assert "You flagged this post: the moderators will look at it." in landed
    assert "You flagged this post." in landed
    assert f'action="/unflag?id={b.pk}"' in landed
    taken_back = client.post(f"/unflag?id={b.pk}")
    assert taken_back["Location"] == f"/item?id={b.pk}"
    page = client.get(taken_back["Location"]).content.decode()
    assert "Your flag is withdrawn." in page and "You flagged this post." not in page
    assert not Flag.objects.filter(comment=b).exists()
    op_flagged = client.get(flag(client, tree[1])["Location"]).content.decode()
    assert "You flagged this post." in op_flagged  # the thread page, for its opening post


def test_a_flag_cannot_be_taken_back_once_a_moderator_acted(client, tree, moderator):
    b = tree[3]
    reader = UserFactory()
    comment_flag(comment_id=b.pk, user=reader, reason="spam")
    flags_dismiss(comment_id=b.pk, moderator=moderator, reason="spam")
    client.force_login(reader)
    page = client.get(f"/item?id={b.pk}").content.decode()
    assert "You flagged this post. A moderator has acted on it." in page
    assert "/unflag" not in page
    refused = client.post(f"/unflag?id={b.pk}")
    assert refused.status_code == 409
    assert "can no longer be withdrawn" in refused.content.decode()
    with pytest.raises(ForumError, match="not flagged"):
        flag_withdraw(comment_id=b.pk, user=UserFactory())


def test_withdrawing_a_flag_that_hid_a_post_shows_it_again(client, tree, settings):
    settings.FORUM_FLAGS_TO_HIDE = 1
    thread, b = tree[0], tree[3]
    reader = UserFactory()
    comment_flag(comment_id=b.pk, user=reader, reason="spam")
    assert "post b" not in thread_html(client, thread)
    flag_withdraw(comment_id=b.pk, user=reader)
    assert "post b" in thread_html(client, thread)


def test_flagging_needs_a_login_and_a_reason(client, tree):
    b = tree[3]
    assert flag(client, b).status_code == 302 and Flag.objects.count() == 0
    client.force_login(UserFactory())
    response = flag(client, b, reason="because")
    assert response.status_code == 400 and Flag.objects.count() == 0
    assert client.post("/flag?id=abc", {"reason": "spam"}).status_code == 400


def test_five_distinct_flags_hide_a_post_until_a_moderator_decides(client, mod_client, tree):
    thread, b = tree[0], tree[3]
    for _ in range(4):
        comment_flag(comment_id=b.pk, user=UserFactory(), reason="unkind")
    assert "post b" in thread_html(client, thread)
    comment_flag(comment_id=b.pk, user=UserFactory(), reason="troll")
    html = thread_html(client, thread)
    assert "post b" not in html and "[flagged: hidden until a moderator reviews it]" in html
    queue = mod_client.get("/admin/threads/flaggedcomment/").content.decode()
    assert b.name in queue and "troll, unkind" in queue
    admin_action(mod_client, "flaggedcomment", "dismiss", [b.pk], reason="fair comment")
    assert "post b" in thread_html(client, thread)
    assert b.name not in mod_client.get("/admin/threads/flaggedcomment/").content.decode()


def test_the_flag_queue_lists_the_most_flagged_first(mod_client, tree):
    a, b = tree[2], tree[3]
    comment_flag(comment_id=a.pk, user=UserFactory(), reason="spam")
    for _ in range(3):
        comment_flag(comment_id=b.pk, user=UserFactory(), reason="spam")
    queue = mod_client.get("/admin/threads/flaggedcomment/").content.decode()
    assert queue.index(b.name) < queue.index(a.name)
    admin_action(mod_client, "flaggedcomment", "remove", [b.pk], reason="spam")
    assert Comment.objects.get(pk=b.pk).state == Comment.State.REMOVED
    assert b.name not in mod_client.get("/admin/threads/flaggedcomment/").content.decode()


def test_the_flag_queue_is_headed_in_words_and_counts_the_posts_flagged(mod_client, tree):
    def seen() -> str:
        html = mod_client.get("/admin/threads/flaggedcomment/").content.decode()
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    empty = seen()
    assert "Flag queue | " in empty and "Select flagged post" not in empty
    assert "0 posts flagged" in empty
    comment_flag(comment_id=tree[2].pk, user=UserFactory(), reason="spam")
    assert "1 post flagged" in seen()
    comment_flag(comment_id=tree[3].pk, user=UserFactory(), reason="spam")
    assert "2 posts flagged" in seen()


# Moving


def test_moving_a_sub_conversation_keeps_names_and_takes_the_new_depth(mod_client, client, tree):
    thread, op, a, b, c, d = tree
    response = admin_action(
        mod_client, "comment", "move", [b.pk], new_parent=d.pk, confirmed=d.pk, reason=""
    )
    assert response.status_code == 302
    assert_tree_valid(thread)
    html = thread_html(client, thread)
    b_html = re.search(rf'<article class="post" id="{b.pk}".*?</article>', html, re.S).group(0)
    c_html = re.search(rf'<article class="post" id="{c.pk}".*?</article>', html, re.S).group(0)
    assert f">{b.name}</a>" in b_html and 'data-depth="2"' in b_html
    assert 'data-g="◧◩"' in b_html
    assert f"&gt;&gt;{d.name}" in b_html
    assert 'data-depth="3"' in c_html and 'data-g="◧◩◪"' in c_html
    log = client.get("/modlog").content.decode()
    assert "moved a sub-conversation" in log


def test_moving_to_the_thread_itself_makes_a_top_level_post(tree, moderator):
    thread, op, a, b, c, d = tree
    comment_move(comment_id=c.pk, new_parent_id=op.pk, moderator=moderator)
    assert Comment.objects.get(pk=c.pk).level == 1
    assert_tree_valid(thread)


@pytest.mark.parametrize("where", ["itself", "descendant", "other thread", "missing"])
def test_impossible_moves_are_refused_and_change_nothing(tree, build, moderator, where):
    thread, op, a, b, c, d = tree
    target = {
        "itself": b.pk,
        "descendant": c.pk,
        "other thread": build.op(build.thread(title="other")).pk,
        "missing": 987654,
    }[where]
    before = list(Comment.objects.filter(tree_id=thread.pk).values_list("pk", "lft", "rght"))
    with pytest.raises(ForumError):
        comment_move(comment_id=b.pk, new_parent_id=target, moderator=moderator)
    after = list(Comment.objects.filter(tree_id=thread.pk).values_list("pk", "lft", "rght"))
    assert before == after
    assert not ModerationAction.objects.exists()


def test_moving_a_post_under_its_own_parent_is_refused_and_not_logged(tree, moderator):
    thread, op, a, b, c, d = tree
    with pytest.raises(ForumError) as refused:
        comment_move(comment_id=b.pk, new_parent_id=a.pk, moderator=moderator)
    assert str(refused.value) == f"This post is a reply to {a.name} already."
    assert refused.value.status == 409 and not ModerationAction.objects.exists()


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (Comment.State.REMOVED, "That post was removed by a moderator: it accepts no replies."),
        (Comment.State.DELETED, "That post was deleted by its author: it accepts no replies."),
        (Comment.State.FLAGGED, "That post is hidden until a moderator reviews it"),
    ],
)
def test_a_post_moves_only_under_a_post_that_takes_replies(tree, moderator, state, message):
    thread, op, a, b, c, d = tree
    Comment.objects.filter(pk=d.pk).update(state=state)
    with pytest.raises(ForumError, match=message):
        comment_move(comment_id=b.pk, new_parent_id=d.pk, moderator=moderator)
    assert Comment.objects.get(pk=b.pk).parent_id == a.pk
    assert not ModerationAction.objects.exists()


def test_a_bad_move_in_the_admin_is_reported(mod_client, tree):
    b, c = tree[3], tree[4]
    response = admin_action(
        mod_client, "comment", "move", [b.pk], new_parent=c.pk, confirmed=c.pk, reason=""
    )
    assert response.status_code == 302
    page = mod_client.get(response["Location"]).content.decode()
    assert "cannot move under itself" in page


# The log


def test_the_modlog_is_public_newest_first_and_paged(client, tree, moderator, settings):
    thread = tree[0]
    for n in range(35):
        change = thread_unlock if n % 2 else thread_lock
        change(thread_id=thread.pk, moderator=moderator, reason=f"r{n}")
    first = client.get("/modlog").content.decode()
    assert first.index("(reason: r34)") < first.index("(reason: r33)")
    assert "(reason: r4)" not in first and '<a class="more" href="?p=2">' in first
    second = client.get("/modlog?p=2").content.decode()
    assert "(reason: r4)" in second and "(reason: r0)" in second
    text = client.get("/modlog?format=txt").content.decode()
    assert "mod locked a thread" in text


# Scale


def test_the_admin_post_list_of_a_big_thread_is_not_a_query_per_post(mod_client, build):
    thread = build.thread(title="big")
    build.big_tree(thread, 2000)

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert mod_client.get(url).status_code == 200
        return len(queries)

    small = build.thread(title="small")
    build.random_tree(small, 3)
    assert count(f"/admin/threads/comment/?thread={thread.pk}") == count(
        f"/admin/threads/comment/?thread={small.pk}"
    )
    assert (
        count(f"/admin/threads/comment/{Comment.objects.filter(level=5).first().pk}/change/") < 20
    )


def test_banning_staff_is_refused_in_the_form(mod_client):
    UserFactory(username="otherstaff", is_staff=True)
    response = mod_client.post(
        "/admin/threads/ban/add/", {"username": "otherstaff", "reason": "x", "duration": "1"}
    )
    assert response.status_code == 200
    assert "staff cannot be banned here" in response.content.decode()
    assert not Ban.objects.exists()


def test_remove_and_ban_on_a_staff_post_changes_nothing(mod_client, tree):
    op = tree[1]
    staff_post = comment_reply(
        parent_id=op.pk, author=UserFactory(is_staff=True), text="from staff"
    )
    admin_action(mod_client, "comment", "remove_and_ban", [staff_post.pk], reason="x", duration="1")
    assert Comment.objects.get(pk=staff_post.pk).state == Comment.State.VISIBLE
    assert not ModerationAction.objects.exists() and not Ban.objects.exists()


def test_a_post_is_found_in_the_admin_by_its_name(mod_client, tree):
    b = tree[3]
    for term in (b.name, "+" + b.name.split("+")[1]):
        html = mod_client.get("/admin/threads/comment/", {"q": term}).content.decode()
        assert re.findall(r'<th class="field-tree_name"><a href="[^"]+">[^<]*?(\S+)</a>', html) == [
            b.name
        ]


def test_a_banned_user_cannot_flag(tree, moderator):
    author = tree[2].author
    user_ban(user=author, moderator=moderator, reason="spam")
    with pytest.raises(ForumError, match="banned"):
        comment_flag(comment_id=tree[5].pk, user=author, reason="spam")


def test_a_banned_user_is_told_before_writing_anything(client, tree, moderator):
    author = tree[2].author
    user_ban(user=author, moderator=moderator, reason="flame wars")
    client.force_login(author)
    for url in (f"/reply?id={tree[1].pk}", "/submit"):
        page = client.get(url)
        assert page.status_code == 403, url
        html = page.content.decode()
        assert "You are banned from posting for good. Reason: flame wars" in html
        assert "<textarea" not in html


def test_a_banned_user_is_refused_on_the_reply_and_submit_pages(client, tree, moderator):
    thread, op = tree[0], tree[1]
    author = tree[2].author
    user_ban(user=author, moderator=moderator, reason="flame wars")
    client.force_login(author)
    reply = client.post("/reply", {"parent": op.pk, "thread": thread.pk, "text": "let me in"})
    assert reply.status_code == 403
    page = reply.content.decode()
    assert "You are banned from posting for good. Reason: flame wars" in page
    assert "let me in" in page, "the refused text is kept in the form"
    submit = client.post("/submit", {"title": "New", "text": "hello"})
    assert submit.status_code == 403 and "flame wars" in submit.content.decode()
    assert Comment.objects.filter(text="let me in").count() == 0
    assert Thread.objects.filter(title="New").count() == 0


def test_a_title_over_80_characters_is_refused_in_the_admin(mod_client, client, tree):
    thread = tree[0]
    form = {"do": "retitle", "title": "x" * 81, "reason": "shorter"}
    response = mod_client.post(f"/admin/threads/thread/{thread.pk}/change/", form)
    assert response.status_code == 200
    assert "at most 80 are allowed" in response.content.decode()
    thread.refresh_from_db()
    assert thread.title == "Moderated thread"
    assert not ModerationAction.objects.exists()


def test_the_comment_count_follows_what_readers_can_read(client, build, moderator, settings):
    settings.FORUM_FLAGS_TO_HIDE = 1
    thread = build.thread(title="Counted")
    op = build.op(thread)
    first, second, third = (build.reply(op, text=f"reply {n}") for n in range(3))

    def shown_count() -> str:
        page = client.get(f"/item?id={op.pk}&format=txt").content.decode()
        return re.search(r"(\d+) comments?", page).group(0)

    assert shown_count() == "3 comments"
    comment_remove(comment_id=first.pk, moderator=moderator, reason="rude")
    assert shown_count() == "2 comments"
    comment_flag(comment_id=second.pk, user=UserFactory(), reason="spam")
    assert shown_count() == "1 comment"
    flags_dismiss(comment_id=second.pk, moderator=moderator, reason="spam")
    comment_restore(comment_id=first.pk, moderator=moderator)
    assert shown_count() == "3 comments"
    user_ban(user=third.author, moderator=moderator, reason="spam", remove_posts=True)
    assert shown_count() == "2 comments"
    comment_delete(comment_id=second.pk, user=second.author)
    assert shown_count() == "1 comment"
    assert_tree_valid(thread)


def test_a_locked_thread_offers_no_reply_links_and_says_locked_on_the_front_page(
    client, build, moderator
):
    thread = build.thread(title="Soon locked")
    op = build.op(thread)
    first = build.reply(op, text="first")
    build.reply(first, text="second")
    # The post's own pages link to its reply page; the thread page tells vote.js where replies
    # are written (it adds [reply] to a post when a reader reaches it).
    pages = [f"/item?id={op.pk}", f"/item?id={first.pk}", f"/discussion?id={first.pk}"]
    replies = [f'href="reply?id={first.pk}"', f'href="/reply?id={first.pk}"', 'data-reply="/reply']
    shown = [client.get(url).content.decode() for url in pages]
    assert all(any(reply in html for reply in replies) for html in shown)
    thread_lock(thread_id=thread.pk, moderator=moderator, reason="heated")
    for url in pages:
        html = client.get(url).content.decode()
        assert not any(reply in html for reply in replies), url
        assert "[flag]" in html or 'href="flag?id=' in html or 'data-flag="/flag' in html
    assert "| locked" in client.get("/").content.decode()


def test_admin_actions_say_what_was_done_and_what_was_not_in_plain_words(mod_client, tree):
    thread, op, a, b, c, d = tree
    answer = admin_action(mod_client, "comment", "remove", [op.pk, b.pk], reason="x")
    shown = [str(message) for message in answer.wsgi_request._messages]
    assert shown[0].startswith(f"Not done for {op.name}: An opening post is removed")
    assert shown[1].endswith(": 1 of 2 done.")
    answer = admin_action(mod_client, "comment", "remove", [op.pk], reason="x")
    assert [str(m) for m in answer.wsgi_request._messages][-1].startswith("Not done for")


def test_a_ban_reads_as_a_date_not_a_timestamp(moderator, user):
    until = timezone.now() + timedelta(days=7)
    ban = user_ban(user=user, moderator=moderator, reason="spam", expires_at=until)
    assert str(ban) == f"{user.username} until {until:%Y-%m-%d %H:%M} UTC"


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("Bad\x01title", "The title contains a control character (U+0001)"),
        ("Bad\uffff", "The title contains a Unicode non-character (U+FFFF)"),
    ],
)
def test_a_control_or_non_character_is_refused_in_the_admins_retitle(
    mod_client, tree, title, message
):
    thread = tree[0]
    response = mod_client.post(
        f"/admin/threads/thread/{thread.pk}/change/",
        {"do": "retitle", "title": title, "reason": "clearer"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    thread.refresh_from_db()
    assert thread.title == "Moderated thread"
    assert not ModerationAction.objects.exists()


# Reasons that cannot reach a terminal raw: the public /modlog?format=txt shows them

HOSTILE_REASON = "esc \x1b[2J\x1b]0;pwned\x07"


def test_every_service_refuses_a_reason_with_a_control_or_non_character(tree, moderator):
    thread, op, a, b, c, d = tree
    comment_remove(comment_id=d.pk, moderator=moderator, reason="off topic")
    ban = user_ban(user=a.author, moderator=moderator, reason="cool off")
    comment_flag(comment_id=c.pk, user=UserFactory(), reason="spam")
    logged = ModerationAction.objects.count()
    refused = [
        (lambda r: comment_remove(comment_id=b.pk, moderator=moderator, reason=r), "\x1b"),
        (lambda r: comment_restore(comment_id=d.pk, moderator=moderator, reason=r), "\x85"),
        (
            lambda r: comment_move(
                comment_id=c.pk, new_parent_id=a.pk, moderator=moderator, reason=r
            ),
            "\x7f",
        ),
        (lambda r: flags_dismiss(comment_id=c.pk, moderator=moderator, reason=r), "\uffff"),
        (lambda r: thread_lock(thread_id=thread.pk, moderator=moderator, reason=r), "\x07"),
        (lambda r: thread_remove(thread_id=thread.pk, moderator=moderator, reason=r), "\x9b"),
        (
            lambda r: thread_retitle(
                thread_id=thread.pk, moderator=moderator, title="New", reason=r
            ),
            "\x00",
        ),
        (lambda r: user_ban(user=b.author, moderator=moderator, reason=r), "\x1b"),
        # NUL, which PostgreSQL cannot store, is refused before the reason is kept anywhere.
        (lambda r: user_ban(user=b.author, moderator=moderator, reason=r), "\x00"),
        (lambda r: comment_remove(comment_id=b.pk, moderator=moderator, reason=r), "\x00"),
        (lambda r: user_unban(ban_id=ban.pk, moderator=moderator, reason=r), "\ufdd0"),
    ]
    for service, char in refused:
        with pytest.raises(ForumError, match=rf"The reason contains a .* \(U\+{ord(char):04X}\)"):
            service(f"said {char} so")
    assert ModerationAction.objects.count() == logged
    assert Comment.objects.get(pk=b.pk).state == Comment.State.VISIBLE
    assert Comment.objects.get(pk=d.pk).state == Comment.State.REMOVED
    assert Comment.objects.get(pk=c.pk).parent_id == b.pk
    thread.refresh_from_db()
    assert thread.title == "Moderated thread" and not thread.is_locked and not thread.is_removed
    assert not Ban.objects.filter(user=b.author).exists() and Ban.objects.get().lifted_at is None
    # Tabs, line ends and right-to-left writing stay allowed in a reason.
    comment_remove(comment_id=b.pk, moderator=moderator, reason="ספאם\u200f\tspam\nagain")


def test_the_admins_ban_and_retitle_forms_refuse_a_reason_with_a_control_character(
    mod_client, tree
):
    thread, victim = tree[0], tree[2].author
    message = "The reason contains a control character (U+001B)"
    response = mod_client.post(
        "/admin/threads/ban/add/",
        {"username": victim.username, "reason": HOSTILE_REASON, "duration": "1"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    response = mod_client.post(
        f"/admin/threads/thread/{thread.pk}/change/",
        {"do": "retitle", "title": "New", "reason": HOSTILE_REASON},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    thread.refresh_from_db()
    assert thread.title == "Moderated thread"
    assert not Ban.objects.exists() and not ModerationAction.objects.exists()
