"""Issue 17: the audit log says its values in the reader's language — system text kept as
stored text (a payment's review reason, a schedule's rule, the demo bot's name), a payer
apart from the client, no internal ids, "Yes" not "yes", and a created object's values
without the blank object's defaults as their "before"."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import translation
from django.utils.translation import gettext_noop

from tests.factories_clients import make_client
from tests.factories_payments import make_account, make_topup
from zapys.core.audit import audit_record
from zapys.core.audit_reading import ChangeText, audit_rows_read
from zapys.core.models import AuditLog
from zapys.core.recurrence import Frequency, Recurrence
from zapys.core.stored_text import StoredText
from zapys.invoices.models import DunningLevel
from zapys.payments.services.review import payment_hold

pytestmark = pytest.mark.django_db


def _read(row: AuditLog, language: str) -> dict[str, ChangeText]:
    with translation.override(language):
        (text,) = audit_rows_read([row])
    return {change.label: change for change in text.changes}


def _row(org, actor, action: str, object_type: str, changes: dict) -> AuditLog:
    client = make_client(org)
    audit_record(organization=org, actor=actor, action=action, obj=client, changes=changes)
    row = AuditLog.objects.filter(action=action).latest("id")
    row.object_type = object_type  # read the changes as that kind's (their keys are its)
    return row


def test_a_schedules_rule_reads_in_the_readers_language(org, actor):
    monthly = Recurrence(Frequency.MONTHLY, time(9), day_of_month=1)
    weekly = Recurrence(Frequency.WEEKLY, time(10, 30), weekday=2)
    row = _row(
        org,
        actor,
        "calendar_schedule.set",
        "core.calendarschedule",
        {"rule": [weekly.stored_text(), monthly.stored_text()]},
    )
    en = _read(row, "en")["When it runs"]
    assert (en.old, en.new) == ("Weekly on Wednesday at 10:30", "Monthly on day 1 at 09:00")
    uk = _read(row, "uk")["Коли запускається"]
    assert (uk.old, uk.new) == ("Щотижня в середу о 10:30", "Щомісяця 1-го числа о 09:00")
    for language in ("en", "uk"):  # the stored text says what describe() says
        with translation.override(language):
            assert weekly.stored_text().render() == weekly.describe()
            assert monthly.stored_text().render() == monthly.describe()


def test_a_rule_stored_as_text_before_keeps_its_text(org, actor):
    row = _row(
        org,
        actor,
        "calendar_schedule.set",
        "core.calendarschedule",
        {"rule": [None, "Щомісяця 1-го числа о 09:00"]},
    )
    assert _read(row, "en")["When it runs"].new == "Щомісяця 1-го числа о 09:00"


def test_a_held_payments_reason_reads_in_the_readers_language(org):
    payment = make_topup(org, account=make_account(org))
    reason = StoredText(
        gettext_noop("Zapys says %(local)s, the provider says %(remote)s."),
        local=StoredText.word("Expired"),
        remote=StoredText.word("Awaiting payment"),
    )
    with translation.override("uk"):  # the scheduler writes in the organization's language
        payment_hold(payment=payment, reason=reason, actor=_system(), notify=False)
    row = AuditLog.objects.get(action="payment.held_for_review")
    en = _read(row, "en")["Review reason"].new
    assert en == "Zapys says expired, the provider says awaiting payment."
    uk = next(iter(c.new for label, c in _read(row, "uk").items() if "Zapys" in c.new))
    assert uk.startswith("У Zapys — ") and "Zapys says" not in uk
    payment.refresh_from_db()
    assert payment.review_reason.startswith("У Zapys")  # the payment keeps its text as before


def _system():
    from zapys.core.audit import Actor

    return Actor.scheduler("payments.reconcile")


def test_an_invoices_payer_is_labelled_apart_from_its_client(org, actor):
    child, parent = make_client(org, "Шевчук Марко"), make_client(org, "Шевчук Марія")
    row = _row(
        org,
        actor,
        "invoice.create",
        "invoices.invoice",
        {"client": child.pk, "payer": parent.pk, "message_id": 94},
    )
    en = _read(row, "en")
    assert en["Client"].new == "Шевчук Марко" and en["Payer"].new == "Шевчук Марія"
    uk = _read(row, "uk")
    assert uk["Клієнт"].new == "Шевчук Марко" and uk["Платник"].new == "Шевчук Марія"
    # the id of the message the link went in says nothing to an owner
    assert "Message" not in en and "Повідомлення" not in uk
    assert all("94" not in change.new for change in en.values())


def test_yes_and_no_start_with_a_capital(org, actor):
    row = _row(org, actor, "dunning_level.create", "invoices.dunninglevel", {"is_active": True})
    assert _read(row, "en")["Active"].new == "Yes"
    assert _read(row, "uk")["Активний"].new == "Так"


def test_a_created_objects_values_have_no_before(org, actor):
    """A rule's creation wrote [default of a blank rule, value]: "Current → Next" read as a
    change that never happened."""
    row = _row(
        org,
        actor,
        "invoice_rule.create",
        "invoices.invoicerule",
        {"period_type": ["current", "next"], "comment": ["", ""], "name": [None, "Щомісяця"]},
    )
    en = _read(row, "en")
    assert en["Period type"].old is None and en["Period type"].new == "Next"
    assert en["Name"].old is None and en["Name"].new == "Щомісяця"
    assert "Comment" not in en  # nothing was given
    row.action = "invoice_rule.update"  # a change of an existing rule keeps its before
    assert _read(row, "en")["Period type"].old == "Current"


@pytest.mark.parametrize(
    ("days", "en", "uk"),
    [
        (-2, "2 days before the due date", "За 2 дні до терміну оплати"),
        (-5, "5 days before the due date", "За 5 днів до терміну оплати"),
        (0, "On the due date", "У день терміну оплати"),
        (1, "1 day after the due date", "Через 1 день після терміну оплати"),
    ],
)
def test_a_payment_reminder_is_named_in_words_not_by_its_number(days, en, uk):
    level = DunningLevel(days_from_due=days)
    with translation.override("en"):
        assert str(level) == en
    with translation.override("uk"):
        assert str(level) == uk


def test_a_payment_reminders_day_in_its_change_reads_as_its_name(org, actor):
    """ "Days from the due date: -2" under the heading "2 days before the due date": the
    value reads as the name does."""
    row = _row(
        org, actor, "dunning_level.create", "invoices.dunninglevel", {"days_from_due": [None, -2]}
    )
    changes = _read(row, "en")
    assert [c.new for c in changes.values()] == ["2 days before the due date"]
    assert [c.new for c in _read(row, "uk").values()] == ["За 2 дні до терміну оплати"]


@pytest.mark.parametrize("object_type", ["invoices.invoicerule", "invoices.dunninglevel"])
def test_an_invoice_texts_tags_read_as_their_names(org, actor, object_type):
    """The audit log is no template editor: "{customer.first_name}" reads as the tag's
    name, as a broadcast's text does."""
    text = "{customer.first_name}, рахунок: {bill.amount_url}"
    row = _row(org, actor, "invoice_rule.create", object_type, {"template": [None, text]})
    assert [c.new for c in _read(row, "en").values()] == [
        "[Client's first name], рахунок: [Amount and link]"
    ]
    (uk,) = [c.new for c in _read(row, "uk").values()]
    assert "{" not in uk and uk.startswith("[Ім")


