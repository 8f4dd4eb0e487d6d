"""A reader's own lists: posts they favorite (public) and threads they hide (their own)."""

from django.db import transaction

from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.core import policies
from threads.models import Comment, Favorite, HiddenThread
from threads.services.locks import reader_touch


def _shown_post(user: User, comment_id: int, *, refusal=policies.keep_refusal) -> Comment:
    comment = Comment.objects.select_related("thread").filter(pk=comment_id).first()
    if comment is None:
        raise ForumError(f"There is no post with id {comment_id}.", status=404)
    policies.refuse(refusal(user=user, comment=comment))
    return comment


@transaction.atomic
def favorite_add(*, user: User, comment_id: int) -> Favorite:
    """Adds the post to the user's favorites; already there, it stays as it was."""
    comment = _shown_post(user, comment_id)
    favorite, _ = Favorite.objects.get_or_create(user=user, comment=comment)
    reader_touch(user)  # a thread page marks the reader's favorites: what is kept of them changed
    return favorite


@transaction.atomic
def favorite_remove(*, user: User, comment_id: int) -> None:
    policies.refuse(policies.unkeep_refusal(user=user))
    Favorite.objects.filter(user=user, comment_id=comment_id).delete()
    reader_touch(user)


@transaction.atomic
def thread_hide(*, user: User, op_id: int) -> HiddenThread:
    """Takes the thread of the opening post `op_id` off the user's lists."""
    op = _shown_post(user, op_id, refusal=policies.hide_refusal)
    hidden, _ = HiddenThread.objects.get_or_create(user=user, thread=op.thread)
    reader_touch(user)
    return hidden


@transaction.atomic
def thread_unhide(*, user: User, op_id: int) -> None:
    policies.refuse(policies.unkeep_refusal(user=user))
    HiddenThread.objects.filter(user=user, thread__op_id=op_id).delete()
    reader_touch(user)
