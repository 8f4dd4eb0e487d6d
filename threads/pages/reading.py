"""Reading pages: front, thread, comment, discussion, source, links and the moderation log."""

import functools
from dataclasses import dataclass, replace

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from forum.exceptions import ForumError
from forum.http import int_param, paged, read_only, text_response, wants_text
from threads.caching import list_pages, page_cache, stencils
from threads.caching.readers import Audience, audience, thread_reader
from threads.caching.viewer_data import viewer_votes
from threads.core import policies, selectors
from threads.core.ranking import order_best_first
from threads.drawing import page_posts, textform
from threads.models import Comment
from threads.pages import offers, thread_order
from threads.pages.lookups import post_from_request

POSTS_MARK = "<!--posts-->"


@read_only
def front(request):
    spec = list_pages.ThreadList(select=selectors.threads_ranked, ranked=True)
    return list_pages.thread_list_page(request, spec)


@read_only
def newest(request):
    return list_pages.thread_list_page(request, _sorted_list(selectors.threads_newest, "newest"))


@read_only
def best(request):
    return list_pages.thread_list_page(request, _sorted_list(selectors.threads_best, "best"))


def _sorted_list(select, heading: str) -> list_pages.ThreadList:
    return list_pages.ThreadList(
        select=select, title=heading, heading=f"{heading.capitalize()} threads"
    )


@read_only
def item(request):
    shared_by = audience(request)
    if page := _thread_page_kept(request, shared_by):
        return thread_order.remembered(request, page)
    post = post_from_request(request)
    if post.is_op:
        return _thread_page_drawn(request, post, shared_by)
    return _comment_page(request, post)


def _thread_page_drawn(request, op: Comment, shared_by: Audience):
    """The thread page drawn from the database: kept for everyone if everyone shares it (the
    text form, an anonymous reader), else the reader's own."""
    thread = op.thread
    order = thread_order.chosen(request)
    version = page_cache.thread_version(thread, variant=order)
    if shared_by is not Audience.EVERYONE:
        return thread_order.remembered(request, _thread_html(request, op, order=order))
    if wants_text(request):
        render = lambda _: _thread_text(thread, order)  # noqa: E731
    else:
        render = functools.partial(_thread_html, op=op, order=order)
    page = page_cache.page_response(request, version, render, _params(request))
    return thread_order.remembered(request, page)


def _thread_page_kept(request, shared_by: Audience) -> HttpResponse | None:
    """The thread page from the cache: whole for a reader everyone shares it with, filled in
    from its stencil for a logged-in one; None if it is not kept (or not a thread's page)."""
    if shared_by is Audience.OWN:
        return None
    stamp = selectors.thread_stamp(op_id=int_param(request, "id"))
    if stamp is None:
        return None
    # An address that names no order shows the reader's remembered one (thread_order).
    version = page_cache.thread_version(stamp, variant=thread_order.chosen(request))
    params = _params(request)
    if shared_by is Audience.EVERYONE:
        return page_cache.shared_page(request, version, params)
    return stencils.served(
        request,
        version,
        params,
        shared_by=shared_by,
        draw=lambda: _thread_stencil(request),
        reader_of=lambda _: thread_reader(request.user, stamp, op_id=int_param(request, "id")),
        thread=True,
    )


def _thread_stencil(request) -> stencils.Stencil:
    # Drawn at the address as every reader makes it: one reader's query is not the next one's.
    order = thread_order.chosen(request)
    shared = page_cache.shared_request(request, _params(request))
    return stencils.cut(_thread_html(shared, post_from_request(shared), stencil=True, order=order))


def _params(request) -> dict[str, str]:
    """What a thread page reads from its query: the post's id (read as a whole number by the
    time the page is looked up), the order its address names if it names one (the order shown
    is in the page's version: _version) and whether it is the text form."""
    order = thread_order.asked(request)
    return (
        {"id": str(int_param(request, "id"))}
        | ({"order": order} if order else {})
        | page_cache.text_param(request)
    )


@dataclass(frozen=True)
class ThreadComments:
    """What every reader of a thread page sees the same: the OP and the rendered comments."""

    op: page_posts.DrawnPost
    op_replies: str
    posts: bytes

    @property
    def nbytes(self) -> int:
        return len(self.posts) + len(self.op_replies) + len(self.op.html) + len(self.op.text)


def _thread_comments(thread, order: str) -> ThreadComments:
    op, *posts = page_posts.build(_thread_rows(thread, order))
    on_page = {post.id for post in posts} | {op.id}
    return ThreadComments(
        op=replace(op, replies=[]),
        op_replies=page_posts.replies_html(op, on_page),
        posts=page_posts.posts_bytes(
            posts,
            replies_open=not thread.is_locked,
            extra_ids=[op.id],
            top_glyph=order == "time",
        ),
    )


