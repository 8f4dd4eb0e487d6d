"""The thread page as a django-mptt user would write it: recursetree, a template per comment."""

from django.shortcuts import get_object_or_404, render

from threads.models import Comment


def thread_page(request):
    op = get_object_or_404(Comment.objects.select_related("thread", "author"), pk=request.GET["id"])
    nodes = Comment.objects.filter(tree_id=op.tree_id).select_related("author")
    return render(request, "bench/usual_thread.html", {"thread": op.thread, "nodes": nodes})
