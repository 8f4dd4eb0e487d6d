"""Thread.op names each thread's opening post; the moderation log keeps what it acted on by key.

Both are filled for existing rows here: the opening post is the root of its thread's tree, and
the log's target is read from the URL it stored (target_url goes in the next migration: on
PostgreSQL a table cannot be altered in the transaction that updated it under deferred keys).
"""

from urllib.parse import parse_qs, urlsplit

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The kinds whose stored URL was their thread's opening post.
THREAD_KINDS = {"lock", "unlock", "pin", "unpin", "remove-thread", "restore-thread", "retitle"}


def thread_ops_fill(apps, schema_editor):
    from threads.core import tree_check

    tree_check.thread_ops_fill(apps.get_model("threads", "Thread"), apps.get_model("threads", "Comment"))


def modlog_targets_fill(apps, schema_editor):
    """Each row's comment, thread or user, from its stored /item?id=N or /user?id=NAME."""
    ModerationAction = apps.get_model("threads", "ModerationAction")
    Comment = apps.get_model("threads", "Comment")
    Thread = apps.get_model("threads", "Thread")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for action in ModerationAction.objects.exclude(target_url="").iterator():
        url = urlsplit(action.target_url)
        key = parse_qs(url.query).get("id", [""])[0]
        if url.path == "/user":
            action.user = User.objects.filter(username=key).first()
        elif url.path == "/item" and key.isdigit() and action.kind in THREAD_KINDS:
            action.thread = Thread.objects.filter(op_id=int(key)).first()
        elif url.path == "/item" and key.isdigit():
            action.comment = Comment.objects.filter(pk=int(key)).first()
        action.save(update_fields=["comment", "thread", "user"])


def modlog_target_urls_fill(apps, schema_editor):
    """Back: the URL each row stored before."""
    from forum import links

    ModerationAction = apps.get_model("threads", "ModerationAction")
    rows = ModerationAction.objects.select_related("thread", "user")
    for action in rows.exclude(comment=None, thread=None, user=None).iterator():
        if action.comment_id:
            action.target_url = links.item(action.comment_id)
        elif action.thread_id:
            action.target_url = links.item(action.thread.op_id)
        else:
            action.target_url = links.user(action.user.username)
        action.save(update_fields=["target_url"])


class Migration(migrations.Migration):

    dependencies = [
        ('threads', '0008_modlog_remove_all'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='thread',
            name='op',
            field=models.OneToOneField(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='opened_thread', to='threads.comment'),
        ),
        migrations.AddField(
            model_name='moderationaction',
            name='comment',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='threads.comment'),
        ),
        migrations.AddField(
            model_name='moderationaction',
            name='thread',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='threads.thread'),
        ),
        migrations.AddField(
            model_name='moderationaction',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(thread_ops_fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(modlog_targets_fill, modlog_target_urls_fill, elidable=True),
    ]
