"""The core every page and service stands on, beside threads.models and threads.services.

Owns the reads (selectors: each a constant number of queries), who may do what (policies),
the row layout a page's one query returns (rows), ranking and best-first order, a thread's
submitted url and its key (thread_urls), the tree's invariants and their repair (tree_check),
and reply mail (notify).

May import: threads.models, threads.text, forum and forum.accounts; never services, pages,
caching, drawing, search, hn or admin.
"""
