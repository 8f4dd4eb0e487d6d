"""Threads and their comment trees, with the invariants the rest of the code relies on."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from forum import links
from threads.text import zlacker


class ThreadQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_removed=False)

    def newest(self):
        return self.order_by("-created_at", "-pk")

    def not_hidden_by(self, user):
        """Leaves out the threads this reader hid; everyone else's lists are unchanged."""
        if user is None or not user.is_authenticated:
            return self
        return self.exclude(pk__in=HiddenThread.objects.filter(user=user).values("thread_id"))


class ImportSource(models.TextChoices):
    HERE = "", "written here"
    HACKER_NEWS = "hn", "a Hacker News file (import_hn)"
    ZLACKER = "zlacker", "a zlacker page (import_zlacker)"


class Thread(models.Model):
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=2000, blank=True)
    # thread_urls.url_key(url): threads linking to one page share it however their urls are spelt.
    url_key = models.CharField(max_length=64, blank=True, default="", editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="threads"
    )
    created_at = models.DateTimeField(default=timezone.now)
    is_locked = models.BooleanField(default=False)
    is_pinned = models.BooleanField(default=False)
    is_removed = models.BooleanField(default=False)
    # Removed as its author deleted its opening post before anyone replied: no moderator's doing.
    removed_by_author = models.BooleanField(default=False, editable=False)
    points = models.IntegerField(default=1)
    comment_count = models.PositiveIntegerField(default=0)
    last_activity = models.DateTimeField(default=timezone.now)
    # Bumped by every write that changes what the thread page shows (services.thread_touch):
    # cached pages are keyed by it, so the next read after a write renders afresh.
    version = models.PositiveIntegerField(default=0)
    # The same for the lists of threads and comments, forum-wide: each write sets its thread's
    # to the highest + 1, and the lists are keyed by the highest (selectors.lists_stamp).
    lists_stamp = models.PositiveBigIntegerField(default=0)
    # The root of its comment tree; empty only inside thread_create, or in a broken thread.
    op = models.OneToOneField(
        "Comment", on_delete=models.SET_NULL, null=True, related_name="opened_thread"
    )
    # Which import made the thread ("" when it was submitted here): an import changes only a
    # thread an import of the same source made (threads.services.imports, hn_imports).
    imported_from = models.CharField(
        max_length=8, blank=True, default="", editable=False, choices=ImportSource.choices
    )
    # The Hacker News story an HN import made the thread from.
    hn_story = models.PositiveBigIntegerField(null=True, blank=True, unique=True, editable=False)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["-last_activity"], name="thread_activity_idx"),
            models.Index(fields=["-created_at"], name="thread_created_idx"),
            models.Index(fields=["-lists_stamp"], name="thread_lists_stamp_idx"),
            models.Index(fields=["url_key", "-created_at"], name="thread_url_key_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return links.item(self.op_id)

    @property
    def domain(self) -> str:
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")


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
        FLAGGED = "flagged", "hidden by flags until a moderator decides"
        # Killed on Hacker News (its flags or filters) before it was imported: no moderator
        # here acted, so it is no removal and /modlog has nothing to say about it.
        DEAD = "dead", "dead on Hacker News"

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
    # Shown to the post's author on a removed post; the public sees only the placeholder.
    removal_reason = models.CharField(max_length=500, blank=True)
    # django-mptt's own fields. A reply shifts lft/rght of every later post in its thread; with
    # neither column in any index, PostgreSQL rewrites those rows in place (HOT updates, in the
    # room a fill factor of 70% leaves in each page: migration 0007) without touching an index.
    # Rows are found by tree_id alone, then ordered by lft (docs/performance.md).
    lft = models.PositiveIntegerField(editable=False)
    rght = models.PositiveIntegerField(editable=False)
    tree_id = models.PositiveIntegerField(editable=False, db_index=True)
    level = models.PositiveIntegerField(editable=False)
    # 1 + the sum of its votes; an opening post's points are its thread's points.
    points = models.IntegerField(default=1)
    # The author of the post this one answers, copied at reply time so that a user's inbox is
    # one index range (parent_author, created_at) rather than a join over all their posts.
    parent_author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    # The one-time key of the form that posted it (forms.OneTimeKeyField): the same form posted
    # again (Back, reload, a retry after an error) finds this post instead of making another.
    form_key = models.CharField(max_length=64, blank=True, default="", editable=False)

    objects = CommentManager()

    class MPTTMeta:
        order_insertion_by = []

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "ref"], name="comment_ref_unique"),
            models.UniqueConstraint(
                fields=["author", "form_key"],
                condition=~models.Q(form_key=""),
                name="comment_form_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
            models.Index(fields=["parent_author", "-created_at"], name="comment_inbox_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return links.item(self.pk)

    @property
    def name(self) -> str:
        return zlacker.post_name(self.author.username, self.ref)

    @property
    def is_op(self) -> bool:
        return self.level == 0


# django-mptt adds a (tree_id, lft) index to every tree model; this one keeps lft out of all
# indexes (see the tree fields above), so that index is taken back off before migrations see it.
Comment._meta.indexes = [
    index for index in Comment._meta.indexes if tuple(index.fields) != ("tree_id", "lft")
]


class HnItem(models.Model):
    """A post imported from Hacker News, as HN gave it: /v0/item/ID.json answers with it."""

    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, primary_key=True, related_name="hn_item"
    )
    # The item's fields as HN's API (v0) gives them, its text byte for byte and its kids in
    # HN's order; an algolia tree's node is kept in the same shape.
    item = models.JSONField()

    class Meta:
        verbose_name = "Hacker News item"

    def __str__(self):
        return f"Hacker News item {self.item.get('id')} as post {self.comment_id}"


class Vote(models.Model):
    """One user's vote on a post; a vote on a thread is a vote on its opening post."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="votes"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="votes")
    value = models.SmallIntegerField(choices=[(1, "up"), (-1, "down")])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="vote_once_per_user"),
            models.CheckConstraint(condition=models.Q(value__in=[1, -1]), name="vote_value"),
        ]

    def __str__(self):
        return f"{self.value:+d} by {self.user_id} on {self.comment_id}"


class FlaggedComment(Comment):
    """The moderators' queue: posts with open flags, most flagged first."""

    class Meta:
        proxy = True
        verbose_name = "flagged post"
        verbose_name_plural = "flag queue"


class BanQuerySet(models.QuerySet):
    def active(self, now=None):
        now = now or timezone.now()
        return self.filter(lifted_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class Ban(models.Model):
    """A user barred from posting, for a time or for good; they can still log in and read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bans"
    )
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bans_given"
    )
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: for good.")
    lifted_at = models.DateTimeField(null=True, blank=True)
    # What the ban removed of the user's (remove_posts), so that lifting it can restore
    # exactly those and never what moderators removed for other reasons.
    removed_posts = models.ManyToManyField(Comment, blank=True, related_name="+")
    removed_threads = models.ManyToManyField(Thread, blank=True, related_name="+")

    objects = BanQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="ban_user_idx")]

    def __str__(self):
        return f"{self.user} {self.until}"

    @property
    def until(self) -> str:
        """How long the ban lasts, in the words the banned user and the log are told."""
        return f"until {self.expires_at:%Y-%m-%d %H:%M} UTC" if self.expires_at else "for good"


class Flag(models.Model):
    """A reader's report of a post or a thread, once per reader and item."""

    class Reason(models.TextChoices):
        OFF_TOPIC = "off-topic", "off-topic"
        UNKIND = "unkind", "unkind"
        SPAM = "spam", "spam"
        TROLL = "troll", "troll"
        OTHER = "other", "other"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="flags"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="flag_once_per_user"),
        ]
        indexes = [models.Index(fields=["resolved_at", "comment"], name="flag_open_idx")]

    def __str__(self):
        return f"{self.reason} by {self.user_id} on {self.comment_id}"


