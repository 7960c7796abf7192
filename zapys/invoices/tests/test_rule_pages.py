"""A rule's edit and delete in the staff pages (I5): every option of the new-rule form can
be changed and reads back as saved; bad input is a field error that changes nothing; the
delete asks first, says the invoices stay, keeps them payable and is audited in words; a
rule of another organization is not found."""

from __future__ import annotations

import re
from datetime import time

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from zapys.catalog.models import LessonType, Subject
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog, CalendarSchedule
from zapys.core.tenancy import org_scope
from zapys.invoices import rules, services
from zapys.invoices.models import Invoice, InvoiceRule


def _rule(org, **fields):
    values = {"name": "Щомісячні", "method": "membership"}
    values.update(fields)
    return rules.rule_save(
        organization=org,
        actor=SYSTEM,
        schedule=rules.Schedule("month", time(9), day=1),
        **values,
    )


def _snapshot():
    return list(
        InvoiceRule.objects.order_by("id").values_list(
            "id", "name", "method", "account", "filters", "pay_window", "enabled", "template"
        )
    ), list(
        CalendarSchedule.objects.order_by("id").values_list(
            "frequency", "time_of_day", "weekday", "day_of_month"
        )
    )


def test_the_edit_form_shows_the_rule_as_saved(org, staff_client):
    subject = Subject.objects.create(organization=org, name="Фортепіано")
    rule = _rule(
        org,
        filters={"money_min": 125_050, "lessons_max": 2, "subject_id": subject.pk},
        pay_window="1w",
    )
    html = staff_client.get(f"/finance/invoice-rules/{rule.pk}/edit/").content.decode()
    assert 'value="Щомісячні"' in html
    assert 'value="1250,50"' in html  # as people type it, never 125050 kopecks
    assert "125050" not in html
    assert f'<option value="{subject.pk}" selected>' in html
    assert '<option value="1w" selected>' in html
    assert 'name="enabled"' in html and "checked" in html


