"""Hacker News, in and out: items, users and story lists as HN's API shapes them (items), its
official item API (item_api) and hn.algolia.com's search API (search_api, with the reads behind
its item endpoint in search_reads), and HN data files read into one checked story (story_files).

May import: threads.search, threads.caching, threads.core, threads.models, threads.text and
forum. threads.services.hn_imports imports story_files, the reader of what it writes.
"""
