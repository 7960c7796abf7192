"""A booking type's value in the audit log reads in its unit (issue 17): kopecks for a
fixed sum ("200,00 грн"), a percent otherwise ("30 %") — never the bare stored number."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog
from zapys.prepayments.services import booking_type_create, booking_type_update


def _value_changes() -> list[tuple[str | None, str]]:
    rows = AuditLog.objects.filter(object_type="prepayments.bookingtype").order_by("pk")
    out = []
    for text in audit_rows_read(rows):
        out += [(c.old, c.new) for c in text.changes if c.label in ("Value", "Значення")]
    return out


def test_value_reads_as_money_or_percent_by_the_rule(org, actor) -> None:
    fixed = booking_type_create(
        organization=org, name="Фікс", rule="fixed", value=20000, actor=actor
    )
    share = booking_type_create(
        organization=org, name="Відсоток", rule="percent", value=30, actor=actor
    )
    # only the value changes: the row records the rule the value was counted by
    booking_type_update(booking_type=fixed, actor=actor, value=25000)
    booking_type_update(booking_type=share, actor=actor, value=40)
    # the rule and the value change together: each side in its own unit
    booking_type_update(booking_type=share, actor=actor, rule="fixed", value=10000)
    with translation.override("uk"):
        assert _value_changes() == [
            (None, "200,00\u00a0грн"),
            (None, "30\u00a0%"),
            ("200,00\u00a0грн", "250,00\u00a0грн"),
            ("30\u00a0%", "40\u00a0%"),
            ("40\u00a0%", "100,00\u00a0грн"),
        ]
    with translation.override("en"):
        changes = _value_changes()
    assert changes[0] == (None, "UAH\u00a0200.00")
    assert "20000" not in str(changes) and "25000" not in str(changes)


def test_a_row_without_the_rule_reads_the_object_rule(org, actor) -> None:
    """Rows written before the update recorded the rule: the object's rule, as it is now."""
    fixed = booking_type_create(
        organization=org, name="Фікс", rule="fixed", value=20000, actor=actor
    )
    booking_type_update(booking_type=fixed, actor=actor, value=25000)
    row = AuditLog.objects.get(action="booking_type.update")
    row.changes = {"value": [20000, 25000]}
    row.save(update_fields=["changes"])
    with translation.override("uk"):
        assert _value_changes()[-1] == ("200,00\u00a0грн", "250,00\u00a0грн")


def test_the_object_rule_costs_one_query_for_the_whole_page(org, actor) -> None:
    for n in range(2):
        kind = booking_type_create(
            organization=org, name=f"Тип {n}", rule="fixed", value=1000, actor=actor
        )
        booking_type_update(booking_type=kind, actor=actor, value=2000)
    AuditLog.objects.filter(action="booking_type.update").update(changes={"value": [1, 2]})
    rows = list(AuditLog.objects.filter(object_type="prepayments.bookingtype"))
    with CaptureQueriesContext(connection) as few:
        audit_rows_read(rows)
    for n in range(10):
        kind = booking_type_create(
            organization=org, name=f"Ще {n}", rule="percent", value=10, actor=actor
        )
        booking_type_update(booking_type=kind, actor=actor, value=20)
    AuditLog.objects.filter(action="booking_type.update").update(changes={"value": [1, 2]})
    rows = list(AuditLog.objects.filter(object_type="prepayments.bookingtype"))
    with CaptureQueriesContext(connection) as many:
        audit_rows_read(rows)
    assert len(many.captured_queries) == len(few.captured_queries) <= 2
