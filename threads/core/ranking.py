"""Hacker News' ranking formula, and the best-first order of replies within a thread."""

from datetime import datetime

from threads.core.rows import CREATED, ID, PARENT, POINTS

GRAVITY = 1.8
POINTS_POWER = 0.8


def hot_score(points: int, created_at: datetime, now: datetime) -> float:
    """(points - 1)^0.8 / (age in hours + 2)^1.8, the score Hacker News ranks by.

    Below one point the power keeps the sign, so that a downvoted post sinks rather than
    raising an error; a post from the future (clock skew) counts as brand new.
    """
    age_hours = max((now - created_at).total_seconds(), 0) / 3600
    votes = points - 1
    lift = abs(votes) ** POINTS_POWER
    return (lift if votes >= 0 else -lift) / (age_hours + 2) ** GRAVITY


def order_best_first(rows: list, now: datetime) -> list:
    """Post rows in tree order, re-ordered so that the
    replies to each post come best first, each followed by its own replies.

    One pass over rows already fetched: a stable sort of every group of siblings (equal scores
    keep the order they were posted in), then a depth-first walk. Rows whose parent is not
    among them (the top of a subtree) keep their relative order as roots.
    """
    present = {row[ID] for row in rows}
    children: dict[int | None, list] = {}
    for row in rows:
        parent = row[PARENT] if row[PARENT] in present else None
        children.setdefault(parent, []).append(row)
    for siblings in children.values():
        if len(siblings) > 1:
            siblings.sort(key=lambda row: -hot_score(row[POINTS], row[CREATED], now))
    ordered = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row[ID], [])))
    return ordered
