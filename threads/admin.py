"""Admin for threads and their comments, comments listed as a tree per thread."""

from django.contrib import admin

from . import zlacker
from .models import Comment, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "created_at", "comment_count", "is_locked", "is_pinned")
    list_filter = ("is_locked", "is_pinned", "is_removed")
    search_fields = ("title", "author__username")
    list_select_related = ("author",)
    fields = ("title", "url", "author", "created_at", "comment_count", "last_activity")
    readonly_fields = ("author", "created_at", "comment_count", "last_activity")

    def has_add_permission(self, request):
        # A thread is born with its opening post, which only the forum's services create.
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ("tree_name", "thread", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("text", "author__username")
    list_select_related = ("author", "thread")
    # Tree order, depth shown by the zlacker glyphs: the CSP forbids inline indentation styles.
    ordering = ("tree_id", "lft")
    list_per_page = 200
    # Changes to text and tree go through the forum's services, which render and lock.
    readonly_fields = (
        "thread",
        "parent",
        "author",
        "ref",
        "text",
        "state",
        "created_at",
        "edited_at",
    )
    exclude = ("html",)

    def has_add_permission(self, request):
        return False

    @admin.display(description="post", ordering="lft")
    def tree_name(self, comment: Comment) -> str:
        return f"{zlacker.glyphs(comment.level)} {comment.name}".strip()
