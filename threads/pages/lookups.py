"""What the views share: a post or a user from a request, and a post as its thread shows it."""

from django.http import Http404

from forum import links
from forum.accounts.models import User
from forum.http import int_param
from threads.core import policies, selectors
from threads.drawing import page_posts
from threads.models import Comment
from threads.pages.offers import post_offers


def post_from_request(request) -> Comment:
    post_id = int_param(request, "id")
    try:
        return selectors.post_get(post_id=post_id)
    except Comment.DoesNotExist:
        if thread := selectors.removed_thread_of(post_id=post_id):
            refusal = policies.removed_thread_refusal(thread=thread, user=request.user)
            raise refusal.error() from None
        raise Http404(f"There is no post with id {post_id}.") from None


def user_or_404(request) -> User:
    name = request.GET.get("id", "")
    user = User.objects.named(name).first()
    if user is None:
        raise Http404(f"There is no user named {name!r}.")
    return user


def post_in_thread(comment: Comment) -> str:
    return links.item(comment.thread.op_id, anchor=None if comment.is_op else comment.pk)


def post_shown_to(user, comment: Comment) -> str:
    """The post as the thread shows it, its >>parent and glyphs included, offering this
    reader only what they may do."""
    chain = page_posts.build(selectors.chain_posts(post=comment))
    return page_posts.posts_html(chain[-1:], offers=post_offers(comment, user))
