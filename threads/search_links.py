"""The URLs search writes: a found post in its thread, and the results page with its options."""

from urllib.parse import urlencode

SEARCH_PATH = "/search"


def post_url(*, post_id: int, op_id: int) -> str:
    """The post on its thread's page: the thread itself for an opening post."""
    return f"/item?id={op_id}" if post_id == op_id else f"/item?id={op_id}#{post_id}"


def results_url(**params) -> str:
    """The results page for these parameters, leaving out the empty ones."""
    shown = {name: value for name, value in params.items() if value not in ("", None)}
    return f"{SEARCH_PATH}?{urlencode(shown)}" if shown else SEARCH_PATH
