"""/healthz answers without the database, for load balancers and container healthchecks."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def test_healthz_answers_ok_without_a_query(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert len(queries) == 0


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
