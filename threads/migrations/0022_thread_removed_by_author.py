from django.db import migrations, models
from django.db.models import F, OuterRef, Q, Subquery


def removed_by_their_authors(apps, schema_editor):
    """Threads removed before the field, whose opening post is deleted and unanswered, that no
    ban removed and whose last removal or restoration in the log is not a moderator's removal:
    their authors'."""
    Thread = apps.get_model("threads", "Thread")
    Ban = apps.get_model("threads", "Ban")
    Comment = apps.get_model("threads", "Comment")
    ModerationAction = apps.get_model("threads", "ModerationAction")
    last_action = (
        ModerationAction.objects.filter(
            thread=OuterRef("pk"), kind__in=["remove-thread", "restore-thread"]
        )
        .order_by("-created_at", "-pk")
        .values("kind")[:1]
    )
    deleted_alone = Comment.objects.filter(state="deleted", rght=F("lft") + 1)
    candidates = (
        Thread.objects.filter(is_removed=True, op__in=deleted_alone)
        .annotate(last_action=Subquery(last_action))
        .filter(Q(last_action__isnull=True) | Q(last_action="restore-thread"))
        .exclude(pk__in=Ban.removed_threads.through.objects.values("thread_id"))
    )
    Thread.objects.filter(pk__in=list(candidates.values_list("pk", flat=True))).update(
        removed_by_author=True
    )


class Migration(migrations.Migration):
    dependencies = [("threads", "0021_thread_url_keys_without_www")]

    operations = [
        migrations.AddField(
            model_name="thread",
            name="removed_by_author",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(removed_by_their_authors, migrations.RunPython.noop),
    ]
