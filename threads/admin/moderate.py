"""The moderation page of a post or a thread: what a moderator may do to it, each with its
reason, offered only where the policies allow it and done through the services."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse

from forum import links
from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.admin.actions import (
    BanForm,
    FlagsDecisionForm,
    MoveForm,
    ReasonForm,
    RemovalForm,
    RetitleForm,
)
from threads.core import policies
from threads.models import Comment, Flag
from threads.services import moderation
from threads.services.bans import user_ban


@dataclass(frozen=True)
class Action:
    """One thing a moderator may do from the page: posted as `do=key`."""

    key: str
    section: str  # "post", "flags", "author" or "thread"
    label: str
    done: str  # said once it is done, of the post {name}
    form_class: type[ReasonForm]
    apply: Callable[[Comment, ReasonForm, User], object]
    allowed: Callable[[Comment, User], bool]


def _reason(form: ReasonForm) -> str:
    return form.cleaned_data["reason"]


def _post_service(service):
    return lambda post, form, mod: service(comment_id=post.pk, moderator=mod, reason=_reason(form))


def _thread_service(service):
    return lambda post, form, mod: service(
        thread_id=post.thread_id, moderator=mod, reason=_reason(form)
    )


def _move(post, form, mod):
    parent = form.cleaned_data["new_parent"]
    moderation.comment_move(
        comment_id=post.pk, new_parent_id=parent.pk, moderator=mod, reason=_reason(form)
    )


def _retitle(post, form, mod):
    moderation.thread_retitle(
        thread_id=post.thread_id,
        moderator=mod,
        title=form.cleaned_data["title"],
        reason=_reason(form),
    )


def _ban(post, form, mod):
    user_ban(
        user=post.author,
        moderator=mod,
        reason=_reason(form),
        expires_at=form.expires_at(),
        remove_posts=form.cleaned_data["remove_posts"],
    )


def _decides_flags(post, mod) -> bool:
    return bool(post.open_flags) and not policies.flags_decision_refusal(
        moderator=mod, comment=post
    )


def _restorable(post, mod) -> bool:
    # Restoring a post that flags hid dismisses them: a decision on flags like any other.
    if policies.restore_refusal(comment=post):
        return False
    flagged = post.state == Comment.State.FLAGGED
    return not flagged or not policies.flags_decision_refusal(moderator=mod, comment=post)


def _thread_can(**change):
    return lambda post, mod: not policies.thread_change_refusal(thread=post.thread, **change)


ACTIONS = (
    Action(
        "remove",
        "post",
        "Remove (a placeholder stays, replies keep their place)",
        "Removed {name}.",
        RemovalForm,
        _post_service(moderation.comment_remove),
        lambda post, mod: not policies.remove_refusal(comment=post),
    ),
    Action(
        "restore",
        "post",
        "Restore",
        "Restored {name}.",
        ReasonForm,
        _post_service(moderation.comment_restore),
        _restorable,
    ),
    Action(
        "move",
        "post",
        "Move under another post",
        "Moved {name}.",
        MoveForm,
        _move,
        lambda post, mod: not post.is_op,
    ),
    Action(
        "dismiss",
        "flags",
        "Dismiss the flags (a post they hid shows again)",
        "Dismissed the flags against {name}.",
        FlagsDecisionForm,
        _post_service(moderation.flags_dismiss),
        _decides_flags,
    ),
    Action(
        "uphold",
        "flags",
        "Uphold the flags: remove the post",
        "Upheld the flags against {name}: removed it.",
        FlagsDecisionForm,
        _post_service(moderation.flags_uphold),
        lambda post, mod: _decides_flags(post, mod) and not policies.remove_refusal(comment=post),
    ),
    Action(
        "ban",
        "author",
        "Ban the author",
        "Banned the author of {name}.",
        BanForm,
        _ban,
        lambda post, mod: not policies.ban_refusal(user=post.author),
    ),
    Action(
        "retitle",
        "thread",
        "Edit the title",
        "Retitled the thread of {name}.",
        RetitleForm,
        _retitle,
        lambda post, mod: True,
    ),
    Action(
        "lock",
        "thread",
        "Lock: no new replies",
        "Locked the thread of {name}.",
        ReasonForm,
        _thread_service(moderation.thread_lock),
        _thread_can(is_locked=True),
    ),
    Action(
        "unlock",
        "thread",
        "Unlock",
        "Unlocked the thread of {name}.",
        ReasonForm,
        _thread_service(moderation.thread_unlock),
        _thread_can(is_locked=False),
    ),
    Action(
        "pin",
        "thread",
        "Pin to the top of the front page",
        "Pinned the thread of {name}.",
        ReasonForm,
        _thread_service(moderation.thread_pin),
        _thread_can(is_pinned=True),
    ),
    Action(
        "unpin",
        "thread",
        "Unpin",
        "Unpinned the thread of {name}.",
        ReasonForm,
        _thread_service(moderation.thread_unpin),
        _thread_can(is_pinned=False),
    ),
    Action(
        "remove_thread",
        "thread",
        "Remove the thread from the site",
        "Removed the thread of {name}.",
        RemovalForm,
        _thread_service(moderation.thread_remove),
        _thread_can(is_removed=True),
    ),
    Action(
        "restore_thread",
        "thread",
        "Restore the thread",
        "Restored the thread of {name}.",
        ReasonForm,
        _thread_service(moderation.thread_restore),
        _thread_can(is_removed=False),
    ),
)
BY_KEY = {action.key: action for action in ACTIONS}
SECTIONS = {
    "post": "The post",
    "flags": "Its flags",
    "author": "Its author",
    "thread": "Its thread",
}


class ModerationPage:
    """For a ModelAdmin: a post's or thread's page in the admin is its moderation page, what a
    moderator may do to it, never the fields the forum derives."""

    def moderation_page(self, request, post_id, object_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        post = post_loaded(post_id) if str(post_id).isdigit() else None
        if post is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return page(self, request, post)


def post_loaded(pk) -> Comment | None:
    """The post with what its page shows: its thread, author and open flags."""
    post = Comment.objects.select_related("thread", "author").filter(pk=pk).first()
    if post is not None:
        post.open_flags = list(Flag.objects.filter(comment=post, resolved_at__isnull=True))
    return post


def page(modeladmin, request, post: Comment):
    """The page on GET; on POST, the action named by `do` done and the page shown again, or
    its form shown with what is wrong."""
    bound = {}
    if request.method == "POST":
        action = BY_KEY.get(request.POST.get("do", ""))
        if action is None:  # not one of the page's forms: nothing else may be changed here
            raise PermissionDenied
        if not action.allowed(post, request.user):
            messages.error(request, "That is not something a moderator may do to this post now.")
            return HttpResponseRedirect(request.path)
        form = _form(action, request.POST, post)
        if form.is_valid() and not form.confirmation():
            return _done(modeladmin, request, post, action, form)
        bound = {action.key: form}
    return _page(modeladmin, request, post, bound)


def _form(action: Action, data, post: Comment) -> ReasonForm:
    # Several forms on one page: each names its fields' ids after its action.
    return action.form_class(data, objects=[post], auto_id=f"id_{action.key}_%s")


def _done(modeladmin, request, post, action: Action, form) -> HttpResponseRedirect:
    try:
        action.apply(post, form, request.user)
    except ForumError as error:
        modeladmin.message_user(request, f"Not done: {error}", messages.ERROR)
    else:
        modeladmin.message_user(request, action.done.format(name=post.name), messages.SUCCESS)
    return HttpResponseRedirect(request.path)


def _page(modeladmin, request, post: Comment, bound) -> TemplateResponse:
    sections = {key: [] for key in SECTIONS}
    for action in ACTIONS:
        if not action.allowed(post, request.user):
            continue
        form = bound.get(action.key) or _form(action, None, post)
        confirmation = form.is_bound and form.is_valid() and form.confirmation()
        sections[action.section].append(
            {
                "action": action,
                "form": form,
                "confirmation": confirmation,
                "confirmed_value": form.confirmed_value() if confirmation else "",
            }
        )
    flags = Counter(flag.reason for flag in post.open_flags)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Moderate {post.name}" if not post.is_op else f'Moderate "{post.thread}"',
        "post": post,
        "thread": post.thread,
        "post_url": links.item(post.pk),
        "thread_url": links.item(post.thread.op_id),
        "author_url": links.user(post.author.username),
        "ban": policies.active_ban(post.author),
        "flags": sorted(flags.items()),
        "own_post": post.author_id == request.user.pk,
        "sections": [(SECTIONS[key], forms) for key, forms in sections.items() if forms],
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/threads/moderate.html", context)
