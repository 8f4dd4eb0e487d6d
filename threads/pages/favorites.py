"""Favorites and hidden threads: the forms that keep or drop an item, and the lists of them."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from forum.http import paged, read_only, safe_redirect, text_response, wants_text
from threads.core import policies, selectors
from threads.drawing import textform
from threads.pages.lookups import post_from_request, user_or_404
from threads.services.keeping import favorite_add, favorite_remove, thread_hide, thread_unhide

# (service, question) for each form, by its page's name and whether it takes back (un=t).
KEEPING = {
    ("fave", False): (favorite_add, "Add to your favorites"),
    ("fave", True): (favorite_remove, "Take out of your favorites"),
    ("hide", False): (thread_hide, "Hide from your lists"),
    ("hide", True): (thread_unhide, "Bring back to your lists"),
}


KEEPING_REFUSALS = {"fave": policies.keep_refusal, "hide": policies.hide_refusal}


def _keeping_form(request, page: str):
    """GET asks to confirm; POST keeps (or, with un=t, drops) the item and goes back."""
    post = post_from_request(request)
    undo = request.GET.get("un") == "t"
    service, question = KEEPING[page, undo]
    if request.method != "POST":
        # Told before the click, as /vote and /flag do.
        if undo:
            policies.refuse(policies.unkeep_refusal(user=request.user))
        else:
            policies.refuse(KEEPING_REFUSALS[page](user=request.user, comment=post))
        context = {"post": post, "question": question, "goto": request.GET.get("goto", "")}
        return render(request, "threads/keep.html", context)
    if page == "fave":
        service(user=request.user, comment_id=post.pk)
    else:
        service(user=request.user, op_id=post.pk)
    return HttpResponseRedirect(_back_to(request, post))


def _back_to(request, post) -> str:
    return safe_redirect(request, request.POST.get("goto", ""), fallback=post.get_absolute_url())


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def fave(request):
    return _keeping_form(request, "fave")


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def hide(request):
    return _keeping_form(request, "hide")


@read_only
def favorites(request):
    """A user's favorites, public as on Hacker News: threads, or with comments=t, comments."""
    shown = user_or_404(request)
    owner = request.user.pk == shown.pk
    if request.GET.get("comments") == "t":
        page = paged(request, partial(selectors.favorite_comments, username=shown.username))
        heading = f"{shown.username}'s favorite comments"
        if wants_text(request):
            return text_response(textform.comment_list(heading, page.items))
        query = urlencode({"id": shown.username, "comments": "t"})
        context = {"heading": heading, "comments": page.items, "unfave": owner}
        return render(request, "registration/comments.html", _more(context, page, query))
    select = partial(selectors.favorite_threads, username=shown.username)
    heading = f"{shown.username}'s favorite threads"
    return _listed_threads(request, select, heading, urlencode({"id": shown.username}), owner)


@read_only
@login_required
def hidden(request):
    select = partial(selectors.hidden_threads, user=request.user)
    return _listed_threads(request, select, "hidden threads", "", False, unhide=True)


def _listed_threads(request, select, heading, query, unfave, *, unhide=False):
    page = paged(request, select)
    if wants_text(request):
        return text_response(textform.thread_list(page.items, start=page.start, heading=heading))
    context = {
        "threads": page.items,
        "start": page.start,
        "heading": heading,
        # The first letter alone: a user's name keeps its own case.
        "page_heading": heading[:1].upper() + heading[1:],
        "unfave": unfave,
        "unhide": unhide,
        "hidden_ids": selectors.hidden_among(user=request.user, threads=page.items),
    }
    return render(request, "threads/front.html", _more(context, page, query))


def _more(context: dict, page, query: str) -> dict:
    return {**context, "next_page": page.next_page, "more_query": query}
