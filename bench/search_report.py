"""`make bench-search`'s report: the search's limits checked against what bench/search.py
measured, and the results as the markdown table written to bench/results/search.md."""

from bench.targets import target


def targets(sizes: list[dict], replies: dict) -> list[dict]:
    """Each limit of the search with what was measured against it and whether it was met."""
    small, big = (size["queries"] for size in sizes)
    checked = []
    for kind, row in big.items():
        checked.append(
            target(
                f"{kind}: first page ≤ 2× the hand-written query",
                row["ours_ms"] / row["hand_written_ms"],
                2,
            )
        )
        if row["like_ms"]:
            checked.append(
                target(
                    f"{kind}: ≥ 50× faster than LIKE at 1,000,000",
                    row["like_ms"] / row["ours_ms"],
                    50,
                    at_least=True,
                )
            )
        checked.append(
            target(f"{kind}: 1,000,000 ÷ 100,000 ≤ 3×", row["ours_ms"] / small[kind]["ours_ms"], 3)
        )
        checked.append(target(f"{kind}: SQL queries per search ≤ 3", row["sql_queries"], 3))
    checked.append(
        target(
            "a reply with the index ≤ 1.3× without",
            replies["with_index_ms"] / replies["without_index_ms"],
            1.3,
        )
    )
    return checked


def table(results: dict, *, reply_runs: int) -> str:
    """The results as markdown: every query at every size, the reply, then the targets."""
    lines = [
        "| query | posts | matches | hits | SQL queries | ours ms | hand-written ms"
        " | unprepared ms | LIKE ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for size in results["sizes"]:
        for kind, row in size["queries"].items():
            like = f"{row['like_ms']:,}" if row["like_ms"] else "–"
            lines.append(
                f"| {kind} | {size['posts']:,} | {row['matches']:,} | {row['hits']:,} |"
                f" {row['sql_queries']} |"
                f" {row['ours_ms']} | {row['hand_written_ms']} |"
                f" {row['hand_written_unprepared_ms']} | {like} |"
            )
    replies = results["replies"]
    lines += [
        "",
        f"Reply (median of {reply_runs}): {replies['with_index_ms']} ms with the index,"
        f" {replies['without_index_ms']} ms without.",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *(
            f"| {t['target']} | {t['measured']}× | {'yes' if t['met'] else 'no'} |"
            for t in results["targets"]
        ),
    ]
    return "\n".join(lines)
