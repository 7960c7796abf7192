"""Broadcast opt-outs: the service, the unsubscribe link page, and the notification list's
filters and "mark read" (M5, M6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SYSTEM
from tests.factories_messaging import make_client
from zapys.core.models import AuditLog
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging.models import MarketingOptOut, StaffNotification
from zapys.messaging.services import client_opt_out_set, unsubscribe_token, unsubscribe_url

pytestmark = pytest.mark.django_db


def test_opt_out_all_channels_then_back(org):
    client = make_client(org)
    assert client_opt_out_set(client=client, channel=None, opted_out=True, actor=SYSTEM)
    # A second STOP changes nothing and writes no second audit row.
    assert not client_opt_out_set(client=client, channel=None, opted_out=True, actor=SYSTEM)
    assert list(MarketingOptOut.objects.values_list("channel", flat=True)) == [""]
    assert AuditLog.objects.filter(action="client.broadcast_opt_out").count() == 1
    client_opt_out_set(client=client, channel="sms", opted_out=True, actor=SYSTEM)
    assert client_opt_out_set(client=client, channel=None, opted_out=False, actor=SYSTEM)
    assert not MarketingOptOut.objects.exists()
    assert AuditLog.objects.filter(action="client.broadcast_opt_in").count() == 1


def test_opt_out_one_channel_and_unknown_channel(org):
    from zapys.core.exceptions import DomainError

    client = make_client(org)
    client_opt_out_set(client=client, channel="telegram", opted_out=True, actor=SYSTEM)
    client_opt_out_set(client=client, channel="sms", opted_out=True, actor=SYSTEM)
    client_opt_out_set(client=client, channel="telegram", opted_out=False, actor=SYSTEM)
    assert list(MarketingOptOut.objects.values_list("channel", flat=True)) == ["sms"]
    with pytest.raises(DomainError):
        client_opt_out_set(client=client, channel="pigeon", opted_out=True, actor=SYSTEM)
    assert MarketingOptOut.objects.count() == 1


def test_unsubscribe_link_page(client, org):
    person = make_client(org)
    url = unsubscribe_url(person)
    assert url.endswith(f"/u/{unsubscribe_token(person)}/")
    path = reverse("messaging:unsubscribe", args=[unsubscribe_token(person)])
    client.cookies["django_language"] = "en"
    page = client.get(path)
    assert page.status_code == 200
    assert "Salon A" in page.content.decode()
    assert not MarketingOptOut.objects.exists()  # opening the link unsubscribes nobody
    assert client.post(path, {"action": "unsubscribe"}).status_code == 302
    row = MarketingOptOut.objects.get()
    assert (row.client_id, row.channel, row.source) == (person.pk, "", "link")
    assert "Subscribe again" in client.get(path).content.decode()
    client.post(path, {"action": "subscribe"})
    assert not MarketingOptOut.objects.exists()


def test_unsubscribe_forged_token_is_404_and_changes_nothing(client, org, other_org):
    person = make_client(org)
    with org_scope(other_org):
        stranger = make_client(other_org)
    good = unsubscribe_token(person)
    forged = [
        f"{stranger.pk}.{good.split('.')[1]}",  # another client's id with this signature
        f"{person.pk}.AAAAAAAAAAAAAAAAAAAAAA",
        f"{person.pk}x",
    ]
    for token in forged:
        response = client.post(f"/u/{token}/", {"action": "unsubscribe"})
        assert response.status_code == 404, token
    with unscoped():
        assert not MarketingOptOut.objects.exists()


def test_unsubscribe_page_in_ukrainian(client, org):
    person = make_client(org)
    client.cookies["django_language"] = "uk"
    page = client.get(reverse("messaging:unsubscribe", args=[unsubscribe_token(person)]))
    assert "Відписатися" in page.content.decode()


# --- Staff notifications: filters and mark read ---------------------------------------------


def _notify(org, title, level="info", days_ago=0, read=False):
    n = StaffNotification.objects.create(organization=org, title=title, level=level)
    StaffNotification.objects.filter(pk=n.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago),
        read_at=timezone.now() if read else None,
    )
    return n


def _titles(response):
    return [n.title for n in response.context["page"]]


def test_notification_filters(staff_client, org):
    _notify(org, "old warning", "warning", days_ago=10)
    _notify(org, "new info", "info")
    _notify(org, "read danger", "danger", read=True)
    url = reverse("messaging:notifications")
    assert _titles(staff_client.get(url)) == ["read danger", "new info", "old warning"]
    assert _titles(staff_client.get(url, {"state": "unread"})) == ["new info", "old warning"]
    assert _titles(staff_client.get(url, {"unread": "1"})) == ["new info", "old warning"]
    assert _titles(staff_client.get(url, {"state": "read"})) == ["read danger"]
    assert _titles(staff_client.get(url, {"kind": "warning"})) == ["old warning"]
    since = (timezone.localdate() - timedelta(days=2)).isoformat()
    assert _titles(staff_client.get(url, {"date_from": since})) == ["read danger", "new info"]
    until = (timezone.localdate() - timedelta(days=5)).isoformat()
    assert _titles(staff_client.get(url, {"date_to": until})) == ["old warning"]


def test_notification_filters_bad_input_is_a_field_error(staff_client, org):
    _notify(org, "one")
    url = reverse("messaging:notifications")
    response = staff_client.get(url, {"date_from": "2026-12-10", "date_to": "2026-12-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"]
    response = staff_client.get(url, {"kind": "bogus", "date_from": "yesterday"})
    assert set(response.context["form"].errors) == {"kind", "date_from"}


def test_mark_one_read_keeps_filters(staff_client, org, owner):
    first = _notify(org, "first")
    second = _notify(org, "second")
    response = staff_client.post(
        reverse("messaging:notification_read", args=[first.pk]), {"query": "state=unread"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("?state=unread")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and first.read_by == owner
    assert second.read_at is None


def test_mark_read_of_another_org_is_404(staff_client, org, other_org):
    with org_scope(other_org):
        foreign = _notify(other_org, "theirs")
    response = staff_client.post(reverse("messaging:notification_read", args=[foreign.pk]))
    assert response.status_code == 404
    with unscoped():
        foreign.refresh_from_db()
    assert foreign.read_at is None


def test_notification_list_queries_constant(staff_client, org, django_assert_max_num_queries):
    _notify(org, "one")
    url = reverse("messaging:notifications")
    with django_assert_max_num_queries(20) as one:
        staff_client.get(url)
    for i in range(30):
        _notify(org, f"n{i}", "warning")
    with django_assert_max_num_queries(len(one.captured_queries)):
        staff_client.get(url, {"kind": "warning"})
