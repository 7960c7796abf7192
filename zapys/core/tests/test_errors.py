"""Error pages: a readable 404 for people, the API's JSON format for API clients."""

from __future__ import annotations

import pytest
from django.test import Client

from zapys.core.views import server_error

pytestmark = pytest.mark.django_db


def test_unknown_page_is_a_product_404(client):
    response = client.get("/book/no-such-organization/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-testid="not-found"' in page
    assert "URLconf" not in page and "Traceback" not in page


def test_a_staff_404_has_a_way_back_a_client_404_does_not(staff_client):
    """Staff who follow a stale link get back to work; a client is not sent to staff pages."""
    page = staff_client.get("/clients/999999/").content.decode()
    assert 'data-testid="not-found"' in page
    assert 'data-testid="not-found-home"' in page and 'href="/"' in page
    public = Client().get("/book/no-such-organization/").content.decode()
    assert 'data-testid="not-found-home"' not in public


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_server_error_page_for_people_and_api(rf):

    page = server_error(rf.get("/clients/"))
    assert page.status_code == 500 and b'data-testid="server-error"' in page.content
    api = server_error(rf.get("/api/v1/clients"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


def test_media_is_served_in_the_embedded_mode(client, settings, tmp_path):
    (settings.MEDIA_ROOT / "prepayments").mkdir(parents=True)
    (settings.MEDIA_ROOT / "prepayments" / "bg.jpg").write_bytes(b"\xff\xd8jpeg")
    response = client.get("/media/prepayments/bg.jpg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"\xff\xd8jpeg"
    assert client.get("/media/../settings.py").status_code in (400, 404)  # never the file


def test_a_huge_id_in_a_staff_address_is_a_404_not_a_500(staff_client):
    for path in ("/clients/99999999999999999999/", "/clients/123456789012345678901234567890/"):
        response = staff_client.get(path)
        assert response.status_code == 404, path
    assert staff_client.get("/clients/999999999999999999/").status_code == 404  # 18 digits


def test_a_callback_to_an_impossible_account_id_finds_nothing(client):
    for account_id in ("abc%00def", "x" * 200, "%E2%80%8B"):
        response = client.post(
            f"/payments/callback/liqpay/{account_id}/", data=b"", content_type="text/plain"
        )
        assert response.status_code == 404, account_id
