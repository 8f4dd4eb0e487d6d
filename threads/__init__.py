"""The forum itself: threads, their comment trees, and everything people read and write there.

Its parts are packages, each saying in its __init__ what it owns and what it may import.
Dependencies run one way, from the pages people open down to the rules of text:

    pages, search, hn, admin   the pages and machine answers (a view imports no other view)
    caching                    what a reader is sent from what is kept
    drawing                    posts and pages as HTML and as the text form
    services, core, models     every write; every read, rule and policy under them
    text                       the rules of text: zlacker names and pages, markup, HN's HTML

Django's own modules stay where Django looks for them: apps, models, urls, migrations,
management commands and template tags.
"""
