"""Every client message's default SMS text, filled with typical values, fits two SMS in both
languages (fifth tour: the prepayment confirmation took ~400 characters, six SMS, because it
carried the whole cancellation policy). A Ukrainian text is sent in UCS-2: 70 characters in
one SMS, 67 per part once split, so two SMS hold 134 characters.

The texts still longer are listed with why (`LONGER`); the test fails when one of them fits
again, so the list stays honest."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from zapys.messaging.events import all_events
from zapys.messaging.sms import sms_parts

#: Typical values by variable name, the first pattern that matches wins: a studio's name,
#: a Ukrainian first name in the vocative, an amount, a day and time as messages say them.
TYPICAL = (
    (r"url|link", "https://zapys.app/p/Ab3dE7kQ"),
    (r"first_name", "Олено"),
    (r"organization\.name", "Студія краси «Зоряна»"),
    (r"branch", "Поділ"),
    (r"phone", "+380 44 123 45 67"),
    (r"amount|sum|price|total|balance|fee|paid|refund", "1 800,00 грн"),
    (r"date|deadline|until|expires|due", "7 грудня"),
    (r"time", "15:00"),
    (r"service|visit|plan|membership|lesson", "Фарбування волосся"),
    (r"number|code", "РАХ-2026-00004"),
    (r"text", "У п'ятницю знижка 20% на всі послуги!"),
    (r"", "Стрижка"),
)
MAX_PARTS = 2

#: (event, language) → why its default SMS is longer. Each is a candidate for a shorter SMS
#: text of its own (as prepayments.events.SMS_TEXTS does).
LONGER: dict[tuple[str, str], str] = {}


def _typical(name: str) -> str:
    return next(value for pattern, value in TYPICAL if re.search(pattern, name))


def _rendered(text: str) -> str:
    return re.sub(r"\{([a-z_.]+)\}", lambda m: _typical(m.group(1)), text)


def _parts() -> dict[tuple[str, str], int]:
    parts = {}
    for language in ("uk", "en"):
        with translation.override(language):
            for event in all_events(audience="client"):
                text = str(event.default_text("sms"))
                if text:
                    parts[(event.code, language)] = sms_parts(_rendered(text)).parts
    return parts


def test_every_default_sms_fits_two_sms_or_says_why_not():
    parts = _parts()
    too_long = {key: n for key, n in parts.items() if n > MAX_PARTS and key not in LONGER}
    assert not too_long, f"default SMS texts longer than {MAX_PARTS} SMS: {too_long}"
    fits_now = [key for key in LONGER if parts.get(key, 0) <= MAX_PARTS]
    assert not fits_now, f"these fit {MAX_PARTS} SMS now: take them off LONGER: {fits_now}"


@pytest.mark.parametrize("language", ["uk", "en"])
def test_the_prepayment_confirmation_is_two_sms_without_the_policy(language):
    """It carried the whole cancellation policy ({policy}); the SMS leaves it to the cancel
    link's page, messengers and e-mail keep it."""
    from zapys.messaging.events import get_event

    event = get_event("prepayments.payment_received")
    with translation.override(language):
        sms, email = str(event.default_text("sms")), str(event.default_text("email"))
    assert "{policy}" not in sms and "{policy}" in email
    assert "{cancel_link}" in sms and "{amount}" in sms and "{branch}" in sms
    assert sms_parts(_rendered(sms)).parts <= MAX_PARTS
