"""Cross-tenant cases for every invoices API operation."""

from __future__ import annotations

from typing import Any

from tests.cross_tenant import CaseInput, CrossTenantCase
from zapys.accounts.models import Organization


def _victim_invoice(victim: Organization) -> Any:
    from tests.factories import SYSTEM
    from tests.factories_ledger import make_client
    from zapys.invoices.services import invoice_create

    client = make_client(victim, name="Victim client")
    return invoice_create(client=client, calculation="manual", amount=12_300, actor=SYSTEM)


def _snapshot(victim: Organization) -> Any:
    from zapys.invoices.models import Invoice

    return lambda: list(
        Invoice.objects.for_org(victim)
        .order_by("id")
        .values_list("id", "status", "amount", "paid_amount", "payment_id")
    )


def _invoice_object(victim: Organization) -> CaseInput:
    invoice = _victim_invoice(victim)
    return CaseInput(
        path_params={"invoice_id": invoice.pk},
        body={"text": "{bill.url}"},
        snapshot=_snapshot(victim),
    )


def _client_object(victim: Organization) -> CaseInput:
    from tests.factories_ledger import make_client

    client = make_client(victim)
    return CaseInput(
        path_params={"client_id": client.pk},
        body={"calculation": "manual", "amount": 10_000},
        snapshot=_snapshot(victim),
    )


def _list(victim: Organization) -> CaseInput:
    return CaseInput(foreign_ids=[_victim_invoice(victim).pk])


def _archive(victim: Organization) -> CaseInput:
    invoice = _victim_invoice(victim)

    def check(body: Any, org: Organization) -> None:
        assert body["results"] == [{"id": invoice.pk, "ok": False, "error": "not_found"}]

    return CaseInput(body={"ids": [invoice.pk]}, check=check, snapshot=_snapshot(victim))


def _settings_get(victim: Organization) -> CaseInput:
    from tests.factories import SYSTEM
    from zapys.invoices.services import invoice_settings_update

    invoice_settings_update(
        organization=victim,
        actor=SYSTEM,
        requisites="Victim LLC",
        offer_url="https://victim.example",
    )

    def check(body: Any, org: Organization) -> None:
        assert "Victim" not in body["requisites"] + body["requisites_shown"]
        assert "victim" not in body["offer_url"] + body["offer_url_shown"]

    return CaseInput(check=check)


def _settings_patch(victim: Organization) -> CaseInput:
    from tests.factories_payments import make_account
    from zapys.invoices.services import invoice_settings_get

    account = make_account(victim, "sandbox")
    return CaseInput(
        body={"payment_account_id": account.pk},
        snapshot=lambda: invoice_settings_get(victim).payment_account_id,
    )


# A payer from another organization (POST /clients and PATCH /clients/{id} with B's client
# as payer_id) does not fit this table: it keeps one case per operation, and both operations
# already have their case in zapys/clients (a foreign tag; B's client by its path). It is
# proven in test_client_payer_api.py::test_bad_payers_are_field_errors_and_change_nothing
# (422 on the field, nothing changed in either organization).


CASES = [
    CrossTenantCase("get", "/api/v1/invoices/settings", _settings_get, kind="own"),
    CrossTenantCase("patch", "/api/v1/invoices/settings", _settings_patch, kind="create"),
    CrossTenantCase("post", "/api/v1/clients/{client_id}/invoices", _client_object),
    CrossTenantCase("get", "/api/v1/invoices", _list, kind="list"),
    CrossTenantCase("get", "/api/v1/invoices/{invoice_id}", _invoice_object),
    CrossTenantCase("post", "/api/v1/invoices/{invoice_id}/send", _invoice_object),
    CrossTenantCase("post", "/api/v1/invoices/archive", _archive, kind="own"),
]


def _victim_rule(victim: Organization) -> Any:
    from datetime import time

    from tests.factories import SYSTEM
    from zapys.invoices.rules import Schedule, rule_save

    return rule_save(
        organization=victim,
        actor=SYSTEM,
        schedule=Schedule("month", time(9), day=1),
        name="Victim rule",
        method="membership",
    )


def _rules_snapshot(victim: Organization) -> Any:
    from zapys.invoices.models import InvoiceRule

    return lambda: (
        list(InvoiceRule.objects.for_org(victim).values_list("id", "name", "enabled", "method")),
        _snapshot(victim)(),
    )


def _rule_object(victim: Organization) -> CaseInput:
    rule = _victim_rule(victim)
    _victim_invoice(victim)
    return CaseInput(
        path_params={"rule_id": rule.pk},
        body={"name": "Taken over", "enabled": False, "dry_run": False},
        snapshot=_rules_snapshot(victim),
    )


def _rules_list(victim: Organization) -> CaseInput:
    return CaseInput(foreign_ids=[_victim_rule(victim).pk])


def _rule_create(victim: Organization) -> CaseInput:
    from zapys.catalog.models import Subject

    subject = Subject.objects.for_org(victim).create(organization=victim, name="Victim subject")
    return CaseInput(
        body={
            "name": "Mine",
            "method": "forecast",
            "filters": {"subject_id": subject.pk},
            "schedule": {"every": "day", "at": "09:00"},
        },
        snapshot=_rules_snapshot(victim),
    )


def _dunning_list(victim: Organization) -> CaseInput:
    from tests.factories import SYSTEM
    from zapys.invoices.rules import dunning_level_create

    level = dunning_level_create(organization=victim, days_from_due=-3, actor=SYSTEM)
    return CaseInput(foreign_ids=[level.pk])


def _dunning_create(victim: Organization) -> CaseInput:
    from tests.factories import SYSTEM
    from zapys.invoices.models import DunningLevel
    from zapys.invoices.rules import dunning_level_create

    dunning_level_create(organization=victim, days_from_due=2, actor=SYSTEM)

    def check(body: Any, org: Organization) -> None:
        # the same day as B's level is free in A: created in A only
        assert body["days_from_due"] == 2

    return CaseInput(
        body={"days_from_due": 2},
        check=check,
        snapshot=lambda: list(
            DunningLevel.objects.for_org(victim).values_list("id", "days_from_due")
        ),
    )


CASES += [
    CrossTenantCase("get", "/api/v1/invoice-rules", _rules_list, kind="list"),
    CrossTenantCase("post", "/api/v1/invoice-rules", _rule_create, kind="create"),
    CrossTenantCase("patch", "/api/v1/invoice-rules/{rule_id}", _rule_object),
    CrossTenantCase("post", "/api/v1/invoice-rules/{rule_id}/run", _rule_object),
    CrossTenantCase("get", "/api/v1/dunning-levels", _dunning_list, kind="list"),
    CrossTenantCase("post", "/api/v1/dunning-levels", _dunning_create, kind="own"),
]
