"""What tests count: the queries a page makes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def thread_page_queries(client, build, size: int) -> int:
    """The queries a thread page of `size` comments makes, the page checked to show them all."""
    thread = build.thread(title=f"{size} comments")
    build.big_tree(thread, size)
    op = build.op(thread)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/item?id={op.pk}")
    assert response.status_code == 200
    assert response.content.decode().count('<article class="post') == size
    return len(queries)
