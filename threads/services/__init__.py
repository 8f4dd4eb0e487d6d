"""Every write to the forum's threads, posts, votes, flags and bans, a module per seam.

Each service runs in one transaction, validates its own input and asks
threads.core.policies whether it is allowed. A service that changes a thread's tree or what
its pages show locks the thread first (locks.locked_thread) and bumps its version
(locks.thread_touch); those that change only a reader's own lists (keeping) or profile
(profiles) lock nothing of a thread and bump the reader's version instead. Names are imported
from the module that defines them; this package re-exports nothing.

May import: threads.models, threads.core, threads.text, threads.hn.story_files (the HN file reader),
forum and forum.accounts; never pages, caching or drawing.
"""
