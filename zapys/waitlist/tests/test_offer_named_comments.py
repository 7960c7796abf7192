"""The ledger comments of a waiting-list prepayment name the offered time — the service and
when, in the reader's language — not a payment number staff never see (issue 17). Rows
stored before keep their old text and still render."""

from __future__ import annotations

from django.utils import timezone, translation

from zapys.core.audit import Actor
from zapys.core.dates import moment_in_words
from zapys.core.stored_text import StoredText
from zapys.ledger.models import Entry as LedgerEntry
from zapys.payments.services import payment_succeed
from zapys.schedule import services as schedule
from zapys.waitlist import services
from zapys.waitlist.models import Offer

SYSTEM = Actor.system("tests")


def test_the_prepayment_and_its_refund_name_the_offered_time(
    org, salon, booked_slot, make_client, django_capture_on_commit_callbacks
):
    _specialist, service = salon
    day = timezone.localtime(booked_slot.starts_at).date()
    services.entry_create(
        organization=org, client=make_client("Paying Petro"), actor=SYSTEM,
        service=service, date_from=day, date_to=day,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        schedule.visit_cancel(visit=booked_slot, actor=SYSTEM)
    payment = services.offer_payment(offer=Offer.objects.get(), actor=SYSTEM)
    payment_succeed(payment=payment, actor=SYSTEM)
    received = LedgerEntry.objects.get(cause_type="payments.payment", kind="debit")
    start = timezone.localtime(booked_slot.starts_at)
    for language, head in (
        ("uk", "Передоплата зі списку очікування: "),
        ("en", "Waiting list prepayment: "),
    ):
        with translation.override(language):
            when = moment_in_words(start)
            assert received.comment_shown == f"{head}{service.name}, {when}"
            assert "#" not in received.comment_shown and "№" not in received.comment_shown

    # what the refund's purpose handler writes once the provider confirmed it
    payment.refresh_from_db()
    services.offer_refunded(payment, payment.amount, SYSTEM)
    refund = LedgerEntry.objects.filter(cause_type="payments.payment", kind="credit").latest("pk")
    with translation.override("uk"):
        assert refund.comment_shown.startswith(
            f"Повернення передоплати зі списку очікування: {service.name}, "
        )


def test_a_row_stored_with_the_old_text_still_reads_in_both_languages():
    old = StoredText("Waiting list prepayment, payment #%(id)s", id=17)
    with translation.override("uk"):
        assert old.render() == "Передоплата зі списку очікування, платіж №17"
    with translation.override("en"):
        assert old.render() == "Waiting list prepayment, payment #17"
