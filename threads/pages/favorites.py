"""Favorites and hidden threads: the forms that keep or drop an item, and the lists of them."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from forum import links
from forum.http import paged, read_only, safe_redirect, text_response, wants_json, wants_text
from threads.core import keeping, policies
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
    """GET asks to confirm (to take back what is kept already); POST keeps (or, with un=t,
    drops) the item and goes back, or answers static/inplace.js in JSON."""
    post = post_from_request(request)
    undo = request.GET.get("un") == "t"
    if request.method != "POST":
        return _confirm_page(request, page, post, undo)
    service, _ = KEEPING[page, undo]
    if page == "fave":
        service(user=request.user, comment_id=post.pk)
    else:
        service(user=request.user, op_id=post.pk)
    if wants_json(request):
        return JsonResponse({"id": post.pk, "kind": page, "kept": not undo})
    return HttpResponseRedirect(_back_to(request, post))


def _confirm_page(request, page: str, post, undo: bool):
    kept = _is_kept(request.user, page, post)
    # Told before the click, as /vote and /flag do.
    if undo or kept:
        policies.refuse(policies.unkeep_refusal(user=request.user))
    else:
        policies.refuse(KEEPING_REFUSALS[page](user=request.user, comment=post))
    # Kept already, the page offers to take it back, never to keep it again.
    undo = undo or kept
    goto = request.GET.get("goto", "")
    context = {
        "post": post,
        "question": KEEPING[page, undo][1],
        "kept": kept,
        "kind": page,
        "goto": goto,
        "action": links.page(page, id=post.pk, un="t" if undo else "", goto=goto),
    }
    return render(request, "threads/keep.html", context)


def _is_kept(user, page: str, post) -> bool:
    if page == "fave":
        return keeping.is_favorite(user=user, comment_id=post.pk)
    return post.is_op and post.thread_id in keeping.hidden_among(user=user, threads=[post.thread])


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
        page = paged(request, partial(keeping.favorite_comments, username=shown.username))
        heading = f"{shown.username}'s favorite comments"
        if wants_text(request):
            return text_response(textform.comment_list(heading, page.items))
        query = urlencode({"id": shown.username, "comments": "t"})
        context = {"heading": heading, "comments": page.items, "unfave": owner}
        return render(request, "registration/comments.html", _more(context, page, query))
    select = partial(keeping.favorite_threads, username=shown.username)
    heading = f"{shown.username}'s favorite threads"
    return _listed_threads(request, select, heading, urlencode({"id": shown.username}), owner)


@read_only
@login_required
def hidden(request):
    select = partial(keeping.hidden_threads, user=request.user)
    return _listed_threads(
        request, select, "hidden threads", "", False, unhide=True, page_heading="Hidden threads"
    )


def _listed_threads(request, select, heading, query, unfave, *, unhide=False, page_heading=""):
    page = paged(request, select)
    if wants_text(request):
        return text_response(textform.thread_list(page.items, start=page.start, heading=heading))
    context = {
        "threads": page.items,
        "start": page.start,
        "heading": heading,
        # A user's name as written, as the list of their favorite comments says it.
        "page_heading": page_heading or heading,
        "unfave": unfave,
        "unhide": unhide,
        "hidden_ids": keeping.hidden_among(user=request.user, threads=page.items),
    }
    return render(request, "threads/front.html", _more(context, page, query))


def _more(context: dict, page, query: str) -> dict:
    return {**context, "next_page": page.next_page, "more_query": query}
