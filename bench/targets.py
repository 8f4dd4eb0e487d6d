"""A benchmark's target as its results keep it: the name, the figure measured, whether met."""


def target(name: str, measured: float, limit: float, *, at_least: bool = False) -> dict:
    """A figure held to a bound: at most `limit`, or at least it."""
    return checked(name, measured, measured >= limit if at_least else measured <= limit)


def checked(name: str, measured: float, met: bool) -> dict:
    return {"target": name, "measured": round(measured, 2), "met": met}
