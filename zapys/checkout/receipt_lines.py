"""What the receipt of money taken again after a refund says it paid for.

A visit paid online whose money was refunded stays charged: the client owes the service
again, and staff take it at the desk (`services._repay`). That money pays for the visit's
service — the refund took back the first sale's money, so this is the sale again, the way
a fiscal register would print it (a return receipt, then a new sale) — not an advance on
the balance. Only what is paid beyond the amount owed is a "Balance top-up" line.

Kept apart from `services.py` (another engineer is restructuring that file): the service
calls `repaid_lines` where it used to write one "Balance top-up" line for all of it."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from zapys.core.stored_text import StoredText
from zapys.ledger.money import SoldLine
from zapys.schedule.models import Visit


def repaid_lines(visit: Visit, owed: int, paid: int) -> list[SoldLine]:
    """The receipt lines of `paid` kopecks taken for a visit that owes `owed` after a
    refund: the visit's service for what was owed, the rest as a balance top-up. The
    service's charge entry is the first sale's and stays on that receipt (no charge here)."""
    service_part = min(owed, paid)
    lines: list[SoldLine] = []
    if service_part > 0:
        lines.append(SoldLine(visit.title, service_part))
    if paid > service_part:
        lines.append(SoldLine(StoredText(gettext_noop("Balance top-up")), paid - service_part))
    return lines
