"""Everything that decides what a reader is sent from what is kept: whole pages and answers
(feeds, the item API) under a version (page_cache), who shares which page and what is kept of
a reader (readers), logged-in pages filled from an audience's stencil (stencils), the lists
kept under the lists' stamp (list_pages), and what the page's scripts are told of the reader
(viewer_data). docs/caching.md states the rules.

May import: threads.drawing, threads.core, threads.models, threads.text and forum; never
services or pages.
"""
