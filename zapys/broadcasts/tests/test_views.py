"""Staff pages of broadcasts: compose with preview and estimate, send, progress and log,
settings; bad input as field errors; another organization's broadcast is 404."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories_clients import make_client, make_tag
from zapys.broadcasts import services
from zapys.broadcasts.models import Broadcast, BroadcastSettings
from zapys.core.tenancy import org_scope, unscoped
from zapys.messaging import outbox
from zapys.messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(staff_client):
    staff_client.cookies["django_language"] = "en"


def _form(tag, **extra):
    return {
        "audience": "tags",
        "tags": [tag.pk],
        "channel": "",
        "text": "Hi {client.first_name}!",
        **extra,
    }


def test_compose_preview_then_send(staff_client, org, consoles, django_capture_on_commit_callbacks):
    tag = make_tag(org, "VIP")
    people = [make_client(org, f"Шевченко Олена{i}", tags=["VIP"]) for i in range(3)]
    make_client(org)  # not in the tag
    BroadcastSettings.objects.create(organization=org, sms_price=120)
    url = reverse("broadcasts:new")
    assert staff_client.get(url).status_code == 200
    page = staff_client.post(url, _form(tag, action="preview"))
    assert page.status_code == 200
    found = page.context["estimate"]
    assert found.total == 3 and found.by_channel == {"sms": 3}
    html = page.content.decode()
    assert f"Hi {people[0].first_name}!" in html  # the sample recipient's text
    assert found.sms_cost == found.sms_parts * 120
    assert "3,60" in html or found.sms_parts != 3  # 3 parts × 1,20 грн shown as money
    assert not Broadcast.objects.exists()  # a preview sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, _form(tag, action="send"))
    broadcast = Broadcast.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/broadcasts/{broadcast.pk}/"
    )
    # the send-now task ran on commit (Huey is immediate in tests): queued, delivered, done
    broadcast.refresh_from_db()
    assert broadcast.status == "done"
    assert Message.objects.filter(status="delivered").count() == 3
    detail = staff_client.get(response["Location"])
    assert detail.status_code == 200
    assert len(detail.context["page"]) == 3
    progress = staff_client.get(
        reverse("broadcasts:progress", args=[broadcast.pk]), headers={"HX-Request": "true"}
    )
    assert 'data-status="done"' in progress.content.decode()
    assert "hx-get" not in progress.content.decode()  # no more polling once done


def test_bad_input_shows_field_errors_and_creates_nothing(staff_client, org, consoles):
    tag = make_tag(org, "Empty")
    make_client(org)
    url = reverse("broadcasts:new")
    page = staff_client.post(url, _form(tag, action="send"))
    assert page.status_code == 200
    assert page.context["form"].errors["audience"]  # nobody in this audience
    page = staff_client.post(url, {"audience": "last_visit_before", "text": "x", "action": "send"})
    assert "days" in page.context["form"].errors
    page = staff_client.post(url, {"audience": "all", "text": "", "action": "preview"})
    assert "text" in page.context["form"].errors
    assert not Broadcast.objects.exists()


def test_progress_polls_while_sending(staff_client, org, consoles):
    make_client(org)
    with mock.patch.object(services, "_enqueue"):
        broadcast = services.broadcast_create(
            organization=org,
            spec=services.AudienceSpec("all"),
            channel="",
            text="Hi",
            send_at=None,
            actor=services.Actor.system(),
        )
    services.broadcast_run(broadcast_id=broadcast.pk, now=timezone.now())
    html = staff_client.get(
        reverse("broadcasts:progress", args=[broadcast.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-status="sending"' in html and 'hx-trigger="every 2s"' in html
    outbox.deliver_due(now=timezone.now())
    services.broadcast_finish(broadcast_id=broadcast.pk, now=timezone.now())
    html = staff_client.get(
        reverse("broadcasts:progress", args=[broadcast.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert 'data-status="done"' in html


def test_another_organizations_broadcast_is_404(staff_client, org, other_org):
    with org_scope(other_org):
        theirs = Broadcast.objects.create(
            organization=other_org, text="Secret", send_at=timezone.now()
        )
    for name in ("broadcasts:detail", "broadcasts:progress"):
        assert (
            staff_client.get(
                reverse(name, args=[theirs.pk]), headers={"HX-Request": "true"}
            ).status_code
            == 404
        )
    with unscoped():
        assert Broadcast.objects.get(pk=theirs.pk).status == "scheduled"


def test_settings_price(staff_client, org):
    url = reverse("broadcasts:settings")
    assert staff_client.get(url).status_code == 200
    assert staff_client.post(url, {"sms_price": "1,35"}).status_code == 302
    assert BroadcastSettings.objects.get().sms_price == 135
    page = staff_client.post(url, {"sms_price": "abc"})
    assert page.context["form"].errors["sms_price"]
    assert BroadcastSettings.objects.get().sms_price == 135


def test_list_and_detail_queries_constant(
    staff_client, org, consoles, django_assert_max_num_queries
):
    clients = [make_client(org) for _ in range(2)]

    def broadcast(n):
        with mock.patch.object(services, "_enqueue"):
            b = services.broadcast_create(
                organization=org,
                spec=services.AudienceSpec("clients", client_ids=tuple(c.pk for c in clients[:n])),
                channel="",
                text="Hi",
                send_at=None,
                actor=services.Actor.system(),
            )
        services.broadcast_run(broadcast_id=b.pk, now=timezone.now())
        return b

    one = broadcast(1)
    with django_assert_max_num_queries(30) as first:
        staff_client.get(reverse("broadcasts:detail", args=[one.pk]))
    with django_assert_max_num_queries(30) as listed:
        staff_client.get(reverse("broadcasts:list"))
    many = broadcast(2)
    for _ in range(5):
        broadcast(2)
    with django_assert_max_num_queries(len(first.captured_queries)):
        staff_client.get(reverse("broadcasts:detail", args=[many.pk]))
    with django_assert_max_num_queries(len(listed.captured_queries)):
        staff_client.get(reverse("broadcasts:list"))


def test_the_client_picker_searches_own_clients_only_in_constant_queries(
    staff_client, org, other_org, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("broadcasts:client_search")
    make_client(org, "Шевченко Олена", phone="+380501110001")
    with org_scope(other_org):
        make_client(other_org, "Шевченко Чужа", phone="+380501110002")
    page = staff_client.get(url, {"client_q": "Шевченко"}, headers={"HX-Request": "true"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Шевченко Олена" in html and "Чужа" not in html
    assert html.count("data-add-client=") == 1
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url, {"client_q": "Шевченко"}, headers={"HX-Request": "true"})
    from zapys.schedule.selectors import CLIENT_PICKER_LIMIT

    for i in range(CLIENT_PICKER_LIMIT + 1):
        make_client(org, f"Шевченко Марія{i}")
    with django_assert_num_queries(len(few.captured_queries)):
        page = staff_client.get(url, {"client_q": "Шевченко"}, headers={"HX-Request": "true"})
    assert page.context["more"] is True
    # The chosen clients come back as chips after a preview (names, not ids).
    chosen = make_client(org, "Бондар Ганна")
    page = staff_client.post(
        reverse("broadcasts:new"),
        {"audience": "clients", "clients": [chosen.pk], "text": "Hi", "action": "preview"},
    )
    assert 'data-testid="client-chip"' in page.content.decode()
    assert "Бондар Ганна" in page.content.decode()
