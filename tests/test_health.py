"""/healthz answers without the database, for load balancers and container healthchecks."""


def test_healthz_answers_ok_and_names_every_cache_without_the_database(client):
    # No database fixture: pytest-django fails any query made here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode() == "ok\ncache default: ok\ncache limits: ok\n"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
