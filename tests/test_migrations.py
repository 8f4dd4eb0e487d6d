"""Migrations that fill new fields from old rows: what they fill is what the services write."""

import io
import json
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from forum.accounts.models import User
from threads.core.thread_urls import url_key
from threads.models import Comment, ModerationAction, Thread

BEFORE = [("threads", "0008_modlog_remove_all")]
OPS_AND_TARGETS = import_module("threads.migrations.0009_thread_op_modlog_targets")
URL_KEYS_WITHOUT_WWW = import_module("threads.migrations.0021_thread_url_keys_without_www")
SKELETON_DIGITS = import_module("forum.accounts.migrations.0006_name_skeleton_digits")


def test_a_thread_names_its_opening_post_when_created(build):
    thread = build.thread()
    assert Thread.objects.get(pk=thread.pk).op == build.op(thread)


def test_the_migration_names_the_opening_post_of_threads_written_before(build):
    threads = [build.thread(title=f"t{n}") for n in range(3)]
    for thread in threads:
        build.reply(build.op(thread))
    Thread.objects.update(op=None)
    OPS_AND_TARGETS.thread_ops_fill(apps, None)
    for thread in threads:
        assert Thread.objects.get(pk=thread.pk).op == build.op(thread)


def test_the_migration_draws_every_stored_skeleton_again(db):
    users = [User.objects.create(username=name) for name in ("d3rang", "dr-dsh", "zacwes")]
    User.objects.update(name_skeleton="stale")
    SKELETON_DIGITS.fill_skeletons(apps, None)
    skeletons = dict(
        User.objects.filter(pk__in=[u.pk for u in users]).values_list("username", "name_skeleton")
    )
    assert skeletons == {"d3rang": "derang", "dr-dsh": "dr_dsh", "zacwes": "zacwes"}


URL_KEYS = import_module("threads.migrations.0014_thread_url_key")


def test_the_migration_gives_threads_written_before_their_url_key(build):
    linked = build.thread(title="linked", url="http://EXAMPLE.com/a/")
    talk = build.thread(title="talk")
    Thread.objects.update(url_key="")
    URL_KEYS.keys_filled(apps, None)
    assert Thread.objects.get(pk=linked.pk).url_key == url_key("https://example.com/a")
    assert Thread.objects.get(pk=talk.pk).url_key == ""


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_modlog_links_what_old_rows_acted_on_after_the_migration():
    executor = _migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Thread_, Comment, Action = (
        old.get_model("threads", model) for model in ("Thread", "Comment", "ModerationAction")
    )
    # Accounts are not in the state before (nothing threads needs), and did not change.
    mod = User.objects.create(username="mod", is_staff=True)
    troll = User.objects.create(username="troll")
    thread = Thread_.objects.create(title="Old", author_id=mod.pk)
    tree = {"thread": thread, "tree_id": thread.pk}
    op = Comment.objects.create(author_id=mod.pk, ref=0, lft=1, rght=4, level=0, **tree)
    reply = Comment.objects.create(
        author_id=troll.pk, parent=op, ref=1, lft=2, rght=3, level=1, **tree
    )
    for kind, url in [
        ("remove", f"/item?id={reply.pk}"),
        ("lock", f"/item?id={op.pk}"),
        ("ban", "/user?id=troll"),
        ("remove", "/item?id=999999"),
        ("unban", ""),
    ]:
        Action.objects.create(moderator_id=mod.pk, kind=kind, target=kind, target_url=url)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    rows = ModerationAction.objects.select_related("thread", "user").order_by("pk")
    assert [(row.comment_id, row.thread_id, row.user_id) for row in rows] == [
        (reply.pk, None, None),
        (None, thread.pk, None),
        (None, None, troll.pk),
        (None, None, None),
        (None, None, None),
    ]
    assert [row.target_url for row in rows] == [
        f"/item?id={reply.pk}",
        f"/item?id={op.pk}",
        "/user?id=troll",
        "",
        "",
    ]
    assert Thread.objects.get(pk=thread.pk).op_id == op.pk


IMPORTED_ACCOUNTS = import_module(
    "forum.accounts.migrations.0008_imported_accounts_and_short_names"
)
IMPORTED_THREADS = import_module("threads.migrations.0018_imported_threads")


