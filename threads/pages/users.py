"""A user's pages: their profile, their comments (/threads) and their submissions."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from forum.accounts import forms
from forum.accounts.models import User
from forum.exceptions import ForumError
from forum.http import form_page, paged, read_only, text_response, wants_text
from threads.caching import list_pages
from threads.core import selectors
from threads.drawing import textform
from threads.pages.lookups import user_or_404
from threads.services.profiles import profile_update
from threads.text import markup


@require_http_methods(["GET", "HEAD", "POST"])
def user(request):
    shown = user_or_404(request)
    owner = request.user.is_authenticated and request.user.pk == shown.pk
    if request.method == "POST" and not owner:
        raise PermissionDenied("Only its owner can change this profile.")
    form = (
        forms.ProfileForm(request.POST if request.method == "POST" else None, instance=shown)
        if owner
        else None
    )
    if request.method == "POST":
        if not form.is_valid():
            return _user_page(request, shown, form, status=400)
        try:
            profile_update(user=request.user, **form.cleaned_data)
        except ForumError as error:
            return _user_page(request, shown, form, error=error)
        messages.success(request, "Saved.")
        return HttpResponseRedirect(shown.get_absolute_url())
    if wants_text(request):
        return text_response(textform.user_page(shown))
    return _user_page(request, shown, form)


def _user_page(request, shown: User, form, *, status: int = 200, error=None):
    context = {
        "shown": shown,
        "about_html": markup.render(shown.about),
        "form": form,
        "imported_note": textform.IMPORTED_NOTE,
    }
    return form_page(request, "registration/user.html", context, status=status, error=error)


@read_only
def comments(request):
    params = {"id": _name_param(request)}
    return list_pages.comment_list_page(request, render_page=_comments, params=params)


def _comments(request):
    shown = user_or_404(request)
    page = paged(request, partial(selectors.comments_by, username=shown.username))
    if wants_text(request):
        return text_response(textform.comment_list(f"{shown.username}'s comments", page.items))
    context = {
        "heading": f"{shown.username}'s comments",
        "points_shown": request.user.pk == shown.pk,
        "comments": page.items,
        "next_page": page.next_page,
        "more_query": urlencode({"id": shown.username}),
    }
    return render(request, "registration/comments.html", context)


@read_only
def submitted(request):
    shown = user_or_404(request)
    heading = f"{shown.username}'s submissions"
    spec = list_pages.ThreadList(
        select=partial(selectors.threads_by, username=shown.username),
        title=heading,
        heading=f"Threads submitted by {shown.username}",
        params={"id": shown.username},
        text_heading=heading,
        hides=False,
    )
    return list_pages.thread_list_page(request, spec)


def _name_param(request) -> str:
    """The user a page is about, as its cache entry is keyed: names are matched whatever
    their case, and the page shows the name as its owner spells it."""
    return request.GET.get("id", "").lower()