class ModerationAction(models.Model):
    """One line of the public moderation log."""

    class Kind(models.TextChoices):
        REMOVE = "remove", "removed a post"
        REMOVE_ALL = "remove-all", "removed every post of a user"
        RESTORE = "restore", "restored a post"
        MOVE = "move", "moved a sub-conversation"
        LOCK = "lock", "locked a thread"
        UNLOCK = "unlock", "unlocked a thread"
        PIN = "pin", "pinned a thread"
        UNPIN = "unpin", "unpinned a thread"
        REMOVE_THREAD = "remove-thread", "removed a thread"
        RESTORE_THREAD = "restore-thread", "restored a thread"
        RETITLE = "retitle", "edited a thread's title"
        BAN = "ban", "banned a user"
        UNBAN = "unban", "lifted a ban"
        RESTORE_ALL = "restore-all", "restored what a ban removed"
        DISMISS_FLAGS = "dismiss", "dismissed flags"

    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the action was on, as the log shows it: kept even if the item goes away.
    target = models.CharField(max_length=300)
    # What the log links to, at most one of the three; emptied if the item is deleted.
    comment = models.ForeignKey(
        "Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    thread = models.ForeignKey(
        Thread, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["-created_at"], name="modlog_created_idx")]

    def __str__(self):
        return f"{self.moderator} {self.get_kind_display()}: {self.target}"

    @property
    def target_url(self) -> str:
        """Where the log links its target, or "" when that is gone: read with the thread and
        the user (selectors.moderation_log), as the links name them by their op and username."""
        if self.comment_id:
            return links.item(self.comment_id)
        acted_on = self.thread or self.user
        return acted_on.get_absolute_url() if acted_on else ""


class Favorite(models.Model):
    """A post a user keeps in their public favorites; a thread's is its opening post's."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites"
    )
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "comment"], name="favorite_once_per_user"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="favorite_user_idx")]

    def __str__(self):
        return f"{self.comment_id} kept by {self.user_id}"


class HiddenThread(models.Model):
    """A thread a reader took off their lists (front, newest, best) until they bring it back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hidden_threads"
    )
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "thread"], name="hide_once_per_user"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="hidden_user_idx")]

    def __str__(self):
        return f"{self.thread_id} hidden by {self.user_id}"
