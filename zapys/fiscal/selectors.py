"""Reads of the fiscal app for staff pages: a constant number of queries per page."""

from __future__ import annotations

from typing import Any

from zapys.fiscal.models import CashRegister, FiscalReceipt, Shift

RECENT = 50
SHIFTS = 10


def registers_with_shifts(organization: Any) -> list[tuple[CashRegister, Shift | None]]:
    """Each register with its latest shift (two queries, whatever the number)."""
    registers = list(
        CashRegister.objects.for_org(organization).select_related("branch").order_by("branch_id")
    )
    latest: dict[int, Shift] = {}
    for shift in Shift.objects.for_org(organization).order_by("register_id", "-id"):
        latest.setdefault(shift.register_id, shift)
    return [(register, latest.get(register.pk)) for register in registers]


def receipts_failed(organization: Any) -> list[FiscalReceipt]:
    return list(
        FiscalReceipt.objects.for_org(organization)
        .filter(status=FiscalReceipt.Status.ERROR)
        .select_related("register__branch", "client", "original")
        .order_by("-id")[:RECENT]
    )


def receipts_recent(organization: Any) -> list[FiscalReceipt]:
    return list(
        FiscalReceipt.objects.for_org(organization)
        .select_related("register__branch", "client", "original")
        .order_by("-id")[:RECENT]
    )


def shifts_recent(organization: Any) -> list[Shift]:
    """The latest shifts of every register, with their Z-reports (one query)."""
    return list(
        Shift.objects.for_org(organization)
        .select_related("register__branch")
        .order_by("-id")[:SHIFTS]
    )
