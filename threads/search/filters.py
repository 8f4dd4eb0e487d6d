"""The SQL of a search's filters: author, thread, dates, kind, site, tags and numbers."""

from datetime import UTC, datetime

from django.db import connection

from threads.search.query import ParsedQuery, Tag

# Only what readers may see: visible posts in threads not removed.
_VISIBLE = (
    "c.state = 'visible' AND c.thread_id NOT IN (SELECT id FROM threads_thread WHERE is_removed)"
)


def filters_sql(query: ParsedQuery) -> tuple[str, list]:
    clauses, params = [_VISIBLE], []
    for group in query.tag_groups:
        sqls = []
        for tag in group:
            sql, tag_params = _tag_sql(tag)
            sqls.append(sql)
            params += tag_params
        clauses.append("(" + " OR ".join(sqls) + ")")
    for numeric in query.numeric:
        sql, value = _numeric_sql(numeric)
        clauses.append(sql)
        params.append(value)
    if query.sites:
        patterns = [p.format(site) for site in query.sites for p in _SITE_PATTERNS]
        clauses.append(
            "c.level = 0 AND (" + " OR ".join(["lower(t.url) LIKE %s"] * len(patterns)) + ")"
        )
        params += patterns
    return " AND ".join(clauses), params


# A domain matches its own host and every host under it, with or without a port or a path.
_SITE_PATTERNS = ("%://{}", "%://{}/%", "%://{}:%", "%://%.{}", "%://%.{}/%", "%://%.{}:%")


def _tag_sql(tag: Tag) -> tuple[str, list]:
    if tag.kind == "type":
        return ("c.level = 0" if tag.value == "story" else "c.level > 0"), []
    if tag.kind == "author":
        return "c.author_id = (SELECT id FROM accounts_user WHERE lower(username) = lower(%s))", [
            tag.value
        ]
    return "c.thread_id = (SELECT id FROM threads_thread WHERE op_id = %s)", [tag.value]


def _numeric_sql(numeric) -> tuple[str, object]:
    if numeric.field == "created_at_i":
        moment = datetime.fromtimestamp(max(0, min(numeric.value, 253402300799)), UTC)
        return f"c.created_at {numeric.op} %s", connection.ops.adapt_datetimefield_value(moment)
    if numeric.field == "points":
        return f"c.level = 0 AND c.points {numeric.op} %s", numeric.value
    return f"c.level = 0 AND t.comment_count {numeric.op} %s", numeric.value