def _thread_rows(thread, order: str, *, text: bool = False) -> list[tuple]:
    """A thread's rows in the order named: zlacker's (time: every post by its number, which
    is its item id's distance from the story's when imported, else the order it was written)
    or best first among siblings (tree)."""
    by_number = order == "time"
    rows = selectors.thread_posts(
        thread_id=thread.pk, html=not text, text=text, by_number=by_number
    )
    return rows if by_number else order_best_first(rows, timezone.now())


def _thread_html(request, op: Comment, *, order: str, stencil: bool = False) -> HttpResponse:
    """The thread page; with holes for the reader's own if `stencil` (threads.stencils)."""
    thread = op.thread
    comments = page_cache.cached(
        page_cache.thread_key(thread, f"comments.{order}"),
        lambda: _thread_comments(thread, order),
    )
    form_key = stencils.marks().form_key if stencil else ""
    viewer = stencils.context() if stencil else viewer_votes(request.user, thread_id=thread.pk)
    context = {
        "thread": thread,
        "op": comments.op,
        "op_replies": comments.op_replies,
        "posts_html": POSTS_MARK,
        # No arrow for a reader who may not vote (a stencil is never drawn for one).
        "thread_votes": ""
        if viewer.get("viewer_no_votes")
        else page_posts.vote_links(op.pk, down=False),
        "other_order": thread_order.other(order),
        **offers.under_post(op, request.user, form_key=form_key),
        **viewer,
    }
    # The comments, megabytes on a big thread, are spliced in as bytes: passed through the
    # template they would be copied three times over.
    head, tail = render_to_string("threads/thread.html", context, request).split(POSTS_MARK)
    return HttpResponse([head.encode(), comments.posts, tail.encode()])


def _thread_text(thread, order: str) -> HttpResponse:
    op, *posts = page_posts.build(_thread_rows(thread, order, text=True))
    return text_response(textform.thread_page(thread, op, posts, top_glyph=order == "time"))


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
    posts = page_posts.build(rows, parent_names={parent.pk: parent.name})
    _refuse_left_out(post, posts[:1])
    if wants_text(request):
        return text_response(textform.comment_page(post.thread.title, posts))
    viewer = viewer_votes(request.user, thread_id=post.thread_id)
    drawn = _in_full(post, request.user) | {"extra_ids": [shown.id for shown in posts]}
    # The reply box answers the page's post: drawn right under it, before the replies below.
    context = {
        "thread": post.thread,
        "post": post,
        "removal_reason": _removal_reason_for(request.user, post),
        "op_id": post.thread.op_id,
        "post_html": page_posts.posts_html(posts[:1], **drawn),
        "posts_html": page_posts.posts_html(posts[1:], **drawn),
        **offers.under_post(post, request.user),
        **viewer,
    }
    return render(request, "threads/comment.html", context)


def _posts_with_one_in_full(posts, post: Comment, user, **options) -> str:
    """The posts, the page's own (`post`) with the actions its reader is offered."""
    return page_posts.posts_html(posts, **_in_full(post, user), **options)


def _in_full(post: Comment, user) -> dict:
    """How posts are drawn beside the page's own (`post`), shown with the actions its reader is
    offered: [reply] only where the reply page would take their reply, as the form says."""
    shown = offers.post_offers(post, user)
    return {
        "replies_open": shown.reply and not post.thread.is_locked,
        "shown_in_full": (post.pk, shown),
    }


def _refuse_left_out(post: Comment, shown: list[page_posts.DrawnPost]) -> None:
    """A post deleted by its author is left out of the page unless replies keep its place:
    then the page it would open has nothing to show."""
    if not shown or shown[0].id != post.pk:
        raise ForumError("This post was deleted by its author.", status=410)


@read_only
def discussion(request):
    post = post_from_request(request)
    if post.is_op:
        return _thread_page_drawn(request, post, audience(request))
    text = wants_text(request)
    op, *chain = page_posts.build(selectors.chain_posts(post=post, html=not text, text=text))
    _refuse_left_out(post, chain[-1:])
    if wants_text(request):
        return text_response(textform.discussion_page(post.thread.title, chain))
    context = {
        "thread": post.thread,
        "op": op,
        "posts_html": _posts_with_one_in_full(chain, post, request.user, discussion_link=False),
        **viewer_votes(request.user, thread_id=post.thread_id),
    }
    return render(request, "threads/discussion.html", context)


@read_only
def source(request):
    post = post_from_request(request)
    if post.state == Comment.State.DEAD and policies.dead_text_shown(user=request.user):
        return text_response(post.text)
    return text_response(page_posts.PLACEHOLDERS.get(post.state, post.text))


@read_only
def links(request):
    op = post_from_request(request)
    # Which posts have links is read from their html, so the text form needs both bodies.
    rows = selectors.thread_posts(thread_id=op.tree_id, text=wants_text(request))
    posts = page_posts.build(order_best_first(rows, timezone.now()))
    shown = [post for post in posts if post.has_links]
    if wants_text(request):
        return text_response(textform.links_page(op.thread.title, shown))
    context = {
        "thread": op.thread,
        "op": op,
        "posts_html": page_posts.posts_html(shown, replies_open=not op.thread.is_locked),
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
