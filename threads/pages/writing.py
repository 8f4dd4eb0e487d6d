"""Writing pages: submit, reply, edit, delete and flag, each a plain HTML form needing no script.

A write goes one way. Showing the form, the page asks the policy first, so a refusal is told
before anything is written. Posted, the form validates, the rate limit is reserved, and the
service writes, asking the policy again under its lock; a refusal gives the reservation back and
shows the form again with the writer's text and the message.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import BadRequest
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from forum import limits
from forum.drafts import draft_keep, draft_take
from forum.exceptions import ForumError
from forum.http import form_page, int_param, wants_json, whole_number
from threads.core import policies, selectors
from threads.models import Comment
from threads.pages import forms
from threads.pages.lookups import post_from_request, post_in_thread, post_shown_to
from threads.services.moderation import comment_flag, flag_withdraw
from threads.services.posting import (
    MAX_TEXT_LENGTH,
    comment_delete,
    comment_edit,
    comment_reply,
    thread_create,
)
from threads.text import markup

DUPLICATE_URL_WINDOW = timedelta(days=30)


def writing_view(view):
    """Log-in required; GET shows the form, POST writes."""

    @require_http_methods(["GET", "HEAD", "POST"])
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _log_in_first(request)
        return view(request, *args, **kwargs)

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


@writing_view
def submit(request):
    if request.method != "POST":
        policies.refuse(policies.post_refusal(request.user))  # told before anything is written
        return _submit_page(request, forms.SubmitForm(initial=draft_take(request)))
    if preview := _preview(request):
        return _submit_page(request, forms.SubmitForm(initial=request.POST.dict()), preview=preview)
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        return _submit_page(request, form, status=400)
    if repeat := _posted_already(request, form):
        return repeat
    # Before any limit: a url submitted already leads to its thread, whoever asks.
    if existing := _recently_submitted(form.cleaned_data["url"]):
        messages.info(request, "That url was submitted recently: here is its thread.")
        return HttpResponseRedirect(existing.get_absolute_url())
    if form.url_completed():
        return _url_completed_page(request, form)
    try:
        with limits.reserved(limits.thread_rate(request.user), f"threads:{request.user.pk}"):
            thread = thread_create(author=request.user, **form.cleaned_data)
    except ForumError as error:
        return _submit_page(request, form, error=error)
    return HttpResponseRedirect(thread.get_absolute_url())


def _posted_already(request, form, **reply) -> HttpResponseRedirect | None:
    """To the post this form made when it was posted before (selectors.post_repeated: the same
    one-time key, or the same reply's `parent_id` and `text`), as after that post; checked
    before the rate limit, which a repeat must not use up."""
    key = form.cleaned_data["form_key"]
    repeat = selectors.post_repeated(author=request.user, form_key=key, **reply)
    return HttpResponseRedirect(post_in_thread(repeat)) if repeat else None


def _recently_submitted(url: str):
    """The thread that has this url, submitted within DUPLICATE_URL_WINDOW; None if none."""
    since = timezone.now() - DUPLICATE_URL_WINDOW
    return selectors.thread_with_url(url=url, since=since) if url else None


def _url_completed_page(request, form):
    """The form again with the url as it would be saved, asking the writer to confirm it."""
    url = form.cleaned_data["url"]
    messages.warning(
        request,
        f"The url has no http:// or https:// at its start: it will be saved as {url}. "
        "Submit again to confirm, or correct it.",
    )
    return _submit_page(request, forms.SubmitForm(initial={**request.POST.dict(), "url": url}))


def _submit_page(request, form, *, status: int = 200, error=None, preview: str = ""):
    context = {"form": form, "preview": preview}
    return form_page(request, "threads/submit.html", context, status=status, error=error)


def _preview(request, *, thread_id: int | None = None) -> str:
    """The posted text as its thread would show it (its `>>name+ref` linked), when the writer
    pressed "preview"; nothing is written and the form comes back as it was."""
    if "preview" not in request.POST:
        return ""
    text = request.POST.get("text", "")[:MAX_TEXT_LENGTH].replace("\r\n", "\n")
    # A thread's posts, named in the text, are linked as the posted text will link them.
    refs = selectors.refs_named(thread_id=thread_id, text=text) if thread_id else (lambda _: None)
    return markup.render(text, refs) or "<p>(nothing to show yet)</p>"


@writing_view
def reply(request):
    if request.method != "POST":
        return _reply_form(request)
    posted = request.POST.copy()
    # The form posts to /reply?id=PARENT and carries the parent too; either will do.
    posted.setdefault("parent", request.GET.get("id", ""))
    parent = _parent_shown(posted["parent"])
    if parent and (preview := _preview(request, thread_id=parent.thread_id)):
        return _reply_page(request, parent, forms.ReplyForm(initial=posted.dict()), preview=preview)
    form = forms.ReplyForm(posted)
    if not form.is_valid():
        error = None
        if form.errors.pop("parent", None):
            error = "Which post is this a reply to? Reply from the post's [reply] link."
        return _reply_page(request, parent, form, status=400, error=error)
    data = form.cleaned_data
    if repeat := _posted_already(request, form, parent_id=data["parent"], text=data["text"]):
        return repeat
    try:
        with limits.reserved(limits.comment_rate(request.user), f"comments:{request.user.pk}"):
            comment = comment_reply(
                parent_id=form.cleaned_data["parent"],
                thread_id=form.cleaned_data["thread"],
                author=request.user,
                text=form.cleaned_data["text"],
                form_key=form.cleaned_data["form_key"],
                # The address the reader used: the mail's link works wherever the forum runs.
                site_url=request.build_absolute_uri("/").rstrip("/"),
            )
    except ForumError as error:
        return _reply_page(request, parent, form, error=error)
    return HttpResponseRedirect(post_in_thread(comment))


def _reply_form(request):
    """The empty form under the post it answers; a post closed to replies is shown without it."""
    policies.refuse(policies.post_refusal(request.user))  # told before anything is written
    parent = post_from_request(request)
    closed = policies.reply_refusal(user=request.user, parent=parent)
    initial = {"parent": parent.pk, "thread": parent.thread_id, **draft_take(request)}
    form = forms.ReplyForm(initial=initial)
    status = closed.status if closed else 200
    return _reply_page(request, parent, form, status=status, closed=str(closed or ""))


def _parent_shown(raw_id: str) -> Comment | None:
    """The post a refused reply answered, to show it again; None when there is no such post."""
    if (post_id := whole_number(raw_id)) is None:
        return None
    posts = Comment.objects.select_related("thread", "author")
    return posts.filter(pk=post_id, thread__is_removed=False).first()


def _reply_page(
    request, parent, form, *, status: int = 200, error=None, closed: str = "", preview: str = ""
):
    # The page exists to write a reply (the r key leads here): the text box has the focus.
    form.fields["text"].widget.attrs["autofocus"] = True
    context = {
        "form": form,
        "parent": parent,
        "parent_html": post_shown_to(request.user, parent) if parent else "",
        "thread": parent.thread if parent else None,
        "closed": closed,
        "preview": preview,
    }
    return form_page(request, "threads/reply.html", context, status=status, error=error)


@writing_view
def edit(request):
    comment = post_from_request(request)
    text_required = not (comment.is_op and comment.thread.url)
    if wants_json(request):
        return _edit_in_place(request, comment, text_required)
    if request.method != "POST":
        policies.refuse(policies.edit_refusal(user=request.user, comment=comment))
        initial = {"text": comment.text, **draft_take(request)}
        form = forms.EditForm(initial=initial, text_required=text_required)
        return _edit_page(request, comment, form)
    if preview := _preview(request, thread_id=comment.thread_id):
        form = forms.EditForm(initial=request.POST.dict(), text_required=text_required)
        return _edit_page(request, comment, form, preview=preview)
    form = forms.EditForm(request.POST, text_required=text_required)
    if not form.is_valid():
        return _edit_page(request, comment, form, status=400)
    try:
        comment_edit(comment_id=comment.pk, editor=request.user, text=form.cleaned_data["text"])
    except ForumError as error:
        return _edit_page(request, comment, form, error=error)
    return HttpResponseRedirect(post_in_thread(comment))


def _edit_page(
    request, comment: Comment, form, *, status: int = 200, error=None, preview: str = ""
):
    context = {
        "form": form,
        "post": comment,
        "thread": comment.thread,
        "preview": preview,
        "time_left": _time_left(comment),
    }
    return form_page(request, "threads/edit.html", context, status=status, error=error)


def _edit_in_place(request, comment: Comment, text_required: bool) -> JsonResponse:
    """The edit in place of static/inplace.js: GET answers the post's text and the time left to
    edit it, POST saves the text (comment_edit) and answers its HTML; a refusal answers
    {"error"} with its status, as every refusal to a script does (forum.errors)."""
    if request.method != "POST":
        policies.refuse(policies.edit_refusal(user=request.user, comment=comment))
        return JsonResponse({"id": comment.pk, "text": comment.text, "left": _time_left(comment)})
    form = forms.EditForm(request.POST, text_required=text_required)
    if not form.is_valid():
        raise BadRequest(" ".join(message for errors in form.errors.values() for message in errors))
    comment = comment_edit(
        comment_id=comment.pk, editor=request.user, text=form.cleaned_data["text"]
    )
    return JsonResponse({"id": comment.pk, "html": comment.html, "left": _time_left(comment)})


def _time_left(comment: Comment) -> str:
    """How long the post may still be edited, in words: "1 hour 52 minutes left to edit"."""
    seconds = (comment.created_at + policies.EDIT_WINDOW - timezone.now()).total_seconds()
    if seconds <= 0:
        return "The time to edit this post is over."
    hours, minutes = divmod(int(seconds // 60), 60)
    left = " ".join(
        f"{count} {unit}{'s' if count != 1 else ''}"
        for count, unit in ((hours, "hour"), (minutes, "minute"))
        if count
    )
    window = policies.EDIT_WINDOW // timedelta(hours=1)
    return f"{left or 'Less than a minute'} left to edit (posts can be edited for {window} hours)."


@writing_view
def delete(request):
    if request.method == "POST" and (
        deleted := selectors.post_deleted_by(author=request.user, post_id=int_param(request, "id"))
    ):
        return _after_delete(deleted)  # the form posted again: as after the first time
    comment = post_from_request(request)
    policies.refuse(policies.delete_refusal(user=request.user, comment=comment))
    if request.method != "POST":
        shown = post_shown_to(request.user, comment)
        context = {"post": comment, "thread": comment.thread, "post_html": shown}
        return form_page(request, "threads/delete.html", context)
    comment_delete(comment_id=comment.pk, user=request.user)
    comment.refresh_from_db()
    return _after_delete(comment)


def _after_delete(comment: Comment) -> HttpResponseRedirect:
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
    post = post_from_request(request)
    form = forms.FlagForm(request.POST if request.method == "POST" else None)
    context = {"post": post, "form": form}
    if form.is_bound and selectors.flagged_by(user=request.user, comment_id=post.pk):
        return _flagged(request, post)  # the form posted again (Back, reload): not counted
    # Why the post cannot be flagged at all comes before what the form lacks, or a limit.
    policies.refuse(policies.flag_refusal(user=request.user, comment=post))
    if not form.is_bound or not form.is_valid():
        status = 400 if form.is_bound else 200
        return form_page(request, "threads/flag.html", context, status=status)
    rate, key = limits.flag_rate(request.user), f"flags:{request.user.pk}"
    try:
        with limits.reserved(rate, key):
            reason = form.cleaned_data["reason"]
            _flag, made = comment_flag(comment_id=post.pk, user=request.user, reason=reason)
    except ForumError as error:
        return form_page(request, "threads/flag.html", context, error=error)
    if rate and not made:  # posted again at the same time as the first: one flag, counted once
        limits.give_back([(rate, key)])
    return _flagged(request, post)


def _flagged(request, post: Comment) -> HttpResponseRedirect:
    messages.success(request, "You flagged this post: the moderators will look at it.")
    return HttpResponseRedirect(post.get_absolute_url())


@writing_view
def unflag(request):
    """A reader takes back their flag, from the post's page, until a moderator acts on it."""
    post = post_from_request(request)
    if request.method == "POST":
        flag_withdraw(comment_id=post.pk, user=request.user)
        messages.success(request, "Your flag is withdrawn.")
    return HttpResponseRedirect(post.get_absolute_url())
