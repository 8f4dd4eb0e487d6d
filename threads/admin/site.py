"""Moderation in the Django admin: threads, posts as a tree, the flag queue and the log; bans
are in bans."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.utils.html import format_html

from forum import links
from forum.admin_lists import SelectedIdsChecked
from forum.http import whole_number
from threads.admin import moderate
from threads.admin.actions import (
    BanForm,
    FlagsDecisionForm,
    MoveForm,
    ReadOnlyChangeForm,
    ReasonForm,
    RemovalForm,
    confirm_action,
)
from threads.models import Comment, FlaggedComment, ModerationAction, Thread
from threads.services.bans import comment_remove_and_ban
from threads.services.moderation import (
    comment_move,
    comment_remove,
    comment_restore,
    flags_dismiss,
    thread_lock,
    thread_pin,
    thread_remove,
    thread_restore,
    thread_unlock,
    thread_unpin,
)
from threads.text import zlacker


class WrappedColumns:
    """Long unbroken titles and texts wrap inside their column instead of widening the list."""

    class Media:
        css = {"all": ("moderation.css",)}


@admin.register(Thread)
class ThreadAdmin(SelectedIdsChecked, WrappedColumns, moderate.ModerationPage, admin.ModelAdmin):
    list_display = (
        "title",
        "author",
        "created_at",
        "comment_count",
        "is_locked",
        "is_pinned",
        "is_removed",
    )
    list_filter = ("is_locked", "is_pinned", "is_removed")
    search_fields = ("title", "author__username")
    list_select_related = ("author",)
    actions = ("lock", "unlock", "pin", "unpin", "remove", "restore")

    def has_add_permission(self, request):
        # A thread is born with its opening post, which only the forum's services create.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The moderation page of the thread's opening post (a new title too: its retitle)."""
        object_id = unquote(object_id)
        thread_id = whole_number(object_id)
        thread = None if thread_id is None else Thread.objects.filter(pk=thread_id).first()
        return self.moderation_page(request, thread and thread.op_id, object_id)

    def _flag_action(self, request, queryset, service, title, form_class=ReasonForm):
        return confirm_action(
            self,
            request,
            queryset,
            title=title,
            form_class=form_class,
            apply=lambda thread, form: service(
                thread_id=thread.pk, moderator=request.user, reason=form.cleaned_data["reason"]
            ),
        )

    @admin.action(description="Lock: no new replies", permissions=["change"])
    def lock(self, request, queryset):
        return self._flag_action(request, queryset, thread_lock, "Lock threads")

    @admin.action(description="Unlock", permissions=["change"])
    def unlock(self, request, queryset):
        return self._flag_action(request, queryset, thread_unlock, "Unlock threads")

    @admin.action(description="Pin to the top of the front page", permissions=["change"])
    def pin(self, request, queryset):
        return self._flag_action(request, queryset, thread_pin, "Pin threads")

    @admin.action(description="Unpin", permissions=["change"])
    def unpin(self, request, queryset):
        return self._flag_action(request, queryset, thread_unpin, "Unpin threads")

    @admin.action(description="Remove from the site", permissions=["change"])
    def remove(self, request, queryset):
        return self._flag_action(request, queryset, thread_remove, "Remove threads", RemovalForm)

    @admin.action(description="Restore", permissions=["change"])
    def restore(self, request, queryset):
        return self._flag_action(request, queryset, thread_restore, "Restore threads")


class ThreadFilter(admin.SimpleListFilter):
    title = "thread"
    parameter_name = "thread"

    def lookups(self, request, model_admin):
        recent = Thread.objects.order_by("-last_activity")[:20]
        return [(str(thread.pk), thread.title[:60]) for thread in recent]

    def queryset(self, request, queryset):
        thread_id = whole_number(self.value() or "")
        return queryset if thread_id is None else queryset.filter(tree_id=thread_id)


class CommentActions:
    """Remove, restore, ban and move: shared by the post list and the flag queue."""

    def _apply_each(self, request, queryset, title, form_class, apply):
        return confirm_action(
            self, request, queryset, title=title, form_class=form_class, apply=apply
        )

    @admin.action(description="Remove (placeholder stays)", permissions=["change"])
    def remove(self, request, queryset):
        return self._apply_each(
            request,
            queryset,
            "Remove posts",
            RemovalForm,
            lambda post, form: comment_remove(
                comment_id=post.pk, moderator=request.user, reason=form.cleaned_data["reason"]
            ),
        )

    @admin.action(description="Restore", permissions=["change"])
    def restore(self, request, queryset):
        return self._apply_each(
            request,
            queryset,
            "Restore posts",
            ReasonForm,
            lambda post, form: comment_restore(
                comment_id=post.pk, moderator=request.user, reason=form.cleaned_data["reason"]
            ),
        )

    @admin.action(description="Remove and ban the author", permissions=["change"])
    def remove_and_ban(self, request, queryset):
        def apply(post, form):
            comment_remove_and_ban(
                comment_id=post.pk,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                expires_at=form.expires_at(),
                remove_posts=form.cleaned_data["remove_posts"],
            )

        return self._apply_each(
            request, queryset, "Remove posts and ban their authors", BanForm, apply
        )


