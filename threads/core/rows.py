"""The layout of a post row: the plain tuple a page's one query returns for each post."""

# A post row holds these, then its html and its text (selectors._posts); pages.build unpacks it.
POST_FIELDS = (
    "id",
    "parent_id",
    "ref",
    "level",
    "lft",
    "rght",
    "created_at",
    "edited_at",
    "state",
    "author__username",
    "points",
)
# Where a row keeps what the passes over it read by position.
ID, PARENT, REF, CREATED, STATE, AUTHOR, POINTS = (
    POST_FIELDS.index(name)
    for name in ("id", "parent_id", "ref", "created_at", "state", "author__username", "points")
)
