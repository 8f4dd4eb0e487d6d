"""Full-text search over visible posts: what a query asks for (query), its filters as SQL
(filters), the one search selector (engine), the index's schema on either database (index),
and the /search page (views).

May import: threads.core, threads.drawing, threads.models, threads.text and forum.
"""
