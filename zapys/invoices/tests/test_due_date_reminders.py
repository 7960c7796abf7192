"""An invoice has one due date (`Invoice.due_on`): the page's «Сплатити до», the list's
column and the reminders' day all say it. A client of the fifth tour got "2 days before"
and "3 days after" in one minute (the reminders counted from the period's start, the page
said the link's last day): when several reminders' days have come at once only the latest
goes, the others are recorded as skipped and never go."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from tests.factories_messaging import make_console_accounts
from zapys.core.tenancy import organization_zone
from zapys.invoices import rules, services
from zapys.invoices.models import DunningSent, Invoice
from zapys.messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _public_url(settings) -> None:
    settings.ZAPYS_PUBLIC_URL = "http://testserver"


def _at(org, day: date) -> datetime:
    return datetime.combine(day, time(10), organization_zone(org))


def _invoice(org, **kwargs) -> Invoice:
    return services.invoice_create(
        client=make_client(org, name="Коваль Марта"),
        calculation="manual",
        amount=70_000,
        actor=SYSTEM,
        **kwargs,
    )


def test_the_due_date_is_the_periods_start_within_the_link(org):
    today = services.local_today(org)
    week = today + timedelta(days=7)
    # a period starting next week, the link open a month: due when the period starts
    assert _invoice(org, period_start=week, pay_until=today + timedelta(days=30)).due_on == week
    # issued late for a period already begun: due the day it is issued
    late = _invoice(org, period_start=today - timedelta(days=4))
    assert late.due_on == today
    # the link closes before the period starts: due when the link closes
    short = _invoice(org, period_start=today + timedelta(days=20), pay_until=week)
    assert short.due_on == week
    # no period: the link's last day, else the day it became payable
    assert _invoice(org, pay_until=week).due_on == week
    assert _invoice(org).due_on == today


def test_two_reminders_come_at_once_one_message_goes_the_other_is_skipped(org):
    make_console_accounts(org)
    today = services.local_today(org)
    due = today + timedelta(days=1)
    invoice = _invoice(org, period_start=due, pay_until=due + timedelta(days=20))
    before = rules.dunning_level_create(organization=org, days_from_due=-2, actor=SYSTEM)
    after = rules.dunning_level_create(organization=org, days_from_due=3, actor=SYSTEM)

    # the job did not run until 5 days past the due date: both days have come
    assert rules.dunning_run(_at(org, due + timedelta(days=5))) == 1
    messages = Message.objects.filter(related_id=str(invoice.pk))
    assert messages.count() == 1
    marks = dict(DunningSent.objects.filter(invoice=invoice).values_list("level_id", "skipped"))
    assert marks == {before.pk: True, after.pk: False}
    # never later either
    assert rules.dunning_run(_at(org, due + timedelta(days=6))) == 0
    assert messages.count() == 1


def test_a_before_reminder_is_not_sent_once_the_due_date_has_come(org):
    make_console_accounts(org)
    today = services.local_today(org)
    invoice = _invoice(org, period_start=today - timedelta(days=4))  # due today
    level = rules.dunning_level_create(organization=org, days_from_due=-2, actor=SYSTEM)
    assert rules.dunning_run(_at(org, today)) == 0
    assert not Message.objects.filter(related_id=str(invoice.pk)).exists()
    assert DunningSent.objects.get(invoice=invoice).level_id == level.pk
    assert DunningSent.objects.get(invoice=invoice).skipped


def test_reminders_on_their_own_days_each_go(org):
    make_console_accounts(org)
    today = services.local_today(org)
    due = today + timedelta(days=5)
    invoice = _invoice(org, period_start=due, pay_until=due + timedelta(days=20))
    rules.dunning_level_create(organization=org, days_from_due=-2, actor=SYSTEM)
    rules.dunning_level_create(organization=org, days_from_due=3, actor=SYSTEM)
    assert rules.dunning_run(_at(org, due - timedelta(days=3))) == 0
    assert rules.dunning_run(_at(org, due - timedelta(days=2))) == 1
    assert rules.dunning_run(_at(org, due + timedelta(days=3))) == 1
    assert Message.objects.filter(related_id=str(invoice.pk)).count() == 2
    assert not DunningSent.objects.filter(invoice=invoice, skipped=True).exists()


@pytest.mark.parametrize(("language", "day"), [("uk", "грудня"), ("en", "December")])
def test_the_page_and_the_reminder_name_the_same_date(client, org, language, day):
    make_console_accounts(org)
    org.language = language
    org.save(update_fields=["language"])
    today = services.local_today(org)
    due = today + timedelta(days=2)
    invoice = _invoice(org, period_start=due, pay_until=due + timedelta(days=25))
    rules.dunning_level_create(organization=org, days_from_due=-2, actor=SYSTEM)
    assert rules.dunning_run(_at(org, today)) == 1
    text = Message.objects.get(related_id=str(invoice.pk)).text
    page = client.get(f"/i/{invoice.token}/?lang={language}").content.decode()
    shown = page.split('data-testid="page-due-on">')[1].split("<")[0]
    words = shown.rsplit(" ", 1)[0] if shown.endswith(str(due.year)) else shown
    assert words.startswith(f"{due.day} ")
    assert words in text, (words, text)
    if due.month == 12:
        assert day in words
