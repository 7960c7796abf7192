"""The audit log names every kind of object in words (fifth tour): no internal ids of a
membership's usage and ledger entry, a sale's mode as the form says it, a reference to another
object by what it is now («Клієнт: Коваль Олена», not «Клієнт №7»), a settings row by its kind
alone (not «invoice settings of 1»), a channel order by its message and channels, a sales
receipt by whose it is and its total (not «№241»)."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.factories_clients import make_client
from zapys.core.audit import audit_row
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.ledger.models import SalesReceipt
from zapys.messaging.models import EventSetting

pytestmark = pytest.mark.django_db


def _row(org, object_type: str, changes: dict, repr_: str = "") -> AuditLog:
    row = audit_row(organization=org, actor=SYSTEM, action="test.change", changes=changes)
    row.object_type, row.object_id, row.object_repr = object_type, "999999", repr_
    row.save(force_insert=True)
    return row


def _read(row: AuditLog, language: str):
    with translation.override(language):
        (text,) = audit_rows_read([row])
    return text


def test_a_membership_sale_reads_without_ids(org):
    client = make_client(org, "Коваль Олена")
    row = _row(
        org,
        "memberships.clientmembership",
        {"mode": [None, "free"], "usage": [None, 23], "entry": 58,
         "cause": [None, f"clients.client#{client.pk}"]},
    )  # fmt: skip
    uk = {c.label: c.new for c in _read(row, "uk").changes}
    assert uk == {"Спосіб продажу": "Без оплати", "За що": "Клієнт: Коваль Олена"}
    en = {c.label: c.new for c in _read(row, "en").changes}
    assert en["Sale mode"] != "free" and "Usage" not in en and "Entry" not in en


def test_a_reference_to_an_object_gone_still_reads_its_kind(org):
    row = _row(org, "memberships.clientmembership", {"cause": [None, "clients.client#999999"]})
    (change,) = _read(row, "uk").changes
    assert change.new == "Клієнт №999999"


@pytest.mark.parametrize(
    "object_type",
    ["invoices.invoicesettings", "prepayments.prepaymentsettings", "broadcasts.broadcastsettings"],
)
def test_a_settings_row_is_named_by_its_kind_alone(org, object_type):
    row = _row(org, object_type, {}, repr_="invoice settings of 1")
    text = _read(row, "uk")
    assert text.object_text == "" and text.object_kind.startswith("Налаштування")


def test_a_channel_order_and_a_receipt_are_named_in_words(org):
    with translation.override("uk"):
        assert str(EventSetting(event="", channels="telegram,sms")) == (
            "Усі повідомлення: Telegram → SMS"
        )
        assert str(EventSetting(event="messaging.test", channels="email")) == (
            "Тестове повідомлення: E-mail"
        )
        client = make_client(org, "Кравець Андрій")
        receipt = SalesReceipt(client=client, total=180_000)
        assert str(receipt) == "Кравець Андрій, 1\u00a0800,00\u00a0грн"
        assert "№" not in str(SalesReceipt(total=5_000))


def test_a_plans_validity_reads_as_one_amount_with_its_unit(org):
    created = _row(
        org,
        "memberships.membershipplan",
        {"validity_value": [None, 1], "validity_unit": [None, "months"]},
    )
    created.action = "membership_plan.create"
    changed = _row(
        org,
        "memberships.membershipplan",
        {"validity_value": [1, 3], "validity_unit": ["months", "months"]},
    )
    assert [(c.label, c.old, c.new) for c in _read(created, "uk").changes] == [
        ("Термін дії", None, "1 місяць")
    ]
    assert [(c.old, c.new) for c in _read(changed, "uk").changes] == [("1 місяць", "3 місяці")]
    assert [(c.old, c.new) for c in _read(changed, "en").changes] == [("1 month", "3 months")]
