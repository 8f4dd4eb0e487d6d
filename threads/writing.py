"""Writing pages: submit, reply, edit, delete and flag, each a plain HTML form needing no script."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from forum import limits
from forum.exceptions import ForumError

from . import forms, links, pages, policies, selectors, services
from .models import Comment
from .views import BadRequest, error_response, int_param

DUPLICATE_URL_WINDOW = timedelta(days=30)
# What a form posted after its writer's session ended keeps for after the log-in.
DRAFT_KEY = "writing_draft"
DRAFT_FIELDS = ("title", "url", "text")
DRAFT_MAX_LENGTH = 2 * services.MAX_TEXT_LENGTH  # a text too long is still kept, to shorten


def writing_view(view):
    """Log-in required; GET shows the form, POST writes; bad ids get readable 400/404 pages."""

    @require_http_methods(["GET", "HEAD", "POST"])
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _log_in_first(request)
        try:
            return view(request, *args, **kwargs)
        except BadRequest as error:
            return error_response(request, 400, str(error))
        except ForumError as error:
            return error_response(request, error.status, str(error))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


def _log_in_first(request) -> HttpResponseRedirect:
    """To the log-in page, then back to the form; text posted after the session ended (the
    reader was writing meanwhile) is kept and put back into the form."""
    if request.method != "POST":
        return redirect_to_login(request.get_full_path())
    return redirect_to_login(
        draft_keep(
            request,
            note="You were logged out, so nothing was posted. Log in: what you wrote is kept.",
        )
    )


def draft_keep(request, *, note: str) -> str:
    """Keeps what this POST to a writing form holds, for that form to show again once (_draft),
    and says so with `note`; returns the form's address."""
    form_url = request.get_full_path()  # every writing form posts to its own address
    posted = {name: request.POST[name] for name in DRAFT_FIELDS if name in request.POST}
    # Bounded: a POST must not store whatever it likes in a session.
    fields = {name: value[:DRAFT_MAX_LENGTH] for name, value in posted.items()}
    if any(fields.values()):
        request.session[DRAFT_KEY] = {"url": form_url, "fields": fields}
        messages.info(request, note)
    return form_url


def _draft(request) -> dict:
    """The fields kept by _log_in_first for the form at this URL, taken once."""
    draft = request.session.get(DRAFT_KEY)
    if not draft or draft["url"] != request.get_full_path():
        return {}
    del request.session[DRAFT_KEY]
    return draft["fields"]


def form_page(request, template: str, context: dict, *, status: int = 200, error=None):
    """The form page; on a refusal, shown again with the message and the status that fits."""
    context = {**context, "error": str(error) if error else ""}
    response = render(request, template, context, status=status)
    if isinstance(error, limits.RateLimited):
        response["Retry-After"] = str(error.retry_after)
    return response


def post_in_thread(comment: Comment) -> str:
    return links.item(comment.thread.op_id, anchor=None if comment.is_op else comment.pk)


def _post_or_404(post_id: int) -> Comment:
    try:
        return selectors.post_get(post_id=post_id)
    except Comment.DoesNotExist:
        raise ForumError(f"There is no post with id {post_id}.", status=404) from None


def post_shown_to(user, comment: Comment) -> str:
    """The post as the thread shows it, its >>parent and glyphs included, offering this
    reader only what they may do."""
    chain = pages.build(selectors.chain_posts(post=comment))
    return pages.posts_html(chain[-1:], offers=forms.post_offers(comment, user))


@writing_view
def submit(request):
    if request.method != "POST":
        policies.refuse(policies.post_refusal(request.user))  # told before anything is written
        form = forms.SubmitForm(initial=_draft(request))
        return form_page(request, "threads/submit.html", {"form": form})
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        return form_page(request, "threads/submit.html", {"form": form}, status=400)
    data = form.cleaned_data
    if data["url"]:
        since = timezone.now() - DUPLICATE_URL_WINDOW
        if existing := selectors.thread_with_url(url=data["url"], since=since):
            messages.info(request, "That url was submitted recently: here is its thread.")
            return HttpResponseRedirect(existing.get_absolute_url())
    rate, key = limits.thread_rate(request.user), f"threads:{request.user.pk}"
    try:
        limits.hit(rate, key)
    except limits.RateLimited as error:
        return form_page(request, "threads/submit.html", {"form": form}, status=429, error=error)
    try:
        thread = services.thread_create(
            author=request.user, title=data["title"], url=data["url"], text=data["text"]
        )
    except ForumError:
        limits.refund(rate, key)  # the limit counts threads, not refusals
        raise
    return HttpResponseRedirect(thread.get_absolute_url())


