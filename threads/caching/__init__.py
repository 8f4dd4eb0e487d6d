"""Everything that decides what a reader is sent from what is kept: whole pages under a
version (page_cache), logged-in pages filled from an audience's stencil (stencils), the lists
kept under the lists' stamp (list_pages), answers for machine readers (conditional), and what
the page's scripts are told of the reader (viewer_data). docs/caching.md states the rules.

May import: threads.drawing, threads.core, threads.models, threads.text and forum; never
services or pages.
"""
