"""Automatic invoicing rules (I5) on the calendar, and dunning reminders (X6)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_membership, make_plan
from tests.factories_messaging import make_console_accounts
from zapys.core.calendar_work import run_due_calendar_work
from zapys.core.models import CalendarSchedule
from zapys.core.tenancy import organization_zone
from zapys.invoices import rules, services
from zapys.invoices.models import Invoice, InvoiceRule
from zapys.messaging.models import Message


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _rule(org, **fields):
    schedule = fields.pop("schedule", rules.Schedule("month", time(9), day=1))
    defaults = {"name": "Monthly", "method": "membership", "account": "all", "channel": "sms"}
    return rules.rule_save(
        organization=org, actor=SYSTEM, schedule=schedule, **{**defaults, **fields}
    )


@pytest.mark.parametrize(
    ("period", "kind", "expected"),
    [
        ("day", "current", (date(2026, 9, 16), date(2026, 9, 16))),
        ("day", "next", (date(2026, 9, 17), date(2026, 9, 17))),
        ("week", "current", (date(2026, 9, 14), date(2026, 9, 20))),
        ("week", "next", (date(2026, 9, 21), date(2026, 9, 27))),
        ("month", "current", (date(2026, 9, 1), date(2026, 9, 30))),
        ("month", "next", (date(2026, 10, 1), date(2026, 10, 31))),
    ],
)
def test_periods(period, kind, expected):
    rule = InvoiceRule(period=period, period_type=kind)
    assert rules.rule_period(rule, date(2026, 9, 16)) == expected


def test_payment_windows():
    today = date(2026, 1, 20)
    assert rules.pay_until_for("unlimited", today) is None
    assert [rules.pay_until_for(w, today) for w in ("3d", "5d", "6d", "1w", "2w")] == [
        date(2026, 1, 23),
        date(2026, 1, 25),
        date(2026, 1, 26),
        date(2026, 1, 27),
        date(2026, 2, 3),
    ]
    assert rules.pay_until_for("month_end", today) == date(2026, 1, 31)
    assert rules.pay_until_for("next_month_end", today) == date(2026, 2, 28)


def test_run_issues_once_skips_with_reasons_and_sends(org, branch):
    make_console_accounts(org)
    plan = make_plan(org, name="Піаніно", price=80_000, separate_account=True)
    today = services.local_today(org)
    with_phone = make_client(org, name="Олена")
    no_phone = make_client(org, name="Без телефону", phone="")
    owing = make_client(org, name="Боржник")
    for client in (with_phone, no_phone, owing):
        make_membership(client, plan, mode="free", starts_on=today)
    services.invoice_create(client=owing, calculation="manual", amount=100, actor=SYSTEM)
    rule = _rule(org, pay_window="1w", template="{customer.name}: {bill.amount_url}")
    dry = rules.rule_run(rule=rule, actor=SYSTEM, dry_run=True)
    assert [i["client_id"] for i in dry.issued] == [with_phone.pk]
    assert {s["client_id"]: s["reason"] for s in dry.skipped} == {
        no_phone.pk: "no phone for SMS",
        owing.pk: "has an unpaid invoice",
    }
    assert Invoice.objects.filter(rule=rule).count() == 0 and Message.objects.count() == 0
    report = rules.rule_run(rule=rule, actor=SYSTEM)
    invoice = Invoice.objects.get(rule=rule)
    assert (invoice.client_id, invoice.amount, invoice.calculation) == (
        with_phone.pk,
        80_000,
        "membership",
    )
    assert invoice.pay_until == today + timedelta(days=7)
    assert report.issued[0]["invoice_id"] == invoice.pk
    message = Message.objects.get(related_id=str(invoice.pk))
    assert message.text == f"Олена: 800,00\xa0грн — {invoice.url}"
    again = rules.rule_run(rule=rule, actor=SYSTEM)
    assert again.issued == [] and Invoice.objects.filter(rule=rule).count() == 1
    assert {"client_id": with_phone.pk, "reason": "has an unpaid invoice"} in again.skipped
    rule.reissue_if_unpaid = True
    rule.save()
    third = rules.rule_run(rule=rule, actor=SYSTEM)
    assert {"client_id": with_phone.pk, "reason": "already issued for this period"} in third.skipped
    assert Invoice.objects.filter(rule=rule, client=owing).count() == 1
    assert Invoice.objects.filter(rule=rule).count() == 2


def test_filters_narrow_the_clients(org, branch):
    plan = make_plan(org, price=50_000, visits=8)
    today = services.local_today(org)
    lead = make_client(org, status="lead")
    active = make_client(org)
    for client in (lead, active):
        make_membership(client, plan, mode="free", starts_on=today)
    rule = _rule(org, filters={"client_status": ["active"], "lessons_max": 3}, channel="")
    report = rules.rule_run(rule=rule, actor=SYSTEM, dry_run=True)
    # the lead is filtered out; the active client has 8 lessons left, above the range
    assert report.issued == []
    assert report.skipped == [
        {"client_id": active.pk, "reason": "more lessons left than the range"}
    ]
    with pytest.raises(Exception, match="Unknown filters"):
        _rule(org, filters={"bogus": 1})


def test_monthly_rule_runs_by_tick_at_its_time_in_the_organization_zone(org, branch):
    make_console_accounts(org)
    plan = make_plan(org, price=60_000, validity_value=24)
    client = make_client(org)
    make_membership(client, plan, mode="free", starts_on=date(2026, 1, 1))
    zone = organization_zone(org)
    before = datetime(2026, 12, 31, 12, 0, tzinfo=zone)
    rule = _rule(org, schedule=rules.Schedule("month", time(9), day=1), now=before)
    schedule = CalendarSchedule.objects.get(work="invoices.rule", subject_id=rule.pk)
    at_nine = datetime(2027, 1, 1, 9, 0, tzinfo=zone)
    assert schedule.next_run_at == at_nine
    run_due_calendar_work(at_nine - timedelta(minutes=1))
    assert Invoice.objects.count() == 0
    run_due_calendar_work(at_nine + timedelta(seconds=20))
    invoice = Invoice.objects.get()
    assert (invoice.rule_id, invoice.period_start, invoice.period_end) == (
        rule.pk,
        date(2027, 1, 1),
        date(2027, 1, 31),
    )
    run_due_calendar_work(at_nine + timedelta(minutes=1))  # the slot is spent
    assert Invoice.objects.count() == 1


def test_dunning_before_and_after_the_due_date_stops_when_paid(org):
    make_console_accounts(org)
    zone = organization_zone(org)
    today = services.local_today(org)
    client = make_client(org, name="Марко")
    due = today + timedelta(days=10)
    invoice = services.invoice_create(
        client=client,
        calculation="manual",
        amount=30_000,
        period_start=due,
        pay_until=due + timedelta(days=10),
        actor=SYSTEM,
    )
    paid = services.invoice_create(
        client=client, calculation="manual", amount=100, period_start=due, actor=SYSTEM
    )
    Invoice.objects.filter(pk=paid.pk).update(status="paid", paid_amount=100)
    rules.dunning_level_create(
        organization=org, days_from_due=-2, actor=SYSTEM, template="Скоро: {bill.url}"
    )
    rules.dunning_level_create(organization=org, days_from_due=3, actor=SYSTEM)

    def at(day: date) -> datetime:
        return datetime.combine(day, time(10), zone)

    assert rules.dunning_run(at(due - timedelta(days=3))) == 0
    assert rules.dunning_run(at(due - timedelta(days=2))) == 1
    assert rules.dunning_run(at(due - timedelta(days=1))) == 0  # once per level
    assert rules.dunning_run(at(due + timedelta(days=3))) == 1
    texts = list(
        Message.objects.filter(related_id=str(invoice.pk))
        .order_by("id")
        .values_list("text", flat=True)
    )
    assert texts[0] == f"Скоро: {invoice.url}"
    assert "нагадуємо" in texts[1]
    assert not Message.objects.filter(related_id=str(paid.pk)).exists()


def test_rules_api(api, org, branch):
    r = api.post(
        "/invoice-rules",
        {
            "name": "Щомісяця",
            "method": "forecast",
            "account": "base",
            "period_type": "next",
            "period": "month",
            "filters": {"attended_30_days": True, "money_max": 0},
            "pay_window": "month_end",
            "schedule": {"every": "month", "at": "09:00", "day": 25},
            "channel": "sms",
            "template": "{bill.url}",
        },
    )
    assert r.status == 201, r.body
    assert r.body["schedule"]["every"] == "month" and r.body["schedule"]["day"] == 25
    assert r.body["filters"] == {"attended_30_days": True, "money_max": 0}
    rule_id = r.body["id"]
    patched = api.patch(f"/invoice-rules/{rule_id}", {"enabled": False})
    assert patched.status == 200 and patched.body["schedule"]["next_run_at"] is None
    weekly = api.patch(
        f"/invoice-rules/{rule_id}",
        {"enabled": True, "schedule": {"every": "week", "at": "08:30", "weekday": 0}},
    )
    assert weekly.body["schedule"]["weekday"] == 0 and weekly.body["schedule"]["next_run_at"]
    bad = api.patch(f"/invoice-rules/{rule_id}", {"schedule": {"every": "week", "at": "08:30"}})
    assert bad.status == 400
    run = api.post(f"/invoice-rules/{rule_id}/run", {"dry_run": True})
    assert run.status == 200 and run.body["dry_run"] is True and run.body["issued"] == 0
    assert api.get("/invoice-rules").body["count"] == 1
    level = api.post("/dunning-levels", {"days_from_due": -3, "channel": "sms"})
    assert level.status == 201 and level.body["days_from_due"] == -3
    assert api.post("/dunning-levels", {"days_from_due": -3}).status == 409
    assert api.post("/dunning-levels", {"days_from_due": 400}).status == 422
    assert api.get("/dunning-levels").body["count"] == 1


def test_a_rule_reaches_the_payer_of_a_child_without_a_phone(org, branch):
    make_console_accounts(org)
    plan = make_plan(org, price=40_000)
    child = make_client(org, name="Дитина", phone="")
    parent = make_client(org, name="Мама")
    make_membership(child, plan, mode="free", starts_on=services.local_today(org))
    services.client_payer_set(client=child, payer=parent, actor=SYSTEM)
    rule = _rule(org, filters={"client_status": ["active"]})
    rules.rule_run(rule=rule, actor=SYSTEM)
    invoice = Invoice.objects.get(client=child)
    assert invoice.payer_id == parent.pk
    assert Message.objects.get(related_id=str(invoice.pk)).client_id == parent.pk
