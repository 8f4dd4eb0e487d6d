"""A post's and a thread's moderation page in the admin, opened from [moderate]: what a moderator
may do to it, each with its reason; reasons required everywhere; no decision on one's own flags."""

import re

import pytest

from forum import links
from forum.exceptions import ForumError
from tests.factories import UserFactory
from threads.models import Ban, Comment, Flag, ModerationAction, Thread
from threads.services.moderation import (
    comment_flag,
    comment_remove,
    comment_restore,
    flags_dismiss,
    flags_uphold,
    thread_remove,
)
from threads.services.posting import comment_delete, comment_reply

INTERNAL = ("Lft", "Rght", "Tree id", "Level", "Ref", "lft", "rght", "tree_id")


@pytest.fixture
def tree(build):
    """A thread: OP > a > b, c."""
    thread = build.thread(title="Moderated thread")
    op = build.op(thread)
    a = build.reply(op, text="post a", author=UserFactory(username="alice"))
    b = build.reply(a, text="post b", author=UserFactory(username="bobby"))
    c = build.reply(op, text="post c", author=UserFactory(username="carol"))
    return thread, op, a, b, c


def post_page(client, post) -> str:
    return client.get(links.moderate("comment", post.pk)).content.decode()


def act(client, post, do, model="comment", **form):
    url = links.moderate(model, post.pk if model == "comment" else post.thread_id)
    return client.post(url, {"do": do, **form}, follow=True)


def offered(html: str) -> list[str]:
    return re.findall(r'name="do" value="(\w+)"', html)


