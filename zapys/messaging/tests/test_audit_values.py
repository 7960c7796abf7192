"""The codes messaging and payments store without field choices read as their names in the
audit log (issue 17): "sms", "messaging.custom", "console", "waitlist" and a rate of 0 were
shown as they are stored."""

from __future__ import annotations

import pytest
from django.utils import translation

from tests.factories import SYSTEM
from zapys.core.audit import audit_row
from zapys.core.audit_reading import audit_rows_read
from zapys.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _changes(row: AuditLog, language: str) -> dict[str, tuple[str | None, str]]:
    with translation.override(language):
        (text,) = audit_rows_read([row])
    return {str(c.label): (c.old, c.new) for c in text.changes}


def _row(org, object_type: str, changes: dict) -> AuditLog:
    row = audit_row(organization=org, actor=SYSTEM, action="test.change", changes=changes)
    row.object_type, row.object_id = object_type, "999999"  # gone: named by the stored text
    row.save(force_insert=True)
    return row


def test_the_codes_read_as_names_in_both_languages(org):
    sent = _row(org, "invoices.invoice", {"channel": "sms", "reason": "sms"})
    assert _changes(sent, "en")["Channel"] == (None, "SMS")
    assert _changes(sent, "en")["Reason"] == (None, "sms")  # an undeclared key: as stored

    message = _row(org, "messaging.message", {"event": "messaging.test"})
    assert _changes(message, "en")["Event"] == (None, "Test message")
    assert _changes(message, "uk")["Подія"] == (None, "Тестове повідомлення")

    account = _row(
        org, "messaging.transportaccount", {"code": [None, "console"], "max_per_second": [None, 0]}
    )
    en = _changes(account, "en")
    assert "console" not in en["Sending service"][1] and "Test mode" in en["Sending service"][1]
    assert en["Messages per second at most"][1] == "The service's usual limit"
    # fifth tour: not «Провайдер»; sixth: «Сервіс надсилання», not «… розсилки» (broadcasts
    # are «Розсилки»), in the log as on the settings page
    uk = _changes(account, "uk")
    assert "Сервіс надсилання" in uk and "Провайдер" not in uk and "Сервіс розсилки" not in uk
    assert "Звичайний ліміт сервісу" in [new for _old, new in uk.values()]

    payment = _row(org, "payments.payment", {"purpose": [None, "waitlist"]})
    assert _changes(payment, "en")["Purpose"][1] == "Prepayment from the waiting list"
    assert _changes(payment, "uk")["Призначення"][1] != "waitlist"
