"""Admin for threads and their comments, comments shown as a tree per thread."""

from django.contrib import admin
from mptt.admin import MPTTModelAdmin

from .models import Comment, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "created_at", "comment_count", "is_locked", "is_pinned")
    list_filter = ("is_locked", "is_pinned", "is_removed")
    search_fields = ("title", "author__username")
    list_select_related = ("author",)
    raw_id_fields = ("author",)


@admin.register(Comment)
class CommentAdmin(MPTTModelAdmin):
    list_display = ("name", "thread", "state", "created_at")
    list_filter = ("state",)
    search_fields = ("text", "author__username")
    list_select_related = ("author", "thread")
    raw_id_fields = ("author",)
    # Adding, moving and deleting posts change the tree: they go through threads/services.py,
    # under the thread lock, never through a plain model save.
    readonly_fields = ("html", "parent", "thread")
    mptt_level_indent = 16
    list_per_page = 200

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