def test_every_option_can_be_changed(org, staff_client):
    rule = _rule(org)
    subject = Subject.objects.create(organization=org, name="Вокал")
    lesson_type = LessonType.objects.create(organization=org, name="Група")
    response = staff_client.post(
        f"/finance/invoice-rules/{rule.pk}/edit/",
        {
            "name": "Щотижневі за прогнозом",
            "method": "forecast",
            "account": "all",
            "period_type": "next",
            "period": "week",
            "client_status": ["active", "lead"],
            "client_type": "individual",
            "subject": subject.pk,
            "lesson_type": lesson_type.pk,
            "lessons_min": "1",
            "lessons_max": "4",
            "money_min": "0",
            "money_max": "1 500,00",
            "attended_30_days": "on",
            "lesson_today": "on",
            "pay_window": "next_month_end",
            "repeatable": "on",
            "reissue_if_unpaid": "on",
            "every": "week",
            "at": "18:30",
            "weekday": "4",
            "day": "",
            "channel": "email",
            "template": "Рахунок {bill.url}",
            # "enabled" left out: switched off
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rule.refresh_from_db()
    assert (
        rule.name,
        rule.method,
        rule.account,
        rule.period_type,
        rule.period,
        rule.pay_window,
        rule.repeatable,
        rule.reissue_if_unpaid,
        rule.channel,
        rule.template,
        rule.enabled,
    ) == (
        "Щотижневі за прогнозом",
        "forecast",
        "all",
        "next",
        "week",
        "next_month_end",
        True,
        True,
        "email",
        "Рахунок {bill.url}",
        False,
    )
    assert rule.filters == {
        "client_status": ["active", "lead"],
        "client_type": "individual",
        "subject_id": subject.pk,
        "lesson_type_id": lesson_type.pk,
        "lessons_min": 1,
        "lessons_max": 4,
        "money_min": 0,
        "money_max": 150_000,
        "attended_30_days": True,
        "lesson_today": True,
    }
    schedule = rules.rule_schedule(rule)
    assert (schedule.frequency, schedule.time_of_day, schedule.weekday) == (
        "weekly",
        time(18, 30),
        4,
    )
    assert schedule.next_run_at is None  # switched off: paused
    row = AuditLog.objects.filter(action="invoice_rule.update").latest("id")
    (read,) = audit_rows_read([row])
    assert "invoice_rule" not in read.action
    shown = " ".join(f"{c.label} {c.old} {c.new}" for c in read.changes)
    assert "next_month_end" not in shown  # the window reads as its label
    # the filters read as words: labels, statuses, the subject's name, money as money
    for raw in ("client_status", "lessons_min", "subject_id", "150000", "'active'"):
        assert raw not in shown, raw
    assert "Вокал" in shown and "1 500,00" in shown.replace("\xa0", " ")


@pytest.mark.parametrize(
    "change, field",
    [
        ({"name": ""}, "name"),
        ({"lessons_min": "5", "lessons_max": "2"}, None),
        ({"money_max": "-3"}, "money_max"),
        ({"every": "week", "weekday": ""}, None),
        ({"pay_window": "forever"}, "pay_window"),
    ],
)
def test_bad_input_is_a_field_error_and_changes_nothing(org, staff_client, change, field):
    rule = _rule(org)
    before = _snapshot()
    form = {
        "name": "Інша назва",
        "method": "membership",
        "account": "base",
        "period_type": "current",
        "period": "month",
        "pay_window": "unlimited",
        "every": "month",
        "at": "09:00",
        "day": "1",
        "enabled": "on",
    }
    form.update(change)
    response = staff_client.post(f"/finance/invoice-rules/{rule.pk}/edit/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "is-invalid" in html or "alert-danger" in html
    if field:
        assert f'name="{field}"' in html
    assert _snapshot() == before


def test_delete_asks_first_and_keeps_the_invoices(org, staff_client):
    rule = _rule(org)
    client = make_client(org)
    invoice = services.invoice_create(
        client=client, calculation="manual", amount=20_000, actor=SYSTEM
    )
    Invoice.objects.filter(pk=invoice.pk).update(rule=rule)
    page = staff_client.get(f"/finance/invoice-rules/{rule.pk}/delete/").content.decode()
    assert 'data-testid="confirm-delete"' in page
    kept = re.search(r'data-testid="kept">(.*?)</p>', page, re.S).group(1)
    assert kept.startswith("1 ")  # the one invoice it issued
    assert "can still be paid" in kept or "можна буде оплатити" in kept
    assert InvoiceRule.objects.filter(pk=rule.pk).exists()  # a GET deletes nothing

    assert "Щомісячні (видалене)" in kept  # where the list still finds them

    response = staff_client.post(f"/finance/invoice-rules/{rule.pk}/delete/")
    assert response.status_code == 302
    # kept, marked deleted: the invoices still name it (it was a hard delete before)
    rule.refresh_from_db()
    assert rule.deleted_at is not None and not rule.enabled
    assert not CalendarSchedule.objects.filter(work="invoices.rule", subject_id=rule.pk).exists()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.rule_id, invoice.amount) == ("awaiting", rule.pk, 20_000)
    # gone from the rules page, still offered by the invoice list's filter, which finds it
    rules_page = staff_client.get("/finance/invoice-rules/").content.decode()
    assert f"/finance/invoice-rules/{rule.pk}/edit/" not in rules_page
    assert staff_client.get(f"/finance/invoice-rules/{rule.pk}/edit/").status_code == 404
    listed = staff_client.get(f"/finance/invoices/?rule={rule.pk}").content.decode()
    assert f'<option value="{rule.pk}" selected>Щомісячні (видалене)</option>' in listed
    assert invoice.number in listed
    detail = staff_client.get(f"/finance/invoices/{invoice.pk}/").content.decode()
    assert "Щомісячні (видалене)" in detail
    assert staff_client.get(invoice.url.removeprefix("http://testserver")).status_code == 200
    row = AuditLog.objects.get(action="invoice_rule.delete")
    assert row.changes == {"name": ["Щомісячні", None], "invoices_kept": 1}
    (read,) = audit_rows_read([row])
    labels = [change.label for change in read.changes]
    assert "invoices_kept" not in " ".join(labels) and "Invoices kept" not in labels
    assert staff_client.get(f"/finance/invoice-rules/{rule.pk}/delete/").status_code == 404


def test_another_organizations_rule_is_not_found(org, other_org, staff_client):
    with org_scope(other_org):
        theirs = _rule(other_org, name="Чуже")
        before = _snapshot()
    for path in ("edit", "delete"):
        assert staff_client.get(f"/finance/invoice-rules/{theirs.pk}/{path}/").status_code == 404
        assert (
            staff_client.post(
                f"/finance/invoice-rules/{theirs.pk}/{path}/", {"name": "x"}
            ).status_code
            == 404
        )
    with org_scope(other_org):
        assert _snapshot() == before
