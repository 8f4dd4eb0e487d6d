"""check_trees: every invariant broken on purpose is reported, and --repair restores the pages."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from threads.core import tree_check
from threads.models import Comment, Thread


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    # These tests make many users and never log in: hashing their passwords slowly buys nothing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def check(*args) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("check_trees", *args, stdout=out)
    except CommandError as error:
        return False, out.getvalue() + str(error)
    return True, out.getvalue()


def page(client, thread) -> str:
    op = Comment.objects.get(thread=thread, level=0)
    response = client.get(f"/item?id={op.pk}&format=txt")
    assert response.status_code == 200
    return response.content.decode()


def nodes(thread) -> dict[str, Comment]:
    """A post with replies, one of its replies, an unrelated leaf, and the root."""
    comments = list(Comment.objects.filter(thread=thread).order_by("lft"))
    root = comments[0]
    branch = next(c for c in comments[1:] if c.rght - c.lft > 3)
    child = next(c for c in comments if c.parent_id == branch.pk)
    other = next(
        c for c in comments if c.rght == c.lft + 1 and not branch.lft < c.lft < branch.rght
    )
    return {"root": root, "branch": branch, "child": child, "other": other}


def set_fields(comment: Comment, **fields) -> None:
    Comment.objects.filter(pk=comment.pk).update(**fields)


def wrong_root_bounds(n, other_thread):
    set_fields(n["root"], rght=n["root"].rght + 10)


def lft_not_below_rght(n, other_thread):
    set_fields(n["other"], lft=n["other"].rght, rght=n["other"].lft)


def repeated_value(n, other_thread):
    set_fields(n["other"], lft=n["child"].lft)


def child_outside_parent(n, other_thread):
    set_fields(n["child"], lft=n["branch"].rght + 100, rght=n["branch"].rght + 101)


def wrong_level(n, other_thread):
    set_fields(n["child"], level=n["child"].level + 2)


def wrong_tree_id(n, other_thread):
    set_fields(n["other"], tree_id=other_thread.pk)


def parent_link_disagrees(n, other_thread):
    set_fields(n["child"], parent_id=n["other"].pk)


def two_roots(n, other_thread):
    set_fields(n["other"], parent_id=None)


def parent_loop(n, other_thread):
    set_fields(n["branch"], parent_id=n["child"].pk)


def op_not_the_root(n, other_thread):
    Thread.objects.filter(pk=n["root"].thread_id).update(op=n["branch"])


def half_written_counter(n, other_thread):
    Thread.objects.filter(pk=n["root"].thread_id).update(comment_count=3)


BREAKS = {
    wrong_root_bounds: "instead of 1",
    lft_not_below_rght: "not below its rght",
    repeated_value: "times as lft or rght",
    child_outside_parent: "is not inside its parent",
    wrong_level: "its parent has level",
    wrong_tree_id: "has tree_id",
    parent_link_disagrees: "but its interval puts it under",
    two_roots: "2 roots instead of one",
    parent_loop: "but its interval puts it under",
    half_written_counter: "replies but has",
    op_not_the_root: "as its opening post, not its root",
}
# The parent links are the truth the repair keeps: where a break changed one, the post goes
# where its link says; every other break leaves the page exactly as it was.
RELINKED = {
    parent_link_disagrees: lambda n: (n["child"], n["other"]),
    two_roots: lambda n: (n["other"], n["root"]),
    parent_loop: lambda n: (n["branch"], n["root"]),
}


@pytest.mark.parametrize("breaker", BREAKS, ids=lambda breaker: breaker.__name__)
def test_each_break_is_reported_and_repaired(client, build, breaker):
    thread = build.thread(title="broken")
    other_thread = build.thread(title="bystander")
    build.random_tree(thread, 14, seed=3)
    build.random_tree(other_thread, 4, seed=4)
    assert check() == (True, "Every tree is sound.\n")
    before = page(client, thread)
    n = nodes(thread)
    breaker(n, other_thread)

    sound, report = check()
    assert not sound
    assert BREAKS[breaker] in report
    assert "broken trees; --repair rebuilds them" in report

    sound, report = check("--repair")
    assert sound, report
    assert "rebuilt" in report
    assert check() == (True, "Every tree is sound.\n")
    after = page(client, thread)
    names = Comment.objects.filter(thread=thread).values_list("ref", flat=True)
    assert sorted(names) == list(range(15))
    if breaker in RELINKED:
        post, parent = RELINKED[breaker](n)
        post = Comment.objects.get(pk=post.pk)
        parent = Comment.objects.get(pk=parent.pk)
        assert post.parent_id == parent.pk and post.level == parent.level + 1
        assert f"\n>>{parent.name}\n" in after
    else:
        assert after == before
    assert Comment.objects.filter(thread=other_thread).count() == 5


def test_a_loop_of_parent_links_is_cut_at_its_oldest_post(build):
    thread = build.thread()
    build.random_tree(thread, 8, seed=2)
    n = nodes(thread)
    parent_loop(n, None)
    assert not check("--thread", str(thread.pk))[0]
    assert check("--thread", str(thread.pk), "--repair")[0]
    oldest = min(n["branch"], n["child"], key=lambda c: c.ref)
    assert Comment.objects.get(pk=oldest.pk).parent_id == n["root"].pk


def test_duplicate_names_are_reported_and_renumbered_past_the_end():
    # The database's unique (thread, ref) constraint forbids this, so the rows are built here.
    rows = [
        tree_check.Node(1, 7, 7, None, 0, 1, 8, 0, "visible", "alice"),
        tree_check.Node(2, 7, 7, 1, 1, 2, 3, 1, "visible", "bob"),
        tree_check.Node(3, 7, 7, 1, 1, 4, 5, 1, "visible", "bob"),
        tree_check.Node(4, 7, 7, 1, 2, 6, 7, 1, "visible", "carol"),
    ]
    problems = tree_check.tree_problems(7, rows)
    assert problems == ["the name bob+1 is used 2 times", "the number 1 is used 2 times"]
    layout = tree_check.repaired_layout(rows)
    assert [layout[i].ref for i in (1, 2, 3, 4)] == [0, 1, 3, 2]
    repaired = [row._replace(**layout[row.id]._asdict()) for row in rows]
    assert tree_check.tree_problems(7, repaired) == []


def test_check_trees_names_a_missing_thread(db):
    sound, report = check("--thread", "999")
    assert not sound and "There is no thread with id 999." in report


def test_a_thread_without_its_opening_post_is_reported_and_cannot_be_rebuilt(build):
    thread = build.thread()
    Comment.objects.filter(thread=thread).delete()
    assert check() == (
        False,
        f"thread {thread.pk}: the thread has no opening post\n"
        "1 thread(s) have broken trees; --repair rebuilds them.",
    )
    sound, report = check("--repair")
    assert not sound and "has no opening post to rebuild its tree from" in report
