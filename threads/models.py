"""Threads and their comment trees, with the invariants the rest of the code relies on."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from . import zlacker


class ThreadQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_removed=False)

    def ranked(self):
        return self.order_by("-is_pinned", "-last_activity", "-pk")

    def newest(self):
        return self.order_by("-created_at", "-pk")


class Thread(models.Model):
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    is_removed = models.BooleanField(default=False)
    points = models.IntegerField(default=1)
    comment_count = models.PositiveIntegerField(default=0)
    last_activity = models.DateTimeField(default=timezone.now)
    # Bumped by every write that changes what the thread page shows (services._thread_touch):
    # cached pages are keyed by it, so the next read after a write renders afresh.
    version = models.PositiveIntegerField(default=0)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-last_activity"], name="thread_activity_idx"),
            models.Index(fields=["-created_at"], name="thread_created_idx"),
        ]

    def __str__(self):
        return self.title


class CommentQuerySet(models.QuerySet):
    def replies(self):
        return self.filter(level__gt=0)


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    pass


class Comment(MPTTModel):
    class State(models.TextChoices):
        VISIBLE = "visible", "visible"
        DELETED = "deleted", "deleted by author"
        REMOVED = "removed", "removed by a moderator"

    # No single-column indexes where a composite one starts with the column: every index is
    # rewritten for each row a reply shifts (see docs/performance.md).
    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    parent = TreeForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments", db_index=False
    )
    # The post's number within its thread: 0 for the opening post, shown in base 62.
    ref = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.VISIBLE)
    # django-mptt's own fields, declared to leave out its tree_id index: (tree_id, lft) covers it.
    lft = models.PositiveIntegerField(editable=False)
    rght = models.PositiveIntegerField(editable=False)
    tree_id = models.PositiveIntegerField(editable=False)
    level = models.PositiveIntegerField(editable=False)

    objects = CommentManager()

    class MPTTMeta:
        order_insertion_by = []

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "ref"], name="comment_ref_unique"),
        ]
        # Declaring indexes is what makes django-mptt add its (tree_id, lft) index.
        indexes = [models.Index(fields=["author", "-created_at"], name="comment_author_idx")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return zlacker.post_name(self.author.username, self.ref)

    @property
    def is_op(self) -> bool:
        return self.level == 0