@writing_view
def reply(request):
    if request.method != "POST":
        policies.refuse(policies.post_refusal(request.user))  # told before anything is written
        parent = _post_or_404(int_param(request, "id"))
        initial = {"parent": parent.pk, "thread": parent.thread_id, **_draft(request)}
        form = forms.ReplyForm(initial=initial)
        return _reply_page(request, parent, form)
    posted = request.POST.copy()
    # The form posts to /reply?id=PARENT and carries the parent too; either will do.
    posted.setdefault("parent", request.GET.get("id", ""))
    form = forms.ReplyForm(posted)
    parent = _parent_shown(posted["parent"])
    if not form.is_valid():
        error = None
        if form.errors.pop("parent", None):
            error = "Which post is this a reply to? Reply from the post's [reply] link."
        return _reply_page(request, parent, form, status=400, error=error)
    rate, key = limits.comment_rate(request.user), f"comments:{request.user.pk}"
    try:
        limits.hit(rate, key)
        comment = services.comment_reply(
            parent_id=form.cleaned_data["parent"],
            thread_id=form.cleaned_data["thread"],
            author=request.user,
            text=form.cleaned_data["text"],
        )
    except limits.RateLimited as error:
        return _reply_page(request, parent, form, status=429, error=error)
    except ForumError as error:
        limits.refund(rate, key)  # the limit counts comments, not refusals
        return _reply_page(request, parent, form, status=error.status, error=error)
    return HttpResponseRedirect(post_in_thread(comment))


def _parent_shown(raw_id: str) -> Comment | None:
    """The post a refused reply answered, to show it again; None when there is no such post."""
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 18):
        return None
    return Comment.objects.select_related("thread", "author").filter(pk=raw_id).first()


def _reply_page(request, parent: Comment | None, form, *, status: int = 200, error=None):
    # The page exists to write a reply (the r key leads here): the text box has the focus.
    form.fields["text"].widget.attrs["autofocus"] = True
    if parent is not None and parent.thread.is_removed:
        parent = None
    refusal = policies.reply_refusal(user=request.user, parent=parent) if parent else None
    closed = str(refusal or "")
    if closed and not error:
        error, status = closed, refusal.status
    context = {
        "form": form,
        "parent": parent,
        "parent_html": post_shown_to(request.user, parent) if parent else "",
        "thread": parent.thread if parent else None,
        # A refused post keeps its form, so the author does not lose the text.
        "closed": "" if form.is_bound else closed,
    }
    return form_page(request, "threads/reply.html", context, status=status, error=error)


@writing_view
def edit(request):
    comment = _post_or_404(int_param(request, "id"))
    policies.refuse(policies.edit_refusal(user=request.user, comment=comment))
    text_required = not (comment.is_op and comment.thread.url)
    if request.method != "POST":
        initial = {"text": comment.text, **_draft(request)}
        form = forms.EditForm(initial=initial, text_required=text_required)
        return _edit_page(request, comment, form)
    form = forms.EditForm(request.POST, text_required=text_required)
    if not form.is_valid():
        return _edit_page(request, comment, form, status=400)
    try:
        services.comment_edit(
            comment_id=comment.pk, editor=request.user, text=form.cleaned_data["text"]
        )
    except ForumError as error:
        return _edit_page(request, comment, form, status=error.status, error=error)
    return HttpResponseRedirect(post_in_thread(comment))


def _edit_page(request, comment: Comment, form, *, status: int = 200, error=None):
    context = {"form": form, "post": comment, "thread": comment.thread}
    return form_page(request, "threads/edit.html", context, status=status, error=error)


@writing_view
def delete(request):
    comment = _post_or_404(int_param(request, "id"))
    policies.refuse(policies.delete_refusal(user=request.user, comment=comment))
    if request.method != "POST":
        shown = post_shown_to(request.user, comment)
        context = {"post": comment, "thread": comment.thread, "post_html": shown}
        return form_page(request, "threads/delete.html", context)
    services.comment_delete(comment_id=comment.pk, user=request.user)
    comment.refresh_from_db()
    if comment.is_op:
        return HttpResponseRedirect(
            reverse("front") if comment.is_leaf_node() else post_in_thread(comment)
        )
    # A post with replies keeps its place as [deleted]; one without goes, so land on its parent.
    shown = comment if not comment.is_leaf_node() else comment.parent
    return HttpResponseRedirect(post_in_thread(shown))


@writing_view
def flag(request):
    """A reader flags a post (or, through its opening post, a thread) for the moderators."""
    post = _post_or_404(int_param(request, "id"))
    form = forms.FlagForm(request.POST if request.method == "POST" else None)
    context = {"post": post, "form": form}
    if request.method != "POST":
        policies.refuse(policies.flag_refusal(user=request.user, comment=post))
        return form_page(request, "threads/flag.html", context)
    if not form.is_valid():
        return form_page(request, "threads/flag.html", context, status=400)
    try:
        services.comment_flag(
            comment_id=post.pk, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ForumError as error:
        return form_page(request, "threads/flag.html", context, status=error.status, error=error)
    return HttpResponseRedirect(post.get_absolute_url())
