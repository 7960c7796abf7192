"""The audit trail reads in the administrator's words (issue 17): declared action labels,
field names, money from kopecks, choices, dates, the names of related objects — and a page
costs the same number of queries whatever its rows mention."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from tests.factories_clients import make_client
from zapys.core.audit import Actor, audit_record, audit_record_many
from zapys.core.audit_reading import audit_action_label, audit_rows_read
from zapys.core.fields import MoneyField, is_money_field
from zapys.core.models import AuditLog
from zapys.core.ui import AUDIT_ACTIONS
from zapys.ledger.models import Entry

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# `action="client.create"`, `action=("a.b" if x else "c.d")`, `"x.y" if ... else "z.w"`:
# every dotted literal in the expression passed as an audit action.
ACTION_ARGUMENT = re.compile(r"\baction=\s*\(?\s*((?:f?\"[^\"]*\"[^,\n)]*)+)")
DOTTED = re.compile(r"\"([a-z_]+\.[a-z_]+)\"")


def _actions_written_by_the_code() -> set[str]:
    found: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for match in ACTION_ARGUMENT.finditer(path.read_text(encoding="utf-8")):
            found.update(DOTTED.findall(match.group(1)))
    return found


def test_every_action_the_code_writes_has_a_label():
    written = _actions_written_by_the_code()
    assert {"client.create", "payment.refunded", "visit.status"} <= written  # the scan works
    missing = sorted(action for action in written if AUDIT_ACTIONS.get(action) is None)
    assert missing == [], f"declare a label with core.ui.audit_actions: {missing}"


def test_an_undeclared_action_reads_as_a_change_not_as_its_key():
    with translation.override("uk"):
        assert audit_action_label("something.new") == "Зміна"
        assert audit_action_label("payment.refunded") == "Онлайн-платіж повернено"


def test_money_fields_keep_a_plain_bigint_column():
    field = Entry._meta.get_field("amount")
    assert isinstance(field, MoneyField) and is_money_field(field)
    _name, path, _args, _kwargs = field.deconstruct()
    assert path == "django.db.models.BigIntegerField"  # no table is rebuilt for the class


def test_a_row_reads_in_words_in_both_languages(org, actor):
    client = make_client(org, "Шевчук Марія")
    audit_record(
        organization=org,
        actor=actor,
        action="ledger.entry_create",
        obj=client,
        changes={
            "amount": [None, 5000],
            "kind": [None, "debit"],
            "client": [None, client.pk],
            "birthday": [None, "2005-12-25"],
            "reason": "Зайвий нуль",
        },
    )
    row = AuditLog.objects.get(action="ledger.entry_create")
    # Read the changes as if they were an entry's (the field types are what matters).
    row.object_type = "ledger.entry"
    with translation.override("uk"):
        (text,) = audit_rows_read([row])
    assert text.action == "Оплату або списання записано"
    changes = {change.label: (change.old, change.new) for change in text.changes}
    # a created entry reads its values, not "— → 50,00 грн"
    assert changes["Сума"] == (None, "50,00\u00a0грн")
    assert changes["Клієнт"] == (None, "Шевчук Марія")
    assert changes["Причина"] == (None, "Зайвий нуль")
    assert "5000" not in str(changes) and "debit" not in str(changes)
    with translation.override("en"):
        (text,) = audit_rows_read([row])
    changes = {change.label: (change.old, change.new) for change in text.changes}
    assert text.action == "Payment or charge recorded"
    assert changes["Amount"] == (None, "UAH\u00a050.00")
    assert changes["Kind"] == (None, "Paid in")  # the choice's label, not "debit"


def test_amounts_an_app_declares_as_money_read_as_money(org, actor):
    """A key that is not a model field (what cancelling did with the money) reads as money
    once its app declares it so (`core.ui.audit_fields(..., money=True)`); a choice stored
    under the model's field name reads as the choice's label."""
    client = make_client(org, "Шевчук Марія")
    audit_record(
        organization=org,
        actor=actor,
        action="booking.visit_cancelled",
        obj=client,
        changes={"fee": 6000, "to_balance": 14000, "cancelled_by": "staff", "waived": False},
    )
    row = AuditLog.objects.get(action="booking.visit_cancelled")
    row.object_type = "prepayments.booking"
    with translation.override("uk"):
        (text,) = audit_rows_read([row])
    changes = {change.label: change.new for change in text.changes}
    assert changes == {
        "Штраф за скасування": "60,00\u00a0грн",
        "Залишено на балансі": "140,00\u00a0грн",
        "Хто скасував": "Персонал",
        "Штраф пробачено": "Ні",
    }
    with translation.override("en"):
        (text,) = audit_rows_read([row])
    changes = {change.label: change.new for change in text.changes}
    assert changes["Cancellation fee"] == "UAH\u00a060.00"
    assert "6000" not in str(changes) and "staff" not in str(changes)


def test_an_entry_named_in_another_row_shows_its_amount_as_money(org):
    client = make_client(org, "Шевчук Марія")
    entry = Entry(organization=org, client=client, kind="debit", amount=50000, purpose="payment")
    with translation.override("uk"):
        assert "500,00\u00a0грн" in str(entry) and "50000" not in str(entry)


def test_set_based_rows_name_the_object_by_name_or_by_number_once_deleted(org, actor):
    client = make_client(org, "Кравець Андрій")
    audit_record_many(model=type(client), ids=[client.pk], actor=actor, action="client.update")
    row = AuditLog.objects.get(action="client.update")
    assert row.object_repr == f"Client #{client.pk}"  # what the INSERT ... SELECT stores
    with translation.override("uk"):
        (text,) = audit_rows_read([row])
    assert text.object_text == "Кравець Андрій"  # the object as it is now
    assert text.object_kind == "Клієнт"
    row.object_id = str(client.pk + 1000)  # an object deleted since: its stored description
    row.object_repr = f"Client #{row.object_id}"
    with translation.override("uk"):
        (text,) = audit_rows_read([row])
    assert text.object_text == f"№{row.object_id}"


def test_scheduler_and_system_rows_do_not_show_job_codes(org):
    audit_record(
        organization=org, actor=Actor.scheduler("prepayments.sweep"), action="booking.expired"
    )
    row = AuditLog.objects.get(action="booking.expired")
    with translation.override("uk"):
        (text,) = audit_rows_read([row])
        assert text.actor == str(AuditLog.ActorKind.SCHEDULER.label)
    assert "prepayments.sweep" not in text.actor


def test_an_api_key_row_names_the_key_in_the_page_language(org, owner):
    """The stored label has no words; rows stored before ("API key «x» of user") read the
    same way."""
    audit_record(organization=org, actor=Actor.api_key(owner, "Сайт"), action="client.create")
    audit_record(
        organization=org,
        actor=Actor(AuditLog.ActorKind.API_KEY, f"API key «Сайт» of {owner.username}", owner),
        action="client.update",
    )
    new, former = AuditLog.objects.filter(actor_kind="api_key").order_by("pk")
    assert new.actor_label == f"«Сайт» ({owner.username})"
    for language, kind in (("uk", "API-ключ"), ("en", "API key")):
        with translation.override(language):
            texts = audit_rows_read([new, former])
        assert [t.actor for t in texts] == [f"{kind} «Сайт» ({owner.username})"] * 2
        assert not any(" of " in t.actor for t in texts)


def _rows_naming_clients(org, actor, count: int) -> None:
    for number in range(count):
        client = make_client(org, f"Клієнт {number}")
        audit_record(
            organization=org,
            actor=actor,
            action="client.update",
            obj=client,
            changes={"status": ["lead", "active"]},
        )
        audit_record(
            organization=org,
            actor=actor,
            action="ledger.entry_create",
            obj=client,
            changes={"client": [None, client.pk], "amount": [None, 100 * number]},
        )
    # The money rows describe entries (the fields read are the entry's).
    AuditLog.objects.filter(action="ledger.entry_create").update(object_type="ledger.entry")


def _queries_of_the_audit_page(staff_client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = staff_client.get(reverse("core:audit"), HTTP_ACCEPT_LANGUAGE="uk")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_audit_page_costs_the_same_for_2_or_40_rows_and_shows_no_keys(staff_client, org, actor):
    # Only the rows below: the fixtures' own rows (the organization, the staff, a branch)
    # would name three more kinds of object on the short page, and fall off the long one.
    AuditLog.objects.all().delete()
    _rows_naming_clients(org, actor, 1)
    few, _page = _queries_of_the_audit_page(staff_client)
    _rows_naming_clients(org, actor, 20)
    many, page = _queries_of_the_audit_page(staff_client)
    assert many == few
    assert "client.update" not in page.split('name="action"')[0]  # only as an option value
    body = page.split("</select>", 1)[1]
    assert "ledger.entry_create" not in body and "client.update" not in body
    assert "Клієнт 19" in body  # the related client by name, not by id
    assert "19,00\u00a0грн" in body  # 1900 kopecks


def test_the_filter_lists_actions_by_label_and_filters_exactly(staff_client, org, actor):
    _rows_naming_clients(org, actor, 2)
    page = staff_client.get(
        reverse("core:audit"), {"action": "client.update"}, HTTP_ACCEPT_LANGUAGE="uk"
    ).content.decode()
    body = page.split("</select>", 1)[1]
    assert body.count('data-testid="audit-row"') == 2
    assert '<option value="client.update" selected>Дані клієнта змінено</option>' in page


def test_a_change_that_reads_the_same_on_both_sides_is_not_listed(org, actor):
    # None, "" and [] all read "—": "E-mail: — → —" said nothing happened.
    client = make_client(org, "Шевчук Марія")
    audit_record(
        organization=org,
        actor=actor,
        action="client.update",
        obj=client,
        changes={
            "email": [None, ""],
            "middle_name": ["", None],
            "tags": [[], None],
            "phone": ["", "+380501112233"],
        },
    )
    row = AuditLog.objects.get(action="client.update")
    for language in ("uk", "en"):
        with translation.override(language):
            (text,) = audit_rows_read([row])
        assert [(c.old, c.new) for c in text.changes] == [("—", "+380501112233")]


def test_an_object_named_by_its_kind_is_named_once(org, actor):
    from zapys.broadcasts.services import broadcast_settings_save

    broadcast_settings_save(organization=org, actor=actor, sms_price=150)
    row = AuditLog.objects.get(action="broadcast_settings.update")
    for language, kind in (("uk", "Налаштування розсилок"), ("en", "Broadcast settings")):
        with translation.override(language):
            (text,) = audit_rows_read([row])
        assert (text.object_kind, text.object_text) == (kind, "")


def test_a_broadcasts_counts_read_in_the_page_language(org, actor):
    client = make_client(org, "Шевчук Марія")
    audit_record(
        organization=org,
        actor=actor,
        action="broadcast.finish",
        obj=client,
        changes={"sent": 15, "failed": 0, "recipients": 15},
    )
    row = AuditLog.objects.get(action="broadcast.finish")
    row.object_type = "broadcasts.broadcast"
    with translation.override("uk"):
        (text,) = audit_rows_read([row])
    assert [c.label for c in text.changes] == ["Надіслано", "Не доставлено", "Отримувачі"]
    with translation.override("en"):
        (text,) = audit_rows_read([row])
    assert [c.label for c in text.changes] == ["Sent", "Not delivered", "Recipients"]


@pytest.mark.parametrize(
    "action", ["ledger.entry_create", "ledger.receipt_create", "membership.sell", "client.create"]
)
def test_a_row_that_creates_its_object_reads_its_values_not_a_change_from_nothing(
    org, actor, action
):
    """The ledger's services each create one kind of row ("entry_create"): its values were
    never "— → 700,00 грн"; a change of an existing object keeps its before and after."""
    client = make_client(org, "Шевчук Марія")
    for key in (action, "client.update"):
        audit_record(
            organization=org, actor=actor, action=key, obj=client, changes={"name": [None, "Марія"]}
        )
    rows = AuditLog.objects.filter(object_id=str(client.pk)).order_by("-id")[:2]
    updated, created = audit_rows_read(rows)
    assert [(c.old, c.new) for c in created.changes] == [(None, "Марія")]
    assert [(c.old, c.new) for c in updated.changes] == [("—", "Марія")]
