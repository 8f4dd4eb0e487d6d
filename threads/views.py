"""Reading pages: front, thread, comment, discussion, source, links and the moderation log."""

import functools
from dataclasses import dataclass, replace

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from forum.exceptions import ForumError
from forum.http import int_param, paged, read_only, text_response, wants_text

from . import forms, page_cache, pages, policies, selectors, textform
from .models import Comment
from .ranking import order_best_first

POSTS_MARK = "<!--posts-->"


def post_from_request(request) -> Comment:
    post_id = int_param(request, "id")
    try:
        return selectors.post_get(post_id=post_id)
    except Comment.DoesNotExist:
        if thread := selectors.removed_thread_of(post_id=post_id):
            raise Http404(_thread_removed_message(request.user, thread)) from None
        raise Http404(f"There is no post with id {post_id}.") from None


def _thread_removed_message(viewer, thread) -> str:
    """Only the thread's author is told why it was removed, as with a removed post."""
    message = "This thread was removed by a moderator."
    if viewer.is_authenticated and viewer.pk == thread.author_id:
        reason = selectors.thread_removal_reason(thread=thread) or "no reason was given"
        message += f" Reason: {reason}"
    return message


def viewer_votes(user, *, thread_id: int | None = None, threads=()) -> dict:
    """What static/vote.js needs to mark this reader's arrows, [flag], [edit] and [delete]
    links, kept out of the shared post HTML: their votes, their own posts (with the points only
    they see, and which of them they may still edit or delete), the posts they flagged, and
    whether they may downvote. Three queries for a reader who is logged in (four with posts of
    their own in the thread, two on a list of threads), none otherwise."""
    if not user.is_authenticated:
        return {}
    editable = deletable = []
    if thread_id is not None:
        voted = selectors.votes_in_thread(user=user, thread_id=thread_id)
        own_posts = selectors.own_posts_in_thread(user=user, thread_id=thread_id)
        own = {post.pk: post.points for post in own_posts}
        editable, deletable = _open_to_author(user, own_posts)
        flagged = selectors.flagged_in_thread(user=user, thread_id=thread_id)
    else:
        flagged = []
        voted = selectors.votes_on(user=user, comment_ids=[thread.op_id for thread in threads])
        own = {thread.op_id: thread.points for thread in threads if thread.author_id == user.pk}
    return {
        "viewer_voted": " ".join(f"{pk}:{value}" for pk, value in voted.items()),
        "viewer_own": " ".join(f"{pk}:{points}" for pk, points in own.items()),
        "viewer_editable": " ".join(map(str, editable)),
        "viewer_deletable": " ".join(map(str, deletable)),
        "viewer_flagged": " ".join(map(str, flagged)),
        "viewer_downvotes": user.karma >= settings.FORUM_DOWNVOTE_KARMA,
    }


def _open_to_author(user, own_posts: list[Comment]) -> tuple[list[int], list[int]]:
    """The ids of the author's posts they may still edit, and of those they may delete."""
    if not own_posts:
        return [], []
    author = policies.reader(user)  # the ban read once for all their posts
    editable = [p.pk for p in own_posts if not policies.edit_refusal(user=author, comment=p)]
    deletable = [p.pk for p in own_posts if not policies.delete_refusal(user=author, comment=p)]
    return editable, deletable


def _thread_list(request, select, heading: str):
    page = paged(request, functools.partial(select, hidden_by=request.user))
    if wants_text(request):
        return text_response(textform.thread_list(page.items, start=page.start))
    context = {
        "threads": page.items,
        "start": page.start,
        "next_page": page.next_page,
        "heading": heading,
        "page_heading": f"{heading.capitalize()} threads" if heading else "",
        **viewer_votes(request.user, threads=page.items),
    }
    return render(request, "threads/front.html", context)


@read_only
def front(request):
    return _thread_list(request, selectors.threads_ranked, "")


@read_only
def newest(request):
    return _thread_list(request, selectors.threads_newest, "newest")


@read_only
def best(request):
    return _thread_list(request, selectors.threads_best, "best")


@read_only
def item(request):
    text = wants_text(request)
    if text or _may_share(request):
        stamp = selectors.thread_stamp(op_id=int_param(request, "id"))
        if stamp and (shared := page_cache.shared_page(request, stamp, text=text)):
            return shared
    post = post_from_request(request)
    if post.is_op:
        return _thread_page(request, post)
    return _comment_page(request, post)


def _thread_page(request, op: Comment):
    thread = op.thread
    if wants_text(request):
        return page_cache.page_response(request, thread, lambda _: _thread_text(thread), text=True)
    if not _may_share(request):
        return _thread_html(request, op)
    render = functools.partial(_thread_html, op=op)
    return page_cache.page_response(request, thread, render, text=False)


def _may_share(request) -> bool:
    """Only a page that is the same for every reader may be shared from the cache."""
    return not request.user.is_authenticated and not len(messages.get_messages(request))


@dataclass(frozen=True)
class ThreadComments:
    """What every reader of a thread page sees the same: the OP and the rendered comments."""

    op: pages.Post
    op_replies: str
    posts: bytes


