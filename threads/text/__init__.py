"""The rules of text, as pure functions: zlacker post names, depth glyphs and discussion pages
(zlacker), comment markup to safe HTML (markup), and Hacker News' comment HTML to and from the
forum's markup (hn_html).

May import: forum (its link builder) and the standard library; nothing else of threads, so
that models, services and pages alike may use it.
"""
