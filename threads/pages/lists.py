"""Lists across the forum: the newest comments and the threads from one site."""

from functools import partial

from django.core.exceptions import BadRequest
from django.shortcuts import render

from forum.http import paged, read_only, text_response, wants_text
from threads.caching import list_pages
from threads.core import selectors
from threads.drawing import textform

# A host name: labels of letters, digits and hyphens, joined by dots, at most this long.
MAX_SITE_LENGTH = 253


@read_only
def newcomments(request):
    return list_pages.comment_list_page(request, render_page=_newcomments, params={})


def _newcomments(request):
    page = paged(request, selectors.comments_newest)
    heading = "newest comments"
    if wants_text(request):
        return text_response(textform.comment_list(heading, page.items))
    context = {"heading": heading, "comments": page.items, "next_page": page.next_page}
    return render(request, "registration/comments.html", context)


def _site_from(request) -> str:
    site = request.GET.get("site", "").strip().lower().removeprefix("www.")
    labels = site.split(".")
    if len(site) > MAX_SITE_LENGTH or not all(_is_label(label) for label in labels):
        raise BadRequest("Name a site as example.com: ?site=example.com.")
    return site


def _is_label(label: str) -> bool:
    # Letters of any script: a url's host is stored as its writer typed it (bücher.de).
    return bool(label) and label.replace("-", "").isalnum()


@read_only
def site_threads(request):
    site = _site_from(request)
    spec = list_pages.ThreadList(
        select=partial(selectors.threads_from, site=site),
        title=f"threads from {site}",
        heading=f"Threads from {site}",
        params={"site": site},
        text_heading=f"threads from {site}",
        kept=False,
    )
    return list_pages.thread_list_page(request, spec)
