"""The pages people open, one module per area: reading (front, thread, comment, discussion),
writing (submit, reply, edit, delete, flag), voting, favorites and hidden threads, users,
lists, the inbox, feeds; the forms they show, and the header's context processor.

A view module imports no other view module: what views share sits in lookups (a post from a
request, a post in its thread, a user by name) and forms. May import: threads.caching,
threads.drawing, threads.services, threads.core, threads.models, threads.text and forum.
"""
