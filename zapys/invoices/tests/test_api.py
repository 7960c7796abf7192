"""Invoices API (API.md "Invoices"): shapes, bad input, filters, send, archive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_membership, make_plan
from tests.factories_messaging import make_console_accounts
from tests.factories_payments import make_account
from zapys.invoices import services
from zapys.invoices.models import Invoice
from zapys.messaging.models import Message


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def test_create_manual_and_read_back(api, org):
    client = make_client(org)
    payer = make_client(org, name="Parent")
    today = services.local_today(org)
    r = api.post(
        f"/clients/{client.pk}/invoices",
        {
            "calculation": "manual",
            "amount": 45_000,
            "payer_client_id": payer.pk,
            "period_start": str(today),
            "period_end": str(today + timedelta(days=30)),
            "pay_until": str(today + timedelta(days=7)),
            "allow_partial": True,
        },
    )
    assert r.status == 201, r.body
    body = r.body
    assert body["number"] == f"РАХ-{today.year}-00001"
    assert (body["client_id"], body["payer_client_id"]) == (client.pk, payer.pk)
    assert (body["status"], body["amount"], body["paid_amount"], body["currency"]) == (
        "awaiting",
        45_000,
        0,
        "UAH",
    )
    assert body["pay_from"] == str(today) and body["allow_partial"] is True
    assert body["url"] == f"http://testserver/i/{Invoice.objects.get().token}/"
    got = api.get(f"/invoices/{body['id']}")
    assert got.status == 200 and got.body == body


def test_create_by_membership_price(api, org):
    client = make_client(org)
    membership = make_membership(
        client, make_plan(org, price=99_000, separate_account=True), mode="credit"
    )
    r = api.post(
        f"/clients/{client.pk}/invoices",
        {"calculation": "membership", "membership_id": membership.pk, "pay_until": None},
    )
    assert r.status == 201, r.body
    assert (r.body["amount"], r.body["account_id"], r.body["pay_until"]) == (
        99_000,
        membership.account_id,
        None,
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"calculation": "manual", "amount": 0}, 422, "amount"),
        ({"calculation": "manual", "amount": -5}, 422, "amount"),
        ({"calculation": "manual"}, 400, "amount"),
        ({"calculation": "bogus", "amount": 100}, 422, "calculation"),
        (
            {
                "calculation": "manual",
                "amount": 100,
                "pay_from": "2030-05-10",
                "pay_until": "2030-05-01",
            },
            400,
            "pay_until",
        ),
        (
            {
                "calculation": "manual",
                "amount": 100,
                "pay_from": "2020-01-01",
                "pay_until": "2020-01-02",
            },
            400,
            "pay_until",
        ),
        ({"calculation": "membership", "membership_id": 999999}, 400, "membership_id"),
        (
            {"calculation": "manual", "amount": 100, "payer_client_id": 999999},
            400,
            "payer_client_id",
        ),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(api, org, body, status, field):
    client = make_client(org)
    r = api.post(f"/clients/{client.pk}/invoices", body)
    assert r.status == status, r.body
    assert r.body["errors"][0]["field"] == field
    assert Invoice.objects.count() == 0


def test_unknown_client_and_invoice_are_404(api, org):
    assert (
        api.post("/clients/999999/invoices", {"calculation": "manual", "amount": 1}).status == 404
    )
    assert api.get("/invoices/999999").status == 404
    assert api.post("/invoices/999999/send", {}).status == 404


def test_list_filters_and_constant_queries(api, org):
    a, b = make_client(org), make_client(org)
    for _ in range(3):
        services.invoice_create(client=a, calculation="manual", amount=10_000, actor=SYSTEM)
    paid = services.invoice_create(client=b, calculation="manual", amount=20_000, actor=SYSTEM)
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=20_000)
    api.get("/invoices")  # warm: the key's first use of the day is recorded once
    with CaptureQueriesContext(connection) as few:
        r = api.get("/invoices")
    assert r.body["count"] == 4
    for _ in range(10):
        services.invoice_create(client=a, calculation="manual", amount=10_000, actor=SYSTEM)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/invoices", limit=50).body["count"] == 14
    assert len(many) == len(few)
    assert [i["id"] for i in api.get("/invoices", status="paid").body["items"]] == [paid.pk]
    assert api.get("/invoices", client_id=b.pk).body["count"] == 1
    assert api.get("/invoices", status="bogus").status == 422


def test_send_queues_a_message_with_the_tags(api, org):
    make_console_accounts(org)
    child = make_client(org, name="Child")
    parent = make_client(org, name="Parent Petrenko", phone="+380671112233")
    invoice = services.invoice_create(
        client=child, calculation="manual", amount=12_345, payer=parent, actor=SYSTEM
    )
    # a name that is not a tag would reach the client as written: refused, nothing queued
    r = api.post(
        f"/invoices/{invoice.pk}/send",
        {"channel": "sms", "text": "{customer.name}: {bill.amount_url} {{ settings.SECRET_KEY }}"},
    )
    assert r.status == 422
    assert r.body["errors"] == [
        {
            "field": "text",
            "message": "Unknown variables: {settings.SECRET_KEY}. "
            "Use the variables listed next to the editor.",
        }
    ]
    assert not Message.objects.exists()
    r = api.post(
        f"/invoices/{invoice.pk}/send",
        {"channel": "sms", "text": "{customer.name}: {bill.amount_url}"},
    )
    assert r.status == 200, r.body
    message = Message.objects.get(pk=r.body["id"])
    assert message.client_id == parent.pk and message.channel == "sms"
    assert message.text == f"Parent Petrenko: 123,45\xa0грн — {invoice.url}"
    assert (message.related_type, message.related_id) == ("invoices.invoice", str(invoice.pk))
    templated = api.post(f"/invoices/{invoice.pk}/send", {})
    assert templated.status == 200
    assert invoice.url in Message.objects.get(pk=templated.body["id"]).text


def test_send_without_a_channel_is_a_400(api, org):
    invoice = services.invoice_create(
        client=make_client(org), calculation="manual", amount=100, actor=SYSTEM
    )
    r = api.post(f"/invoices/{invoice.pk}/send", {"channel": "email"})
    assert r.status == 400 and r.body["detail"]
    assert Message.objects.count() == 0


def test_archive_protocol(api, org):
    client = make_client(org)
    first, paid = (
        services.invoice_create(client=client, calculation="manual", amount=100, actor=SYSTEM)
        for _ in range(2)
    )
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=100)
    r = api.post("/invoices/archive", {"ids": [first.pk, paid.pk, first.pk, 999999]})
    assert r.status == 200
    assert r.body["results"] == [
        {"id": first.pk, "ok": True, "error": None},
        {"id": paid.pk, "ok": False, "error": "paid"},
        {"id": 999999, "ok": False, "error": "not_found"},
    ]
    again = api.post("/invoices/archive", {"ids": [first.pk]})
    assert again.body["results"] == [{"id": first.pk, "ok": False, "error": "already_archived"}]
    assert api.post("/invoices/archive", {"ids": []}).status == 422


def test_settings_round_trip(api, org):
    org.legal_name, org.offer_url = "ФОП Коваленко", "https://salon.example/offer"
    org.save()
    r = api.get("/invoices/settings")
    assert r.body["requisites"] == "" and "ФОП Коваленко" in r.body["requisites_shown"]
    assert r.body["offer_url_shown"] == "https://salon.example/offer"
    account = make_account(org, "sandbox")
    r = api.patch(
        "/invoices/settings",
        {
            "payment_account_id": account.pk,
            "requisites": "ТОВ Запис",
            "offer_url": "https://x.example/o",
        },
    )
    assert r.status == 200, r.body
    assert (r.body["payment_account_id"], r.body["requisites_shown"]) == (account.pk, "ТОВ Запис")
    assert api.patch("/invoices/settings", {"offer_url": "javascript:alert(1)"}).status == 400
    assert api.patch("/invoices/settings", {"payment_account_id": 999999}).status == 404
    assert api.get("/invoices/settings").body["offer_url"] == "https://x.example/o"
