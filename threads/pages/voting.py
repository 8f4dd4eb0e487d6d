"""The vote endpoint: a confirmation form without JavaScript, a JSON answer for vote.js."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from forum.http import safe_redirect, wants_json
from threads.core import policies
from threads.models import Comment, Vote
from threads.pages.lookups import post_from_request, post_in_thread, post_shown_to
from threads.services.votes import comment_vote, vote_withdraw

HOW = {"up": "vote up", "down": "vote down", "un": "take back your vote on"}


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def vote(request):
    """/vote?id=N&how=up|down|un: GET asks to confirm, POST votes and goes back to the post."""
    how = request.GET.get("how", "")
    if how not in HOW:
        raise BadRequest(f"how must be up, down or un, not {how!r}.")
    # Found as every page finds a post: a removed thread's post says so, here as on /flag.
    post = post_from_request(request)
    # Only the confirmation's POST votes: a link, even one a log-in led to, asks first.
    if request.method != "POST":
        return _confirm_page(request, post, how)
    comment = _cast(request.user, post.pk, how)
    if wants_json(request):
        return JsonResponse(_state(comment, request.user))
    return HttpResponseRedirect(_back_to(request, comment))


def _cast(user, post_id: int, how: str) -> Comment:
    if how == "un":
        return vote_withdraw(comment_id=post_id, user=user)
    return comment_vote(comment_id=post_id, user=user, direction=how)


def _state(comment: Comment, user) -> dict:
    vote = Vote.objects.filter(user=user, comment=comment).values_list("value", flat=True)
    return {
        "id": comment.pk,
        "points": comment.points,
        "vote": vote.first() or 0,
        "thread": comment.is_op,
    }


def _back_to(request, comment: Comment) -> str:
    goto = request.POST.get("goto", "") or request.GET.get("goto", "")
    return safe_redirect(request, goto, fallback=post_in_thread(comment))


def _confirm_page(request, post: Comment, how: str):
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
