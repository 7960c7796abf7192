import pytest
from huey.contrib.djhuey import HUEY


@pytest.mark.django_db
def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_failing_part(client, monkeypatch):

    def down():
        raise ConnectionError("queue down")

    monkeypatch.setattr(HUEY, "pending_count", down)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"] == "error: ConnectionError"
    assert response.json()["database"] == "ok"
