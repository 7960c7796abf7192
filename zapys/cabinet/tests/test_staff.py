"""The client card's cabinet link: shown with Copy, sent to the client, made anew."""

from __future__ import annotations

from tests.factories_messaging import make_transport_account
from tests.factories_prepayments import make_client
from zapys.clients.models import Client
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope
from zapys.messaging.models import Message


def test_the_card_shows_the_link_with_its_buttons(staff_client, org):
    customer = make_client(org)
    html = staff_client.get(f"/clients/{customer.pk}/").content.decode()
    assert f'value="http://testserver/c/{customer.cabinet_token}/"' in html
    for button in ("cabinet-copy", "cabinet-send", "cabinet-regenerate", "cabinet-open"):
        assert f'data-testid="{button}"' in html


def test_send_queues_the_link_once(staff_client, org):
    make_transport_account(org, "sms")
    customer = make_client(org)
    url = f"/clients/{customer.pk}/cabinet-link/"
    response = staff_client.post(url, {"action": "send"})
    assert response.status_code == 302 and response["Location"] == f"/clients/{customer.pk}/"
    message = Message.objects.get()
    assert (message.client_id, message.channel) == (customer.pk, "sms")
    assert f"http://testserver/c/{customer.cabinet_token}/" in message.text
    assert "{" not in message.text  # every placeholder filled
    staff_client.post(url, {"action": "send"})  # pressed twice: one message per link
    assert Message.objects.count() == 1


def test_send_without_a_channel_says_so_and_sends_nothing(staff_client, org):
    customer = make_client(org)
    response = staff_client.post(
        f"/clients/{customer.pk}/cabinet-link/", {"action": "send"}, follow=True
    )
    assert "Посилання не надіслано" in response.content.decode()  # the salon's language
    staff_client.cookies["django_language"] = "en"
    response = staff_client.post(
        f"/clients/{customer.pk}/cabinet-link/", {"action": "send"}, follow=True
    )
    assert "The link was not sent" in response.content.decode()
    assert not Message.objects.exists()


def test_regenerate_kills_the_old_link(staff_client, client, org):
    customer = make_client(org)
    old = customer.cabinet_token
    staff_client.post(f"/clients/{customer.pk}/cabinet-link/", {"action": "regenerate"})
    customer.refresh_from_db()
    assert customer.cabinet_token != old
    assert AuditLog.objects.filter(
        action="client.cabinet_link", object_id=str(customer.pk)
    ).exists()
    staff_client.logout()
    assert client.get(f"/c/{old}/").status_code == 404
    assert client.get(f"/c/{customer.cabinet_token}/").status_code == 200


def test_another_organizations_client_is_404_and_unchanged(staff_client, org, other_org):
    with org_scope(other_org):
        foreign = make_client(other_org)
    for action in ("send", "regenerate"):
        response = staff_client.post(f"/clients/{foreign.pk}/cabinet-link/", {"action": action})
        assert response.status_code == 404
    with org_scope(other_org):
        assert Client.objects.get(pk=foreign.pk).cabinet_token == foreign.cabinet_token
    assert (
        not Message.objects.exists()
        and not AuditLog.objects.filter(action="client.cabinet_link").exists()
    )


def test_only_post_and_only_staff(client, staff_client, org):
    customer = make_client(org)
    assert staff_client.get(f"/clients/{customer.pk}/cabinet-link/").status_code == 405
    staff_client.logout()
    response = client.post(f"/clients/{customer.pk}/cabinet-link/", {"action": "regenerate"})
    assert response.status_code == 302 and "/login" in response["Location"]
    assert Client.objects.get(pk=customer.pk).cabinet_token == customer.cabinet_token
