"""A booking's ledger comments and staff notifications name the visit, not numbers (issue 17).

«Передоплата за бронювання №2, платіж №5», «Штраф за пізнє скасування, візит №146»,
«Бронювання №3 оплачено двічі»: a salon administrator knows no booking or visit numbers.
The texts now say the service and the time, «Передоплата: Стрижка жіноча, 7 грудня о
15:00», stored as msgid + parameters so each reader reads them in their language — and
rows stored before with the numbers still render.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from tests.factories import SYSTEM
from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
)
from tests.pages import staff_page
from zapys.catalog.models import Group
from zapys.core.audit import audit_record
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry
from zapys.ledger.selectors import entries_for_cause
from zapys.messaging.models import StaffNotification
from zapys.online_sales.services import FORMER_TEXTS as FORMER_SALE_TEXTS
from zapys.payments.models import Payment
from zapys.payments.services import payment_create, payment_succeed
from zapys.prepayments import services, sweeps
from zapys.prepayments.models import Booking, Fee
from zapys.prepayments.services import fees as fee_job
from zapys.prepayments.tests.visit_words import visit_words
from zapys.prepayments.texts import FORMER_TEXTS, visit_named
from zapys.schedule.models import Visit


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def _pay(booking: Booking, payment: Payment | None = None) -> None:
    payment = payment or booking.payment
    assert payment is not None
    payment.refresh_from_db()
    with translation.override("uk"):  # a Ukrainian callback writes it
        payment_succeed(payment=payment, actor=SYSTEM)
    booking.refresh_from_db()


def _shown(row, attribute: str, language: str) -> str:
    with translation.override(language):
        return str(getattr(row, attribute))


def _no_numbers(text: str) -> None:
    assert "№" not in text and "#" not in text, text


def test_a_paid_prepayment_names_the_visit_in_each_language(org, branch, ready):
    booking = make_booking(org, branch)
    _pay(booking)
    entry = entries_for_cause(booking).get(purpose=Entry.Purpose.PREPAYMENT)
    assert entry.comment_text is not None
    assert entry.comment_text["msgid"] == "Prepayment: %(what)s"  # the same words as the receipt
    uk, en = visit_words(booking.visit, "uk"), visit_words(booking.visit, "en")
    assert entry.comment == f"Передоплата: {uk}"  # rendered when written: the API's text
    assert _shown(entry, "comment_shown", "uk") == f"Передоплата: {uk}"
    assert _shown(entry, "comment_shown", "en") == f"Prepayment: {en}"
    _no_numbers(_shown(entry, "comment_shown", "uk"))


def test_money_after_the_deadline_and_a_second_payment_name_the_visit(org, branch, ready):
    late = make_booking(org, branch)
    sweeps.sweep(late.expires_at + timedelta(minutes=1))
    _pay(late)
    note = StaffNotification.objects.filter(related_id=str(late.pk), level="warning").latest("id")
    uk, en = visit_words(late.visit, "uk"), visit_words(late.visit, "en")
    assert _shown(note, "shown_title", "uk") == f"Передоплату внесено після терміну: {uk}"
    assert _shown(note, "shown_title", "en") == f"Prepayment paid after the deadline: {en}"
    comment = entries_for_cause(late).get(purpose=Entry.Purpose.PREPAYMENT)
    assert _shown(comment, "comment_shown", "uk") == f"Передоплату внесено після терміну: {uk}"

    twice = make_booking(org, branch)
    second = payment_create(
        organization=org,
        account=None,
        purpose="prepayment",
        purpose_object=twice,
        client=twice.client,
        amount=twice.amount,
        currency="UAH",
        description="tab 2",
        actor=SYSTEM,
    )
    _pay(twice)
    _pay(twice, second)
    note = StaffNotification.objects.filter(related_id=str(twice.pk), level="warning").latest("id")
    uk, en = visit_words(twice.visit, "uk"), visit_words(twice.visit, "en")
    assert _shown(note, "shown_title", "uk") == f"Передоплату за «{uk}» отримано двічі"
    assert _shown(note, "shown_title", "en") == f'Prepayment for "{en}" was received twice'
    comments = [
        _shown(e, "comment_shown", "uk")
        for e in entries_for_cause(twice).filter(purpose=Entry.Purpose.PREPAYMENT).order_by("id")
    ]
    assert comments == [f"Передоплата: {uk}", f"Передоплату за «{uk}» отримано двічі"]


def test_a_fee_names_the_visit_and_the_batch_still_costs_the_same(org, branch, ready):
    now = timezone.now()

    def due(n: int) -> list[Fee]:
        fees = []
        for _ in range(n):
            booking = make_booking(org, branch)
            fees.append(
                Fee.objects.for_org(org).create(
                    organization=org,
                    visit=booking.visit,
                    booking=booking,
                    client=booking.client,
                    kind=Fee.Kind.NO_SHOW,
                    amount=5_000,
                    currency="UAH",
                    charge_at=now - timedelta(minutes=1),
                )
            )
        return fees

    counts = []
    for n in (1, 3):
        fees = due(n)
        with CaptureQueriesContext(connection) as ctx:
            assert fee_job.fees_charge_batch(now) == len(fees)
        counts.append(len(ctx))
        for fee in fees:
            fee.refresh_from_db()
            entry = Entry.objects.get(pk=fee.entry_id_charged)
            uk, en = visit_words(fee.visit, "uk"), visit_words(fee.visit, "en")
            assert _shown(entry, "comment_shown", "uk") == f"Штраф за неявку: {uk}"
            assert _shown(entry, "comment_shown", "en") == f"No-show fee: {en}"
    # naming the visits is joined to the batch's read of its fees: no query per fee
    assert counts[0] == counts[1], counts


def test_paying_from_the_balance_names_the_visit(org, branch, ready):
    from zapys.ledger.services import entry_create

    booking = make_booking(org, branch)
    entry_create(client=booking.client, kind="debit", amount=50_000, purpose="top_up", actor=SYSTEM)
    services.booking_pay_from_balance(booking=booking, actor=SYSTEM)
    en = visit_words(booking.visit, "en")
    shown = sorted(
        _shown(e, "comment_shown", "en")
        for e in entries_for_cause(booking).filter(purpose=Entry.Purpose.PREPAYMENT)
    )
    assert shown == [
        f"Prepayment deposited from the balance: {en}",
        f"Prepayment taken from the balance: {en}",
    ]


def test_a_group_lesson_is_named_by_its_group_and_a_lesson_without_one_by_the_word(org):
    starts = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 15:00 in Kyiv
    lesson = Visit(kind=Visit.Kind.LESSON, group=Group(name="Йога для початківців"))
    lesson.starts_at = starts
    bare = Visit(kind=Visit.Kind.LESSON, starts_at=starts)
    org.time_zone = "Europe/Kyiv"
    with translation.override("uk"):
        named = visit_named(lesson, org).render()
        assert named.startswith("Йога для початківців, 7 грудня")
        assert visit_named(bare, org).render().startswith("Заняття, 7 грудня")
    with translation.override("en"):
        assert visit_named(bare, org).render().startswith("Lesson, 7 December")


def test_the_time_is_the_organizations_whatever_the_readers_zone(org):
    visit = Visit(kind=Visit.Kind.LESSON, group=Group(name="Пілатес"))
    visit.starts_at = datetime(timezone.now().year, 12, 7, 13, 0, tzinfo=UTC)
    org.time_zone = "Europe/Kyiv"
    text = visit_named(visit, org)
    with translation.override("uk"), timezone.override("America/New_York"):
        assert text.render() == "Пілатес, 7 грудня о 15:00"
    with translation.override("en"), timezone.override("UTC"):
        assert text.render() == "Пілатес, 7 December at 15:00"


@pytest.mark.parametrize("msgid", FORMER_TEXTS + FORMER_SALE_TEXTS)
def test_the_texts_stored_before_are_still_in_the_catalogue(msgid):
    with translation.override("uk"):
        assert gettext(msgid) != msgid


def test_rows_stored_before_with_numbers_still_render_in_each_language(org):
    entry = Entry(
        comment="Передоплата за бронювання №2, платіж №5",
        comment_text={
            "msgid": "Prepayment for booking #%(b)s, payment #%(p)s",
            "params": {"b": 2, "p": 5},
        },
    )
    # the old rows' Ukrainian says «передоплата», as the product now does (was «за бронювання»)
    assert _shown(entry, "comment_shown", "uk") == "Передоплата №2, платіж №5"
    assert _shown(entry, "comment_shown", "en") == "Prepayment #2, payment #5"
    fee = Entry(
        comment="Штраф за неявку, візит №146",
        comment_text={"msgid": "No-show fee, visit #%(visit)s", "params": {"visit": 146}},
    )
    assert _shown(fee, "comment_shown", "en") == "No-show fee, visit #146"
    note = StaffNotification.objects.create(
        organization=org,
        title="Бронювання №3 оплачено двічі",
        title_text={"msgid": "Booking #%(id)s was paid twice", "params": {"id": 3}},
    )
    assert _shown(note, "shown_title", "uk") == "Передоплату №3 сплачено двічі"
    assert _shown(note, "shown_title", "en") == "Prepayment #3 was paid twice"


def test_the_pages_show_the_visit_in_the_readers_language(org, branch, ready, staff_client, owner):
    booking = make_booking(org, branch)
    _pay(booking)
    sweeps.sweep(timezone.now())  # nothing due: the pages read what the payment wrote
    uk, en = visit_words(booking.visit, "uk"), visit_words(booking.visit, "en")
    pages = [
        ("ledger:payments_report", ()),
        ("ledger:client_entries", (booking.client_id,)),
        ("messaging:notifications", ()),
    ]
    for name, args in pages:
        english = staff_page(staff_client, owner, "en", name, *args)
        assert en in english and uk not in english, name
        ukrainian = staff_page(staff_client, owner, "uk", name, *args)
        assert uk in ukrainian and en not in ukrainian, name
        assert f"бронювання №{booking.pk}" not in ukrainian, name


def test_the_audit_log_names_a_booking_by_its_visit_at_one_query_for_all(org, branch, ready):
    bookings = [make_booking(org, branch) for _ in range(3)]
    for booking in bookings:
        # as a service writes it: the visit not loaded, so the row keeps only the number
        audit_record(
            organization=org,
            actor=SYSTEM,
            action="booking.test",
            obj=Booking.objects.get(pk=booking.pk),
        )
    rows = list(AuditLog.objects.filter(action="booking.test").order_by("id"))
    assert rows[0].object_repr == f"Booking #{bookings[0].pk}"
    with translation.override("en"):
        (text,) = audit_rows_read(rows[:1])
        assert text.object_text == visit_words(bookings[0].visit, "en")
        with CaptureQueriesContext(connection) as one:
            audit_rows_read(rows[:1])
        with CaptureQueriesContext(connection) as three:
            texts = audit_rows_read(rows)
    assert len(one) == len(three), (len(one), len(three))
    with translation.override("uk"):
        assert [t.object_text for t in audit_rows_read(rows)] == [
            visit_words(b.visit, "uk") for b in bookings
        ]
    assert [t.object_text for t in texts] == [visit_words(b.visit, "en") for b in bookings]
    _no_numbers(" ".join(t.object_text for t in texts))


def test_a_visit_named_needs_no_query_of_its_own(org, branch, ready):
    booking = make_booking(org, branch)
    loaded = Booking.objects.select_related("organization", "visit__service").get(pk=booking.pk)
    with CaptureQueriesContext(connection) as ctx:
        str(loaded)
    assert len(ctx) == 0
