"""Drawing posts and pages: a page's posts numbered, named and given glyphs and backlinks as
HTML (page_posts), and every page's text form (textform).

May import: threads.core, threads.models, threads.text and forum; never services, caching or
pages.
"""
