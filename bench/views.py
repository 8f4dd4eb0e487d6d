"""Write endpoints for load tests: each calls one service, as the forum's own forms will.

They take the acting user's id from the request, so they are served only with
bench.settings, by the concurrency harness, and never by the forum itself.
"""

import time

from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.models import Comment
from threads.services.moderation import comment_move, comment_remove
from threads.services.posting import comment_reply, thread_create


def bench_write(write):
    @csrf_exempt
    @require_POST
    def view(request):
        user = User.objects.get(pk=int(request.POST["user"]))
        try:
            # A pause keeps the transaction, and the locks it holds, open: fault tests kill
            # the worker or start a second writer inside that window.
            with transaction.atomic():
                result = write(request.POST, user)
                time.sleep(float(request.POST.get("pause", 0)))
        except ForumError as error:
            return JsonResponse({"error": str(error)}, status=409)
        except Comment.DoesNotExist:
            return JsonResponse({"error": "no such post"}, status=404)
        return JsonResponse(result)

    view.__name__ = write.__name__
    return view


@bench_write
def reply(data, user):
    comment = comment_reply(parent_id=int(data["parent"]), author=user, text=data["text"])
    return {"id": comment.pk, "name": comment.name}


@bench_write
def thread(data, user):
    created = thread_create(author=user, title=data["title"], text=data.get("text", ""))
    return {"id": created.pk, "op": Comment.objects.get(tree_id=created.pk, level=0).pk}


@bench_write
def move(data, user):
    comment = comment_move(
        comment_id=int(data["post"]), new_parent_id=int(data["parent"]), moderator=user
    )
    return {"id": comment.pk}


@bench_write
def remove(data, user):
    comment = comment_remove(comment_id=int(data["post"]), moderator=user, reason="bench")
    return {"id": comment.pk}