@admin.register(Comment)
class CommentAdmin(
    SelectedIdsChecked,
    WrappedColumns,
    ReadOnlyChangeForm,
    moderate.ModerationPage,
    CommentActions,
    admin.ModelAdmin,
):
    # The id is what the move action asks for.
    list_display = ("tree_name", "id", "thread", "author", "state", "created_at", "excerpt")
    list_filter = ("state", ThreadFilter)
    search_fields = ("text", "author__username")
    list_select_related = ("author", "thread")
    # Tree order, depth shown by the zlacker glyphs: the CSP forbids inline indentation styles.
    ordering = ("tree_id", "lft")
    list_per_page = 200
    actions = ("remove", "restore", "remove_and_ban", "move")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        object_id = unquote(object_id)
        return self.moderation_page(request, object_id, object_id)

    def get_search_results(self, request, queryset, search_term):
        """A post's name (dr_dsh+12) or bare ref (+12) finds the post itself."""
        results, duplicates = super().get_search_results(request, queryset, search_term)
        user, _, ref = search_term.strip().rpartition("+")
        try:
            number = zlacker.decode_ref(ref)
        except ValueError:
            return results, duplicates
        named = queryset.filter(ref=number)
        if user:
            named = named.filter(author__username__istartswith=user)
        return results | named, duplicates

    @admin.display(description="post", ordering="lft")
    def tree_name(self, comment: Comment) -> str:
        return f"{zlacker.glyphs(comment.level)} {comment.name}".strip()

    @admin.display(description="text")
    def excerpt(self, comment: Comment) -> str:
        return comment.text[:50] + ("…" if len(comment.text) > 50 else "")

    @admin.action(description="Move under another post", permissions=["change"])
    def move(self, request, queryset):
        return self._apply_each(
            request,
            queryset,
            "Move sub-conversations",
            MoveForm,
            lambda post, form: comment_move(
                comment_id=post.pk,
                new_parent_id=form.cleaned_data["new_parent"].pk,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
            ),
        )


@admin.register(FlaggedComment)
class FlagQueueAdmin(SelectedIdsChecked, WrappedColumns, CommentActions, admin.ModelAdmin):
    """The queue is a list to act on with its actions: it has no change form at all."""

    list_display = ("post", "thread", "open_flags", "reasons", "state", "excerpt")
    list_select_related = ("author", "thread")
    actions = ("remove", "dismiss", "remove_and_ban")
    list_display_links = None

    def get_queryset(self, request):
        open_flags = Q(flags__resolved_at__isnull=True)
        return (
            super()
            .get_queryset(request)
            # A removed thread's posts are gone from the site: nothing to decide there.
            .filter(thread__is_removed=False)
            # The flags against a moderator's own post are another moderator's to decide.
            .exclude(author=request.user)
            .annotate(open_count=Count("flags", filter=open_flags))
            .filter(open_count__gt=0)
            .order_by("-open_count", "-created_at")
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        # Only the list: Django's change URL would edit every field of the post.
        return [url for url in super().get_urls() if (url.name or "").endswith("_changelist")]

    @admin.display(description="post")
    def post(self, comment):
        # To the post's moderation page, where its flags are dismissed or upheld with a reason.
        return format_html(
            '<a href="{}">{}</a>', links.moderate("comment", comment.pk), comment.name
        )

    @admin.display(description="flags", ordering="open_count")
    def open_flags(self, comment):
        return comment.open_count

    @admin.display(description="reasons")
    def reasons(self, comment):
        return ", ".join(sorted({flag.reason for flag in comment.open_flag_list}))

    @admin.display(description="text")
    def excerpt(self, comment):
        return comment.text[:80]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        _attach_open_flags(changelist.result_list)
        return changelist

    def changelist_view(self, request, extra_context=None):
        # Its own words, not "Select flagged post to change": nothing here is changed by hand.
        return super().changelist_view(request, {"title": "Flag queue", **(extra_context or {})})

    @admin.action(description="Dismiss the flags", permissions=["change"])
    def dismiss(self, request, queryset):
        return self._apply_each(
            request,
            queryset,
            "Dismiss flags",
            FlagsDecisionForm,
            lambda post, form: flags_dismiss(
                comment_id=post.pk, moderator=request.user, reason=form.cleaned_data["reason"]
            ),
        )


def _attach_open_flags(posts) -> None:
    """One query for the open flags of a page of the queue."""
    from threads.models import Flag

    by_post: dict[int, list] = {post.pk: [] for post in posts}
    for flag in Flag.objects.filter(comment__in=list(by_post), resolved_at__isnull=True):
        by_post[flag.comment_id].append(flag)
    for post in posts:
        post.open_flag_list = by_post[post.pk]


@admin.register(ModerationAction)
class ModerationActionAdmin(SelectedIdsChecked, WrappedColumns, admin.ModelAdmin):
    list_display = ("created_at", "moderator", "kind", "target", "reason")
    list_filter = ("kind",)
    list_select_related = ("moderator",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