def _thread_comments(thread) -> ThreadComments:
    rows = order_best_first(selectors.thread_posts(thread_id=thread.pk), timezone.now())
    op, *posts = pages.build(rows)
    on_page = {post.id for post in posts} | {op.id}
    return ThreadComments(
        op=replace(op, replies=[]),
        op_replies=pages.replies_html(op, on_page),
        posts=pages.posts_bytes(posts, replies_open=not thread.is_locked, extra_ids=[op.id]),
    )


def _thread_html(request, op: Comment) -> HttpResponse:
    thread = op.thread
    comments = page_cache.cached(
        page_cache.thread_key(thread, "comments"), lambda: _thread_comments(thread)
    )
    context = {
        "thread": thread,
        "op": comments.op,
        "op_replies": comments.op_replies,
        "posts_html": POSTS_MARK,
        "thread_votes": pages.vote_links(op.pk, down=False),
        **forms.post_actions(op, request.user),
        **viewer_votes(request.user, thread_id=thread.pk),
    }
    # The comments, megabytes on a big thread, are spliced in as bytes: passed through the
    # template they would be copied three times over.
    head, tail = render_to_string("threads/thread.html", context, request).split(POSTS_MARK)
    return HttpResponse([head.encode(), comments.posts, tail.encode()])


def _thread_text(thread) -> HttpResponse:
    rows = selectors.thread_posts(thread_id=thread.pk, html=False, text=True)
    op, *posts = pages.build(order_best_first(rows, timezone.now()))
    return text_response(textform.thread_page(thread, op, posts))


def _comment_page(request, post: Comment):
    text = wants_text(request)
    rows = order_best_first(
        selectors.subtree_posts(post=post, html=not text, text=text), timezone.now()
    )
    parent = (
        Comment.objects.select_related("author")
        .only("ref", "author__username")
        .get(pk=post.parent_id)
    )
    posts = pages.build(rows, parent_names={parent.pk: parent.name})
    _refuse_left_out(post, posts[:1])
    if wants_text(request):
        return text_response(textform.comment_page(post.thread.title, posts))
    context = {
        "thread": post.thread,
        "post": post,
        "removal_reason": _removal_reason_for(request.user, post),
        "op_id": post.thread.op_id,
        "posts_html": pages.posts_html(
            posts, replies_open=not post.thread.is_locked, shown_in_full=post.pk
        ),
        **forms.post_actions(post, request.user),
        **viewer_votes(request.user, thread_id=post.thread_id),
    }
    return render(request, "threads/comment.html", context)


def _refuse_left_out(post: Comment, shown: list[pages.Post]) -> None:
    """A post deleted by its author is left out of the page unless replies keep its place:
    then the page it would open has nothing to show."""
    if not shown or shown[0].id != post.pk:
        raise ForumError("This post was deleted by its author.", status=410)


@read_only
def discussion(request):
    post = post_from_request(request)
    if post.is_op:
        return _thread_page(request, post)
    text = wants_text(request)
    op, *chain = pages.build(selectors.chain_posts(post=post, html=not text, text=text))
    _refuse_left_out(post, chain[-1:])
    if wants_text(request):
        return text_response(textform.discussion_page(post.thread.title, chain))
    context = {
        "thread": post.thread,
        "op": op,
        "posts_html": pages.posts_html(
            chain,
            discussion_link=False,
            replies_open=not post.thread.is_locked,
            shown_in_full=post.pk,
        ),
        **viewer_votes(request.user, thread_id=post.thread_id),
    }
    return render(request, "threads/discussion.html", context)


@read_only
def source(request):
    post = post_from_request(request)
    return text_response(pages.PLACEHOLDERS.get(post.state, post.text))


@read_only
def links(request):
    op = post_from_request(request)
    # Which posts have links is read from their html, so the text form needs both bodies.
    rows = selectors.thread_posts(thread_id=op.tree_id, text=wants_text(request))
    posts = pages.build(order_best_first(rows, timezone.now()))
    shown = [post for post in posts if post.has_links]
    if wants_text(request):
        return text_response(textform.links_page(op.thread.title, shown))
    context = {
        "thread": op.thread,
        "op": op,
        "posts_html": pages.posts_html(shown, replies_open=not op.thread.is_locked),
        **viewer_votes(request.user, thread_id=op.tree_id),
    }
    return render(request, "threads/links.html", context)


def _removal_reason_for(viewer, post: Comment) -> str:
    """Only the author of a removed post is told why it was removed."""
    is_author = viewer.is_authenticated and viewer.pk == post.author_id
    if is_author and post.state == Comment.State.REMOVED:
        return post.removal_reason or "no reason was given"
    return ""


@read_only
def modlog(request):
    page = paged(request, selectors.moderation_log)
    actions = page.items
    if wants_text(request):
        return text_response(textform.modlog_page(actions))
    context = {"actions": actions, "next_page": page.next_page}
    return render(request, "threads/modlog.html", context)
