"""The vote endpoint: a confirmation form without JavaScript, a JSON answer for vote.js."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from forum.exceptions import ForumError

from . import policies, selectors, services
from .models import Comment, Vote
from .views import BadRequest, error_response, int_param
from .writing import post_in_thread, post_shown_to

HOW = {"up": "vote up", "down": "vote down", "un": "take back your vote on"}


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def vote(request):
    """/vote?id=N&how=up|down|un: GET asks to confirm, POST votes and goes back to the post."""
    try:
        post_id = int_param(request, "id")
        how = request.GET.get("how", "")
        if how not in HOW:
            raise BadRequest(f"how must be up, down or un, not {how!r}.")
        if request.method != "POST":
            return _confirm_page(request, post_id, how)
        comment = _cast(request.user, post_id, how)
    except BadRequest as error:
        return _refused(request, 400, str(error))
    except ForumError as error:
        return _refused(request, error.status, str(error))
    if wants_json(request):
        return JsonResponse(_state(comment, request.user))
    return HttpResponseRedirect(_back_to(request, comment))


def _cast(user, post_id: int, how: str) -> Comment:
    if how == "un":
        return services.vote_withdraw(comment_id=post_id, user=user)
    return services.comment_vote(comment_id=post_id, user=user, direction=how)


def _state(comment: Comment, user) -> dict:
    vote = Vote.objects.filter(user=user, comment=comment).values_list("value", flat=True)
    return {
        "id": comment.pk,
        "points": comment.points,
        "vote": vote.first() or 0,
        "thread": comment.is_op,
    }


def _refused(request, status: int, message: str):
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return error_response(request, status, message)


def _back_to(request, comment: Comment) -> str:
    goto = request.POST.get("goto", "")
    if goto and url_has_allowed_host_and_scheme(goto, allowed_hosts={request.get_host()}):
        return goto
    return post_in_thread(comment)


def _confirm_page(request, post_id: int, how: str):
    try:
        post = selectors.post_get(post_id=post_id)
    except Comment.DoesNotExist:
        raise ForumError(f"There is no post with id {post_id}.", status=404) from None
    # Refused at once, not after a click: own post, voted already, no karma to downvote, ...
    if how == "un":
        policies.refuse(policies.unvote_refusal(user=request.user, comment=post))
    else:
        policies.refuse(policies.vote_refusal(user=request.user, comment=post, direction=how))
    context = {
        "post": post,
        "how": how,
        "question": HOW[how],
        "post_html": "" if post.is_op else post_shown_to(request.user, post),
        "goto": request.GET.get("goto", ""),
    }
    return render(request, "threads/vote.html", context)
