"""What a page offers its reader under and on a post, as the policies allow."""

from threads.core import keeping, policies
from threads.drawing import page_posts
from threads.pages.forms import ReplyForm


def under_post(post, user, *, form_key: str = "") -> dict:
    """What a page needs under a post (a Comment with its thread): the reply form, or why
    there is none, and which of edit, delete and flag this reader is offered. The reply form's
    one-time key is `form_key` if given (a stencil's mark), else a new one."""
    reader = policies.reader(user)
    closed = policies.reply_refusal(user=reader, parent=post)
    unflag = policies.unflag_refusal(user=reader, comment=post) if user.is_authenticated else None
    return {
        "reply_form": ReplyForm(
            initial={"parent": post.pk, "thread": post.thread_id}
            | ({"form_key": form_key} if form_key else {})
        ),
        "reply_closed": str(closed or ""),
        "can_edit": _allowed(reader, policies.edit_refusal, comment=post),
        "can_delete": _allowed(reader, policies.delete_refusal, comment=post),
        # Anyone is offered [flag]: for a reader not logged in it leads to the log-in page.
        "can_flag": not user.is_authenticated
        or policies.flag_refusal(user=reader, comment=post) is None,
        # Flagged by this reader: withdrawable until a moderator acts (409 after).
        "flagged": user.is_authenticated and (unflag is None or unflag.status != 404),
        "can_unflag": user.is_authenticated and unflag is None,
        # [favorite] and [hide], of a post readers see: one not logged in goes to the log-in page.
        "can_keep": policies.keep_refusal(user=reader, comment=post) is None,
    }


def _allowed(user, refusal, **kwargs) -> bool:
    return user.is_authenticated and refusal(user=user, **kwargs) is None


def post_offers(post, user) -> page_posts.Offers:
    """What the post's head offers this reader, on a page drawn for them alone."""
    if not user.is_authenticated:
        return page_posts.EVERY_ACTION  # each leads to the log-in page
    reader = policies.reader(user)
    return page_posts.Offers(
        reply=policies.reply_refusal(user=reader, parent=post) is None,
        vote=policies.vote_refusal(user=reader, comment=post, direction="up") is None,
        downvote=policies.vote_refusal(user=reader, comment=post, direction="down") is None,
        flag=policies.flag_refusal(user=reader, comment=post) is None,
        keep=policies.keep_refusal(user=reader, comment=post) is None,
        faved=keeping.is_favorite(user=reader, comment_id=post.pk),
    )
