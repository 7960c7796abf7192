from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_payment_type
from zapys.ledger.models import Entry, PaymentType
from zapys.ledger.services import entry_cancel, entry_create

KYIV = ZoneInfo("Europe/Kyiv")
#: "Today" of these tests: Friday 20 November 2026, noon in Kyiv.
TODAY = datetime(2026, 11, 20, 12, 0, tzinfo=KYIV)


def at(day: int, hour: int = 12, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=KYIV)


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def money(org, branch):
    """Money of November (this month) and October (the one before), plus rows that must
    never count: a cancelled payment and a charge (no payment type)."""
    cash = make_payment_type(branch, PaymentType.Method.CASH)
    online = make_payment_type(branch, PaymentType.Method.ONLINE)
    client = make_client(org, "Олена Коваленко")

    def entry(when: datetime, amount: int, *, kind=Entry.Kind.DEBIT, purpose=Entry.Purpose.PAYMENT,
              payment_type=cash) -> Entry:  # fmt: skip
        with time_machine.travel(when, tick=False):
            return entry_create(
                client=client, kind=kind, amount=amount, purpose=purpose, actor=SYSTEM,
                branch=branch, payment_type=payment_type,
            )  # fmt: skip

    entry(at(3, 10), 10_000)
    entry(at(3, 15), 5_000, purpose=Entry.Purpose.TOP_UP, payment_type=online)
    entry(at(10, 9), 2_000, kind=Entry.Kind.CREDIT, purpose=Entry.Purpose.REFUND,
          payment_type=online)  # fmt: skip
    entry(at(20, 9), 1_234_56)
    entry(at(5, 11, month=10), 8_000)
    cancelled = entry(at(4), 99_900)
    entry_cancel(entry=cancelled, actor=SYSTEM, reason="mistake")
    entry(at(4), 50_000, kind=Entry.Kind.CREDIT, purpose=Entry.Purpose.SERVICE, payment_type=None)
    return {"cash": cash, "online": online, "client": client}
