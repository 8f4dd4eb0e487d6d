"""Moderators' structural writes: removing and moving posts keeps every tree whole."""

import pytest

from forum.exceptions import ForumError
from tests.factories import UserFactory
from threads.core import tree_check
from threads.models import Comment, Thread
from threads.services.moderation import comment_move, comment_remove
from threads.services.posting import comment_delete


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def moderator(db):
    return UserFactory(username="mod", is_staff=True, is_superuser=True)


def sound(thread: Thread) -> bool:
    return tree_check.thread_problems(Thread.objects.get(pk=thread.pk)) == []


def thread_text(client, thread: Thread) -> str:
    op = Comment.objects.get(thread=thread, level=0)
    return client.get(f"/item?id={op.pk}&format=txt").content.decode()


def test_a_removed_post_stays_as_a_placeholder_with_its_replies(client, build, moderator):
    thread = build.thread()
    post = build.reply(build.op(thread), text="Rude words.")
    answer = build.reply(post, text="Calm down.")
    comment_remove(comment_id=post.pk, moderator=moderator, reason=" off-topic ")
    post.refresh_from_db()
    assert (post.state, post.removal_reason) == ("removed", "off-topic")
    text = thread_text(client, thread)
    assert "[removed by moderator]" in text and "Rude words." not in text
    assert f">>{post.name}\nCalm down." in text
    with pytest.raises(ForumError, match="removed by a moderator"):
        build.reply(post)
    assert Comment.objects.get(pk=answer.pk).parent_id == post.pk and sound(thread)


def test_a_moved_sub_conversation_keeps_its_names_and_follows_its_new_place(
    client, build, moderator
):
    thread = build.thread()
    op = build.op(thread)
    first = build.reply(op, text="First.")
    deep = build.reply(build.reply(first, text="Second."), text="Third.")
    branch = build.reply(op, text="Branch.")
    leaf = build.reply(branch, text="Leaf.")
    names = {c.pk: c.name for c in Comment.objects.filter(thread=thread)}

    comment_move(comment_id=branch.pk, new_parent_id=deep.pk, moderator=moderator)
    moved = {c.pk: c for c in Comment.objects.filter(thread=thread)}
    assert {pk: c.name for pk, c in moved.items()} == names
    assert (moved[branch.pk].level, moved[leaf.pk].level) == (4, 5)
    text = thread_text(client, thread)
    assert f"◧◩◪◨\n4. {names[branch.pk]}" in text
    assert f"◧◩◪◨⬒\n5. {names[leaf.pk]}" in text
    assert sound(thread)

    comment_move(comment_id=branch.pk, new_parent_id=op.pk, moderator=moderator)
    assert Comment.objects.get(pk=leaf.pk).level == 2 and sound(thread)
    assert "replies(2): >>" in thread_text(client, thread)


def test_moves_that_would_break_the_tree_are_refused(build, moderator):
    thread = build.thread()
    other = build.thread(title="elsewhere")
    first = build.reply(build.op(thread))
    below = build.reply(first)
    for target, message in [
        (below.pk, "under itself or one of its own replies"),
        (first.pk, "under itself or one of its own replies"),
        (build.op(other).pk, "within its own thread"),
        (987654, "There is no post with id 987654"),
    ]:
        with pytest.raises(ForumError, match=message):
            comment_move(comment_id=first.pk, new_parent_id=target, moderator=moderator)
    with pytest.raises(ForumError, match="opening post cannot be moved"):
        comment_move(comment_id=build.op(thread).pk, new_parent_id=below.pk, moderator=moderator)
    assert Comment.objects.get(pk=below.pk).parent_id == first.pk
    assert sound(thread) and sound(other)


def test_the_admin_cannot_add_move_or_delete_posts_around_the_services(client, build, moderator):
    post = build.reply(build.op(build.thread()))
    client.force_login(moderator)
    assert client.get("/admin/threads/comment/add/").status_code == 403
    assert client.get(f"/admin/threads/comment/{post.pk}/delete/").status_code == 403
    page = client.get(f"/admin/threads/comment/{post.pk}/change/").content.decode()
    assert 'name="parent"' not in page and 'name="thread"' not in page


def test_deleted_posts_leave_the_reply_counter_consistent(build):
    thread = build.thread()
    op = build.op(thread)
    leaf = build.reply(op, text="leaf")
    parent = build.reply(op, text="parent")
    build.reply(parent, text="child")
    comment_delete(comment_id=leaf.pk, user=leaf.author)
    comment_delete(comment_id=parent.pk, user=parent.author)
    thread.refresh_from_db()
    assert thread.comment_count == 1
    assert tree_check.thread_problems(thread) == []