def test_moderate_on_a_post_opens_its_moderation_page_without_internal_fields(mod_client, tree):
    thread, op, a, b, c = tree
    # The thread page's posts get [moderate] from static/vote.js: the prefix, the id, /change/.
    html = mod_client.get(f"/item?id={op.pk}").content.decode()
    prefix = re.search(r'data-moderate-url="([^"]+)"', html).group(1)
    assert f"{prefix}{b.pk}/change/" == links.moderate("comment", b.pk)
    page = mod_client.get(f"{prefix}{b.pk}/change/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f"Moderate {b.name}" in text and "Moderated thread" in text and "post b" in text
    assert 'href="/user?id=bobby"' in text and f'href="/item?id={b.pk}"' in text
    assert offered(text) == ["remove", "move", "ban", "retitle", "lock", "pin", "remove_thread"]
    for name in INTERNAL:
        assert f">{name}:<" not in text and f'name="{name}"' not in text
    assert "field-lft" not in text and "field-tree_id" not in text


def test_moderate_on_a_thread_opens_the_thread_with_its_title_form(mod_client, tree):
    thread, op = tree[0], tree[1]
    html = mod_client.get(f"/item?id={op.pk}").content.decode()
    assert f'href="{links.moderate("thread", thread.pk)}">moderate</a>' in html
    page = mod_client.get(links.moderate("thread", thread.pk)).content.decode()
    assert "Moderate &quot;Moderated thread&quot;" in page and 'name="title"' in page
    # The opening post is removed or restored with its thread, never moved.
    assert offered(page) == ["ban", "retitle", "lock", "pin", "remove_thread"]
    assert "Lft" not in page and "Tree id" not in page


def test_each_action_from_the_page_says_why_on_the_modlog(mod_client, client, tree):
    thread, op, a, b, c = tree
    refused = act(mod_client, b, "remove", reason="  ")
    assert "A removal needs a reason: the moderation log shows it." in refused.content.decode()
    assert Comment.objects.get(pk=b.pk).state == Comment.State.VISIBLE
    done = act(mod_client, b, "remove", reason="rude to carol")
    assert f"Removed {b.name}." in done.content.decode()
    assert offered(done.content.decode())[:2] == ["restore", "move"]
    act(mod_client, b, "restore", reason="carol asked for it back")
    asked = act(mod_client, b, "move", new_parent=c.name, reason="answers carol")
    assert f"Move {b.name} under {c.name} (id {c.pk})" in asked.content.decode()
    assert Comment.objects.get(pk=b.pk).parent_id == a.pk
    act(mod_client, b, "move", new_parent=c.name, confirmed=c.pk, reason="answers carol")
    assert Comment.objects.get(pk=b.pk).parent_id == c.pk
    act(mod_client, b, "ban", reason="keeps at it", duration="7")
    assert Ban.objects.get(user=b.author).expires_at is not None
    assert "ban" not in offered(post_page(mod_client, b))
    modlog = client.get("/modlog").content.decode()
    for reason in ("rude to carol", "carol asked for it back", "answers carol", "keeps at it"):
        assert reason in modlog


def test_thread_actions_from_the_thread_page(mod_client, client, tree):
    thread, op = tree[0], tree[1]
    refused = act(mod_client, op, "remove_thread", model="thread", reason="")
    assert "A removal needs a reason" in refused.content.decode()
    act(mod_client, op, "lock", model="thread", reason="heated")
    act(mod_client, op, "pin", model="thread", reason="announcement")
    thread.refresh_from_db()
    assert thread.is_locked and thread.is_pinned
    page = post_page(mod_client, op)
    assert offered(page) == ["ban", "retitle", "unlock", "unpin", "remove_thread"]
    no_reason = act(mod_client, op, "retitle", model="thread", title="Clearer", reason="")
    assert "A new title needs a reason" in no_reason.content.decode()
    act(mod_client, op, "retitle", model="thread", title="A clearer title", reason="vague")
    assert Thread.objects.get(pk=thread.pk).title == "A clearer title"
    modlog = client.get("/modlog").content.decode()
    assert "heated" in modlog and "vague" in modlog


def test_an_action_the_page_does_not_offer_is_not_done(mod_client, tree):
    op = tree[1]
    answer = act(mod_client, op, "remove", reason="opening post")
    assert "That is not something a moderator may do to this post now." in answer.content.decode()
    assert Comment.objects.get(pk=op.pk).state == Comment.State.VISIBLE
    assert mod_client.post(links.moderate("comment", op.pk), {"text": "x"}).status_code == 403


def test_readers_and_plain_staff_get_no_moderation_page(client, tree):
    b = tree[3]
    url = links.moderate("comment", b.pk)
    client.force_login(UserFactory())
    assert client.get(url).status_code == 302  # to the admin's log-in
    client.force_login(UserFactory(username="staffer", is_staff=True))
    assert client.get(url).status_code == 403
    assert client.post(url, {"do": "remove", "reason": "x"}).status_code == 403
    assert Comment.objects.get(pk=b.pk).state == Comment.State.VISIBLE


# Flags: dismissed or upheld with a reason, never by the post's author


def test_flags_are_dismissed_or_upheld_from_the_page_with_a_reason(mod_client, client, tree):
    b, c = tree[3], tree[4]
    for post in (b, c):
        comment_flag(comment_id=post.pk, user=UserFactory(), reason="spam")
    queue = mod_client.get("/admin/threads/flaggedcomment/").content.decode()
    assert f'<a href="{links.moderate("comment", b.pk)}">{b.name}</a>' in queue
    page = post_page(mod_client, b)
    assert "spam &times;1" in page and {"dismiss", "uphold"} <= set(offered(page))
    assert "A decision on flags needs a reason" in act(mod_client, b, "dismiss").content.decode()
    assert Flag.objects.filter(comment=b, resolved_at__isnull=True).exists()
    act(mod_client, b, "dismiss", reason="it is on topic")
    act(mod_client, c, "uphold", reason="selling things")
    assert not Flag.objects.filter(resolved_at__isnull=True).exists()
    assert Comment.objects.get(pk=c.pk).state == Comment.State.REMOVED
    modlog = client.get("/modlog").content.decode()
    assert "it is on topic" in modlog and "selling things" in modlog


def test_no_moderator_decides_on_the_flags_against_their_own_post(
    mod_client, moderator, tree, settings
):
    settings.FORUM_FLAGS_TO_HIDE = 1
    mine = comment_reply(parent_id=tree[1].pk, author=moderator, text="my own words")
    comment_flag(comment_id=mine.pk, user=UserFactory(), reason="unkind")
    page = post_page(mod_client, mine)
    assert not {"dismiss", "uphold", "restore"} & set(offered(page))
    assert "flags against your own post are for another moderator" in page
    act(mod_client, mine, "dismiss", reason="I was right")
    for decide in (flags_dismiss, flags_uphold, comment_restore):
        with pytest.raises(ForumError, match="for another moderator to decide"):
            decide(comment_id=mine.pk, moderator=moderator, reason="I was right")
    queue = mod_client.get("/admin/threads/flaggedcomment/").content.decode()
    assert "my own words" not in queue
    listed = mod_client.post(
        "/admin/threads/flaggedcomment/",
        {"action": "dismiss", "_selected_action": [mine.pk], "apply": "1", "reason": "mine"},
    )
    assert listed.status_code == 302
    assert Comment.objects.get(pk=mine.pk).state == Comment.State.FLAGGED
    assert not ModerationAction.objects.exists()
    other = UserFactory(username="othermod", is_staff=True)
    flags_dismiss(comment_id=mine.pk, moderator=other, reason="fair words")
    assert Comment.objects.get(pk=mine.pk).state == Comment.State.VISIBLE


# Reasons: every removal, ban and decision on flags, in every service and admin list


@pytest.mark.parametrize(
    ("model", "action", "form"),
    [
        ("comment", "remove", {}),
        ("comment", "remove_and_ban", {"duration": "7"}),
        ("thread", "remove", {}),
        ("flaggedcomment", "dismiss", {}),
    ],
)
def test_a_list_action_with_no_reason_is_refused_with_a_message(
    mod_client, tree, model, action, form
):
    thread, b = tree[0], tree[3]
    comment_flag(comment_id=b.pk, user=UserFactory(), reason="spam")
    pk = thread.pk if model == "thread" else b.pk
    data = {"action": action, "_selected_action": [pk], "apply": "1", "reason": " ", **form}
    answer = mod_client.post(f"/admin/threads/{model}/", data)
    assert answer.status_code == 200
    assert "needs a reason: the moderation log shows it." in answer.content.decode()
    assert Comment.objects.get(pk=b.pk).state == Comment.State.VISIBLE
    assert not Thread.objects.get(pk=thread.pk).is_removed
    assert not Ban.objects.exists() and not ModerationAction.objects.exists()


def test_the_services_refuse_a_removal_or_decision_without_a_reason(tree, moderator):
    thread, b = tree[0], tree[3]
    comment_flag(comment_id=b.pk, user=UserFactory(), reason="spam")
    for refused in (
        lambda: comment_remove(comment_id=b.pk, moderator=moderator, reason=" "),
        lambda: thread_remove(thread_id=thread.pk, moderator=moderator, reason=""),
        lambda: flags_dismiss(comment_id=b.pk, moderator=moderator, reason=""),
        lambda: flags_uphold(comment_id=b.pk, moderator=moderator, reason="\n"),
    ):
        with pytest.raises(ForumError, match="needs a reason") as error:
            refused()
        assert error.value.status == 400
    assert Comment.objects.get(pk=b.pk).state == Comment.State.VISIBLE
    assert not ModerationAction.objects.exists()


def test_a_reason_with_a_control_character_is_refused_on_the_page_and_in_the_lists(
    mod_client, tree
):
    thread, op, a, b, c = tree
    message = "The reason contains a control character (U+001B)"
    reason = "esc \x1b[2J\x1b]0;pwned\x07"
    for do, form in (("remove", {}), ("ban", {"duration": "7"}), ("lock", {})):
        model = "thread" if do == "lock" else "comment"
        refused = act(mod_client, b, do, model=model, reason=reason, **form)
        assert message in refused.content.decode(), do
    for model, action, form in (
        ("comment", "remove", {}),
        ("comment", "remove_and_ban", {"duration": "7"}),
        ("thread", "lock", {}),
    ):
        pk = thread.pk if model == "thread" else b.pk
        data = {"action": action, "_selected_action": [pk], "apply": "1", "reason": reason}
        answer = mod_client.post(f"/admin/threads/{model}/", data | form)
        assert answer.status_code == 200
        assert message in answer.content.decode(), action
    assert Comment.objects.get(pk=b.pk).state == Comment.State.VISIBLE
    assert not Thread.objects.get(pk=thread.pk).is_locked
    assert not Ban.objects.exists() and not ModerationAction.objects.exists()


def test_a_thread_its_author_deleted_is_not_offered_back_and_a_restore_is_refused(
    mod_client, build
):
    op = build.op(build.thread(title="Changed my mind"))
    comment_delete(comment_id=op.pk, user=op.author)
    page = mod_client.get(links.moderate("thread", op.thread_id)).content.decode()
    assert "restore_thread" not in offered(page)
    refused = act(mod_client, op, "restore_thread", model="thread", reason="looks fine")
    assert "not something a moderator may do to this post now" in refused.content.decode()
    assert Thread.objects.get(pk=op.thread_id).is_removed
