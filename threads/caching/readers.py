"""Who shares which page, and what is kept of a reader: the one rule of each (docs/caching.md).

A page is sent to a reader in one of three ways: whole from the cache (everyone shares it),
filled in from its audience's stencil (staff, or members: threads.caching.stencils), or drawn
for them alone and never kept. audience() is the only place that chooses; what it chooses on
for a logged-in reader (Own) is kept with the rest of what is kept of them, under reader_key(),
so that a page from its stencil costs no query to decide.
"""

import time
from dataclasses import dataclass
from enum import StrEnum

from django.contrib import messages

from forum.http import wants_text
from threads.caching.viewer_data import Listed, viewer_votes
from threads.core import selectors
from threads.core.selectors import ThreadStamp


class Audience(StrEnum):
    EVERYONE = "everyone"  # the whole page, kept and sent as it is
    STAFF = "staff"  # the staff's stencil ([moderate] links), filled per reader
    MEMBERS = "members"  # the members' stencil, filled per reader
    OWN = "own"  # drawn for this reader alone, never kept


@dataclass(frozen=True)
class Own:
    """What a logged-in reader has of their own on a page, which nobody else's page may show:
    the thread's opening post is theirs (its [edit], its points), they are banned (no reply
    form), they flagged the opening post ([unflag]), or they hid threads that a list leaves out.
    """

    author: bool = False
    banned: bool = False
    flagged: bool = False
    hides: bool = False

    def __bool__(self) -> bool:
        return self.author or self.banned or self.flagged or self.hides


@dataclass(frozen=True)
class Reader:
    """What a page keeps of its logged-in reader, under the page's version and reader_key."""

    unread: int
    viewer: dict  # the #viewer element's data (threads.caching.viewer_data)
    own: Own


def audience(request, own: Own | None = None, *, stencil: bool = True) -> Audience:
    """Who shares the page this request is sent.

    The text form and an anonymous reader's page are everyone's, unless the page is theirs
    (a list less the threads they hid; a message waiting, which an HTML page shows). A
    logged-in reader shares their audience's stencil where the page has one, unless they have
    something of their own on it. `own` is that, from what is kept of them (Reader.own) or,
    for a list's text form, found by the list; None while it is not read yet: the answer is
    then the stencil they would share, to be asked again once it is.
    """
    user = request.user
    if own:
        return Audience.OWN
    if wants_text(request):
        return Audience.EVERYONE
    if has_messages(request):
        return Audience.OWN
    if not user.is_authenticated:
        return Audience.EVERYONE
    if not stencil:
        return Audience.OWN
    return Audience.STAFF if user.is_staff else Audience.MEMBERS


def has_messages(request) -> bool:
    """Whether a message waits to be shown (a page that shows one is the reader's alone)."""
    return bool(len(messages.get_messages(request)))


def reader_key(address: str, user, *, thread: bool) -> str:
    """The key of what is kept of this reader on the page at `address` (its version's key, its
    route and params): the one list of what that depends on.

    - the page's version: their votes, flags and own posts on it, and the Own facts;
    - their reader_version: threads they hid, favorites, flags, a ban (services bump it);
    - their karma: whether they may downvote;
    - when they last read their inbox, and every write anywhere: their inbox count. A list's
      version is the lists' stamp, which every write moves; a `thread` page's moves with its
      own thread only, so the lists' stamp is read for it;
    - on a `thread` page, the minute: the clock closes its edit and delete windows.
    """
    seen = user.replies_seen_at.timestamp() if user.replies_seen_at else 0
    key = f"{address}:reader:{user.pk}.{user.reader_version}.{user.karma}.{seen}"
    if thread:
        key += f":{selectors.lists_stamp()}.{int(time.time() // 60)}"
    return key


def thread_reader(user, stamp: ThreadStamp, *, op_id: int) -> Reader:
    """What is kept of a logged-in reader of a thread page."""
    viewer = viewer_votes(user, thread_id=stamp.pk)
    own = Own(
        author=user.pk == stamp.author_id,
        banned=viewer["viewer_no_replies"],
        flagged=str(op_id) in viewer["viewer_flagged"].split(),
    )
    return Reader(selectors.replies_unread(user=user), viewer, own)


def list_reader(user, listed: tuple[Listed, ...], *, hides: bool) -> Reader:
    """What is kept of a logged-in reader of a list of threads (`hides`: the list leaves out
    the threads they hid, and they hid some)."""
    unread = selectors.replies_unread(user=user)
    return Reader(unread, viewer_votes(user, threads=listed), Own(hides=hides))
