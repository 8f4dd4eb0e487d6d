"""Backups: a forum restored into an empty database shows the very same pages."""

import re

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from threads.models import Comment, Thread
from threads.services.moderation import comment_move, comment_remove

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def every_page(client) -> dict[str, str]:
    paths = ["/", "/newest", "/best", "/?format=txt"]
    for post in Comment.objects.order_by("pk"):
        for page in ("item", "discussion", "source", "links"):
            paths += [f"/{page}?id={post.pk}", f"/{page}?id={post.pk}&format=txt"]
    pages = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        pages[path] = CSRF.sub("", response.content.decode())
    return pages


@pytest.mark.django_db(transaction=True)
def test_a_restored_forum_shows_the_same_pages_and_sound_trees(client, build, tmp_path):
    call_command("seed")
    moderator = UserFactory(username="mod", is_staff=True, is_superuser=True)
    thread = build.thread(title="Second thread", text="Hello *there*.", url="https://x.org/")
    posts = build.random_tree(thread, 12, seed=9)
    comment_remove(comment_id=posts[3].pk, moderator=moderator, reason="spam")
    comment_move(comment_id=posts[7].pk, new_parent_id=posts[0].pk, moderator=moderator)
    before = every_page(client)
    backup = tmp_path / "forum.backup.gz"
    call_command("backup_forum", str(backup))

    call_command("flush", interactive=False, verbosity=0)
    assert not Thread.objects.exists()
    call_command("restore_forum", str(backup))

    assert every_page(client) == before
    call_command("check_trees")
    assert Comment.objects.get(pk=posts[3].pk).removal_reason == "spam"
    # New posts are numbered past the restored ones, and ids do not collide.
    reply = build.reply(Comment.objects.get(pk=posts[0].pk))
    assert reply.ref == 13 and reply.pk > max(post.pk for post in posts)


def test_restore_refuses_a_database_that_holds_a_forum(build, tmp_path):
    build.thread()
    backup = tmp_path / "forum.backup"
    call_command("backup_forum", str(backup))
    with pytest.raises(CommandError, match="already holds a forum"):
        call_command("restore_forum", str(backup))
    with pytest.raises(CommandError, match="Name the backup"):
        call_command("backup_forum", str(tmp_path / "forum.json"))
    with pytest.raises(CommandError, match="There is no backup at"):
        call_command("restore_forum", str(tmp_path / "missing.backup"))