def test_the_migrations_mark_what_earlier_imports_made(build, tmp_path):
    call_command("loaddata", "fixtures/seed.json", verbosity=0)
    items = [
        {"id": 70_000_000, "type": "story", "by": "poster", "time": 1_700_000_000, "title": "S"},
        {
            "id": 70_000_004,
            "type": "comment",
            "by": "x",
            "time": 1_700_000_001,
            "parent": 70_000_000,
            "text": "Hi.",
        },
    ]
    path = tmp_path / "story.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in items), encoding="utf-8")
    call_command("import_hn", str(path), stdout=io.StringIO())
    local = build.thread(title="Written here", author=User.objects.create(username="member"))
    User.objects.update(is_imported=False, short_skeleton="")
    Thread.objects.update(imported_from="", hn_story=None)
    IMPORTED_ACCOUNTS.mark_and_fill(apps, None)
    IMPORTED_THREADS.mark_imported(apps, None)
    imported = set(User.objects.filter(is_imported=True).values_list("username", flat=True))
    assert imported == {"zacwes", "dr_dsh", "akjetm", "Salgat", "AlotOf", "derang", "poster", "x"}
    assert User.objects.get(username="member").short_skeleton == "member"
    marks = dict(Thread.objects.values_list("pk", "imported_from"))
    assert marks[local.pk] == "" and marks[1] == "zlacker"
    story = Thread.objects.get(title="S")
    assert (story.imported_from, story.hn_story) == ("hn", 70_000_000)


def test_the_migration_keys_a_www_url_as_its_site_without_www(client, build):
    import hashlib

    www = build.thread(title="Keyed with www", url="https://www.example.com/a")
    plain = build.thread(title="Plain", url="https://example.org/b")
    # The key as it was made before www. and the bare host were one site.
    old_key = hashlib.sha256(b"//www.example.com/a").hexdigest()
    Thread.objects.filter(pk=www.pk).update(url_key=old_key)
    URL_KEYS_WITHOUT_WWW.keys_without_www(apps, None)
    assert Thread.objects.get(pk=www.pk).url_key == url_key("https://example.com/a") != old_key
    assert Thread.objects.get(pk=plain.pk).url_key == url_key("https://example.org/b")
    client.force_login(User.objects.create(username="asker"))
    again = client.post("/submit", {"title": "Again", "url": "https://example.com/a", "text": ""})
    assert again["Location"] == www.get_absolute_url()


REMOVED_BY_AUTHOR = import_module("threads.migrations.0022_thread_removed_by_author")


def test_the_migration_marks_threads_their_authors_deleted_and_no_others(client, build):
    from threads.services.bans import user_ban
    from threads.services.moderation import thread_remove
    from threads.services.posting import comment_delete

    moderator = User.objects.create(username="mod", is_staff=True)
    deleted, removed, answered = (build.thread(title=title) for title in ("d", "r", "a"))
    comment_delete(comment_id=deleted.op_id, user=deleted.author)
    # A story imported deleted, then removed by a moderator: its last word is the moderator's.
    Comment.objects.filter(pk=removed.op_id).update(state=Comment.State.DELETED)
    thread_remove(thread_id=removed.pk, moderator=moderator, reason="spam")
    build.reply(build.op(answered))
    comment_delete(comment_id=answered.op_id, user=answered.author)
    thread_remove(thread_id=answered.pk, moderator=moderator, reason="spam")
    # A story imported deleted whose author a ban then removed everything of.
    banned = build.thread(title="b")
    Comment.objects.filter(pk=banned.op_id).update(state=Comment.State.DELETED)
    user_ban(user=banned.author, moderator=moderator, reason="spam", remove_posts=True)
    Thread.objects.update(removed_by_author=False)  # as the rows were before the field
    REMOVED_BY_AUTHOR.removed_by_their_authors(apps, None)
    marked = set(Thread.objects.filter(removed_by_author=True).values_list("pk", flat=True))
    assert marked == {deleted.pk}
    assert client.get(f"/item?id={deleted.op_id}").status_code == 410
    assert client.get(f"/item?id={removed.op_id}").status_code == 404
    assert client.get(f"/item?id={banned.op_id}").status_code == 404
