"""The comment tree's storage: one tree per thread keyed by the thread, names unique, indexed."""

import pytest
from django.db import IntegrityError, connection

from forum.exceptions import ForumError
from threads.models import Comment
from threads.services.posting import comment_reply


@pytest.mark.django_db
def test_each_thread_is_one_tree_keyed_by_the_thread(build):
    first = build.thread(title="one")
    second = build.thread(title="two")
    build.random_tree(second, 5)
    assert set(Comment.objects.filter(thread=first).values_list("tree_id", flat=True)) == {first.pk}
    assert set(Comment.objects.filter(thread=second).values_list("tree_id", flat=True)) == {
        second.pk
    }
    op = build.op(second)
    assert (op.level, op.lft, op.rght, op.ref) == (0, 1, 12, 0)


@pytest.mark.django_db
def test_new_posts_are_numbered_past_every_number_in_the_thread(build):
    thread = build.thread()
    op = build.op(thread)
    comment_reply(parent_id=op.pk, author=op.author, text="imported", ref=5031)
    reply = build.reply(op)
    assert reply.ref == 5032
    assert reply.name.endswith("+aj1")


@pytest.mark.django_db
def test_a_post_number_is_unique_within_its_thread(build):
    thread = build.thread()
    op = build.op(thread)
    build.reply(op)
    with pytest.raises(IntegrityError):
        Comment.objects.filter(thread=thread, level=1).update(ref=0)


@pytest.mark.django_db
def test_replies_update_the_thread_counters(build):
    thread = build.thread()
    build.random_tree(thread, 7)
    thread.refresh_from_db()
    assert thread.comment_count == 7
    latest = Comment.objects.filter(thread=thread).order_by("-created_at").first()
    assert thread.last_activity == latest.created_at


@pytest.mark.django_db
def test_threads_are_found_by_an_index_that_holds_no_column_a_reply_shifts():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Comment._meta.db_table)
    indexed = [c["columns"] for c in constraints.values() if c["index"]]
    assert ["tree_id"] in indexed
    assert not [columns for columns in indexed if {"lft", "rght"} & set(columns)]


def _updates_so_far() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = %s",
            [Comment._meta.db_table],
        )
        return cursor.fetchone()


@pytest.mark.postgresql
@pytest.mark.django_db
def test_a_reply_rewrites_the_rows_it_shifts_in_place_without_touching_an_index(build):
    thread = build.thread()
    first, *later = [build.reply(build.op(thread)) for _ in range(5)]
    updated, in_place = _updates_so_far()
    build.reply(first)
    # The OP and `first` grow (rght); the four later siblings move (lft and rght).
    assert _updates_so_far() == (updated + 6, in_place + 6)


@pytest.mark.django_db
def test_a_locked_thread_refuses_replies(build):
    thread = build.thread()
    thread.is_locked = True
    thread.save()
    with pytest.raises(ForumError, match="locked"):
        build.reply(build.op(thread))
    assert Comment.objects.filter(thread=thread).count() == 1