def test_the_demo_bots_name_reads_in_the_readers_language(org, actor):
    row = _row(
        org,
        actor,
        "transport_account.create",
        "messaging.transportaccount",
        {"name": [None, "Telegram-бот (демо)"]},
    )
    assert _read(row, "en")["Name"].new == "Telegram bot (demo)"
    assert _read(row, "uk")["Ім'я"].new == "Telegram-бот (демо)"
    typed = _row(
        org,
        actor,
        "transport_account.update",
        "messaging.transportaccount",
        {"name": ["Telegram-бот (демо)", "Бот салону"]},
    )
    assert _read(typed, "en")["Name"].new == "Бот салону"


@pytest.mark.parametrize(
    ("object_type", "en", "uk"),
    [
        ("invoices.dunninglevel", "As the client prefers", "Як зручно клієнту"),
        ("invoices.invoicerule", "As the client prefers", "Як зручно клієнту"),
        (
            "broadcasts.broadcast",
            "Automatic: messenger, else SMS, else e-mail",
            "Автоматично: месенджер, інакше SMS, інакше e-mail",
        ),
    ],
)
def test_an_empty_channel_reads_as_the_forms_choice(org, actor, object_type, en, uk):
    """ "Channel: —" where the form said "Automatic": an app declares what its empty code
    means (`core.ui.audit_values(..., empty=...)`); a chosen channel reads by its name."""
    row = _row(org, actor, "dunning_level.update", object_type, {"channel": ["sms", ""]})
    assert (_read(row, "en")["Channel"].old, _read(row, "en")["Channel"].new) == ("SMS", en)
    assert _read(row, "uk")["Канал"].new == uk


def test_an_empty_value_without_declared_words_is_still_nothing(org, actor):
    """Messaging's "channel" of any other object (an opt-out's "" has no form choice named
    here) and every undeclared key keep reading "—"."""
    row = _row(org, actor, "client.broadcast_opt_out", "clients.client", {"channel": ""})
    assert _read(row, "en")["Channel"].new == "—"
