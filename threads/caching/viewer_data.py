"""What static/vote.js is told of the reader, kept out of the pages every reader shares."""

from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings

from threads.core import policies, selectors
from threads.models import Comment


class Listed(NamedTuple):
    """What a list of threads needs of each to mark the reader's own and voted ones (a Thread
    has these attributes too)."""

    op_id: int
    author_id: int
    points: int


def viewer_votes(user, *, thread_id: int | None = None, threads: Iterable[Listed] = ()) -> dict:
    """What static/vote.js needs to mark this reader's arrows, [flag], [edit] and [delete]
    links, kept out of the shared post HTML: their votes, their own posts (with the points only
    they see, and which of them they may still edit or delete), the posts they flagged, and
    whether they may downvote, vote and reply at all (not while banned: policies.voter_refusal
    and post_refusal); on a thread page, their favorites there and whether they hid it. Four
    queries for a reader who is logged in (three on a list of threads), none otherwise."""
    if not user.is_authenticated:
        return {}
    reader = policies.reader(user)  # the ban read once for every question about them
    editable = deletable = faved = []
    hidden = False
    if thread_id is not None:
        voted = selectors.votes_in_thread(user=user, thread_id=thread_id)
        own_posts = selectors.own_posts_in_thread(user=user, thread_id=thread_id)
        own = {post.pk: post.points for post in own_posts}
        editable, deletable = _open_to_author(reader, own_posts)
        flagged, faved, hidden = selectors.marked_in_thread(user=user, thread_id=thread_id)
    else:
        flagged = []
        voted = selectors.votes_on(user=user, comment_ids=[listed.op_id for listed in threads])
        own = {listed.op_id: listed.points for listed in threads if listed.author_id == user.pk}
    return {
        "viewer_voted": " ".join(f"{pk}:{value}" for pk, value in voted.items()),
        "viewer_own": " ".join(f"{pk}:{points}" for pk, points in own.items()),
        "viewer_editable": " ".join(map(str, editable)),
        "viewer_deletable": " ".join(map(str, deletable)),
        "viewer_flagged": " ".join(map(str, flagged)),
        "viewer_downvotes": user.karma >= settings.FORUM_DOWNVOTE_KARMA,
        "viewer_no_votes": policies.voter_refusal(reader) is not None,
        "viewer_no_replies": policies.post_refusal(reader) is not None,
        "viewer_faved": " ".join(map(str, faved)),
        "viewer_hidden": hidden,
    }


def _open_to_author(author, own_posts: list[Comment]) -> tuple[list[int], list[int]]:
    """The ids of the author's posts (policies.reader: their ban read) they may still edit, and
    of those they may delete."""
    if not own_posts:
        return [], []
    editable = [p.pk for p in own_posts if not policies.edit_refusal(user=author, comment=p)]
    deletable = [p.pk for p in own_posts if not policies.delete_refusal(user=author, comment=p)]
    return editable, deletable
