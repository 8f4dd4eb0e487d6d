"""Every write to the forum's threads, posts, votes, flags and bans, a module per seam.

Each service runs in one transaction that locks the thread first (locks.locked_thread),
validates its own input, asks threads.policies whether it is allowed, and bumps the thread's
version (locks.thread_touch) when what its pages show changes.
"""

from forum.accounts.services import inbox_mark_read
from forum.exceptions import ForumError

from .bans import ban_removals_restore, comment_remove_and_ban, user_ban, user_unban
from .hn_imports import hn_story_import
from .imports import zlacker_import
from .keeping import favorite_add, favorite_remove, thread_hide, thread_unhide
from .locks import thread_touch
from .moderation import (
    comment_flag,
    comment_move,
    comment_remove,
    comment_restore,
    flag_withdraw,
    flags_dismiss,
    thread_lock,
    thread_pin,
    thread_remove,
    thread_restore,
    thread_retitle,
    thread_unlock,
    thread_unpin,
)
from .posting import (
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    comment_delete,
    comment_edit,
    comment_reply,
    text_checked,
    thread_create,
    title_checked,
)
from .profiles import profile_update
from .trees import thread_tree_repair
from .votes import comment_vote, vote_withdraw

# Every write that changes what a thread's page shows, and so must bump its version
# (thread_touch) or readers keep the cached page; tests/test_caching.py checks each one.
PAGE_CHANGING_SERVICES = (
    comment_reply,
    comment_edit,
    comment_delete,
    comment_vote,
    vote_withdraw,
    comment_flag,
    flag_withdraw,
    flags_dismiss,
    comment_remove,
    comment_restore,
    comment_move,
    comment_remove_and_ban,
    user_ban,
    user_unban,
    thread_lock,
    thread_unlock,
    thread_pin,
    thread_unpin,
    thread_remove,
    thread_restore,
    thread_retitle,
    thread_tree_repair,
    zlacker_import,
    hn_story_import,
)

__all__ = [
    "ban_removals_restore",
    "MAX_TEXT_LENGTH",
    "MAX_TITLE_LENGTH",
    "PAGE_CHANGING_SERVICES",
    "ForumError",
    "comment_delete",
    "comment_edit",
    "comment_flag",
    "comment_move",
    "comment_remove",
    "comment_remove_and_ban",
    "comment_reply",
    "comment_restore",
    "comment_vote",
    "favorite_add",
    "favorite_remove",
    "flags_dismiss",
    "hn_story_import",
    "profile_update",
    "inbox_mark_read",
    "text_checked",
    "thread_create",
    "thread_hide",
    "thread_lock",
    "thread_pin",
    "thread_remove",
    "thread_restore",
    "thread_retitle",
    "thread_touch",
    "thread_tree_repair",
    "thread_unhide",
    "thread_unlock",
    "thread_unpin",
    "title_checked",
    "user_ban",
    "user_unban",
    "vote_withdraw",
    "zlacker_import",
]
