"""Which import made each thread, so that an import never changes a thread it did not make.

Threads imported before are told by their opening post's author, an imported account (the
accounts migration marked them). One is taken for a Hacker News story's when each of its replies
keeps the id its item had (the story's id plus its number), as import_hn writes them where it
can; the others for zlacker pages'.
"""

from django.db import migrations, models


def mark_imported(apps, schema_editor):
    Thread = apps.get_model("threads", "Thread")
    Comment = apps.get_model("threads", "Comment")
    imported = Thread.objects.filter(op__author__is_imported=True).exclude(op=None)
    for thread in imported.only("pk", "op_id"):
        replies = Comment.objects.filter(thread_id=thread.pk).exclude(pk=thread.op_id)
        kept_ids = all(pk == thread.op_id + ref for pk, ref in replies.values_list("pk", "ref"))
        if kept_ids:
            thread.imported_from, thread.hn_story = "hn", thread.op_id
        else:
            thread.imported_from = "zlacker"
        thread.save(update_fields=["imported_from", "hn_story"])


class Migration(migrations.Migration):
    dependencies = [
        ("threads", "0017_lists_stamp"),
        ("accounts", "0008_imported_accounts_and_short_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="thread",
            name="imported_from",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "written here"),
                    ("hn", "a Hacker News file (import_hn)"),
                    ("zlacker", "a zlacker page (import_zlacker)"),
                ],
                default="",
                editable=False,
                max_length=8,
            ),
        ),
        migrations.AddField(
            model_name="thread",
            name="hn_story",
            field=models.PositiveBigIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.RunPython(mark_imported, migrations.RunPython.noop),
    ]
