"""Moderation in the Django admin: threads, posts and the flag queue (site), their actions and
forms (actions), and bans (bans). Every change goes through threads.services.

May import: threads.services, threads.core, threads.models, threads.text, forum and
forum.accounts.
"""

from threads.admin import bans, site  # noqa: F401  (registers the models with the admin)
