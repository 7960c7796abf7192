"""Cross-tenant cases for every fiscal API operation."""

from __future__ import annotations

from typing import Any

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories import SYSTEM
from tests.factories_payments import make_client
from zapys.accounts.models import Branch, Organization
from zapys.fiscal.models import CashRegister, FiscalReceipt
from zapys.fiscal.services import register_save
from zapys.ledger.money import money_received_record


def _register(victim: Organization) -> CashRegister:
    branch = Branch.objects.for_org(victim).first()
    return register_save(
        organization=victim, branch=branch, actor=SYSTEM, license_key="LIC-B",
        login="b", password="b", base_url="http://127.0.0.1:9/api/v1",
    )  # fmt: skip


def _receipt(victim: Organization, status: str = "error") -> FiscalReceipt:
    _register(victim)
    money_received_record(
        client=make_client(victim), amount=100, purpose="top_up", article="top_ups",
        actor=SYSTEM, cause=None, comment="", deposit_line="x",
    )  # fmt: skip
    receipt = FiscalReceipt.objects.for_org(victim).get()
    FiscalReceipt.objects.for_org(victim).filter(pk=receipt.pk).update(status=status)
    return receipt


def _snapshot(victim: Organization) -> Any:
    return lambda: list(
        FiscalReceipt.objects.for_org(victim).values_list("id", "status", "attempts", "uuid")
    )


def _register_create(victim: Organization) -> CaseInput:
    branch = Branch.objects.for_org(victim).first()
    return CaseInput(
        body={"branch_id": branch.pk, "license_key": "LIC-A", "cashier_pin": "1"},
        snapshot=lambda: list(CashRegister.objects.for_org(victim).values_list("id", "branch")),
    )


def _registers_list(victim: Organization) -> CaseInput:
    return CaseInput(foreign_ids=[_register(victim).pk])


def _receipts_list(victim: Organization) -> CaseInput:
    return CaseInput(foreign_ids=[_receipt(victim).pk])


def _retry(victim: Organization) -> CaseInput:
    receipt = _receipt(victim)
    return CaseInput(path_params={"receipt_id": receipt.pk}, body={}, snapshot=_snapshot(victim))


CASES = [
    CrossTenantCase("post", "/api/v1/cash-registers", _register_create, kind="create"),
    CrossTenantCase("get", "/api/v1/cash-registers", _registers_list, kind="list"),
    CrossTenantCase("get", "/api/v1/fiscal-receipts", _receipts_list, kind="list"),
    CrossTenantCase("post", "/api/v1/fiscal-receipts/{receipt_id}/retry", _retry),
]
