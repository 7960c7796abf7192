"""Issue 17: a payment reminder's day is asked and shown in words. The form asked "Days from
the due date: -3" (negative = before), which an administrator read as a typo; it now asks a
number of days and "before / on / after the due date", and stores the same signed
`days_from_due` as before (the API, the job and existing reminders are unchanged). The list
and the audit log say the day as a phrase with the language's plural forms («за 3 дні до
терміну оплати»). On the same page the rule's payment window is «Строк на оплату», no longer
«Термін оплати» like the due date the reminders count from."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from tests.pages import staff_page
from zapys.core.models import AuditLog
from zapys.invoices import rules
from zapys.invoices.forms import DunningLevelForm
from zapys.invoices.models import DunningLevel, due_offset_words

RULES = "/finance/invoice-rules/"


@pytest.mark.parametrize(
    ("days", "when", "stored"),
    [("3", "before", -3), ("2", "after", 2), ("", "on", 0), ("7", "on", 0), ("1", "before", -1)],
)
def test_the_form_stores_the_same_signed_day(days, when, stored):
    form = DunningLevelForm({"days": days, "when": when, "channel": "", "template": ""})
    assert form.is_valid(), form.errors
    # exactly what the services take, as before the form changed
    assert form.cleaned_data == {"days_from_due": stored, "channel": "", "template": ""}


@pytest.mark.parametrize(
    "data",
    [
        {"days": "", "when": "before"},
        {"days": "0", "when": "after"},
        {"days": "-3", "when": "before"},
        {"days": "400", "when": "after"},
        {"days": "3", "when": "-3"},
    ],
)
def test_a_day_that_is_not_a_day_is_refused(data):
    form = DunningLevelForm({**data, "channel": "", "template": ""})
    assert not form.is_valid()
    assert "days_from_due" not in form.cleaned_data


def test_an_existing_reminders_day_is_shown_as_days_and_before_or_after():
    for stored, days, when in ((-3, 3, "before"), (2, 2, "after"), (0, None, "on")):
        form = DunningLevelForm(initial={"days_from_due": stored})
        assert (form["days"].value(), form["when"].value()) == (days, when)


def test_the_pages_ask_before_or_after_never_a_negative_number(staff_client, owner, org):
    level = rules.dunning_level_create(organization=org, days_from_due=-3, actor=SYSTEM)
    for name, args, prefix in (
        ("invoices:rules", (), "id_level_"),
        ("invoices:dunning_edit", (level.pk,), "id_"),
    ):
        html = unescape(staff_page(staff_client, owner, "uk", name, *args))
        assert "Від'ємне" not in html and "Днів від терміну оплати" not in html
        assert 'min="-365"' not in html
        assert re.search(rf'<select name="when"[^>]*id="{prefix}when"', html)
        assert ">до терміну оплати</option>" in html
        assert ">після терміну оплати</option>" in html
        assert ">у день терміну оплати</option>" in html
    # the edit shows the stored -3 as 3 + "before"
    assert 'name="days" value="3"' in html
    assert '<option value="before" selected>до терміну оплати</option>' in html


def test_adding_and_editing_a_reminder_through_the_form(staff_client, owner, org):
    added = staff_client.post(
        RULES, {"action": "dunning", "days": "3", "when": "before", "channel": "sms"}
    )
    assert added.status_code == 302
    level = DunningLevel.objects.get()
    assert (level.days_from_due, level.channel) == (-3, "sms")
    url = f"/finance/invoice-rules/reminders/{level.pk}/"
    edited = staff_client.post(url, {"days": "2", "when": "after", "channel": "", "template": ""})
    assert edited.status_code == 302
    level.refresh_from_db()
    assert level.days_from_due == 2
    # "after" without a number: refused on the number, nothing changed
    refused = staff_client.post(url, {"days": "", "when": "before", "channel": "sms"})
    assert refused.status_code == 200 and "days" in refused.context["form"].errors
    level.refresh_from_db()
    assert (level.days_from_due, level.channel) == (2, "")
    assert AuditLog.objects.filter(action="dunning_level.update").count() == 1


@pytest.mark.parametrize(
    ("days", "uk", "en"),
    [
        (-1, "За 1 день до терміну оплати", "1 day before the due date"),
        (-3, "За 3 дні до терміну оплати", "3 days before the due date"),
        (-5, "За 5 днів до терміну оплати", "5 days before the due date"),
        (-21, "За 21 день до терміну оплати", "21 days before the due date"),
        (0, "У день терміну оплати", "On the due date"),
        (2, "Через 2 дні після терміну оплати", "2 days after the due date"),
        (11, "Через 11 днів після терміну оплати", "11 days after the due date"),
    ],
)
def test_the_day_in_words_with_plural_forms(days, uk, en):
    with translation.override("uk"):
        assert due_offset_words(days) == uk
    with translation.override("en"):
        assert due_offset_words(days) == en


def test_the_list_says_each_day_in_words(staff_client, owner, org):
    for days in (-3, 0, 2):
        rules.dunning_level_create(organization=org, days_from_due=days, actor=SYSTEM)
    html = unescape(staff_page(staff_client, owner, "uk", "invoices:rules"))
    shown = re.findall(r'data-testid="dunning-day">([^<]*)</div>', html)
    assert shown == [
        "За 3 дні до терміну оплати",
        "У день терміну оплати",
        "Через 2 дні після терміну оплати",
    ]
    assert "-3" not in "".join(shown)


def test_the_payment_window_and_the_due_date_are_two_words(staff_client, owner, org):
    html = unescape(staff_page(staff_client, owner, "uk", "invoices:rules"))
    # the rule's window (how long an invoice may be paid) and the reminders' due date
    assert re.search(r'for="id_pay_window">Строк на оплату', html)
    assert not re.search(r'for="id_pay_window">Термін', html)
    assert "Термін оплати<" not in html  # no label, column or option says it for the window
    assert ">до терміну оплати</option>" in html
