"""Reads for invoices: lists with filters and totals, one invoice, its payments and its
delivery log, and the public page's lookup by token."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import BigIntegerField, Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest, Least

from zapys.accounts.models import Organization
from zapys.core.tenancy import unscoped
from zapys.invoices.models import (
    Invoice,
    InvoiceCounter,
    InvoicePayment,
    InvoiceRule,
    InvoiceSettings,
)
from zapys.messaging.models import Message


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = ""
    client_id: int | None = None
    rule_id: int | None = None
    date_from: date | None = None  # issued on or after (created_at, organization's day)
    date_to: date | None = None
    search: str = ""


def next_number_shown(organization: Organization, settings: InvoiceSettings, year: int) -> str:
    """The number the next invoice of `year` gets if the prefix stays as it is, for the
    settings page (read without the lock: only `services.next_numbers` gives a number)."""
    last = (
        InvoiceCounter.objects.for_org(organization)
        .filter(year=year)
        .values_list("last", flat=True)
        .first()
    )
    return f"{settings.number_prefix}-{year}-{(last or 0) + 1:05d}"


def invoices_list(filters: InvoiceFilters) -> QuerySet[Invoice]:
    """The organization's invoices, newest first (in the active scope)."""
    qs = Invoice.objects.select_related("client", "payer")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.client_id:
        qs = qs.filter(Q(client_id=filters.client_id) | Q(payer_id=filters.client_id))
    if filters.rule_id:
        qs = qs.filter(rule_id=filters.rule_id)
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    if filters.search:
        term = filters.search.strip()
        qs = qs.filter(
            Q(number__icontains=term)
            | Q(client__name__icontains=term)
            | Q(client__search_text__contains=term.lower())
        )
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class Totals:
    """The summary of a filtered list. It adds up: `amount` (invoiced) = `paid` + `due` +
    `archived_unpaid`, each invoice counted in one of them for each kopeck of its amount."""

    count: int
    #: What was invoiced: the amounts of every invoice in the list.
    amount: int
    #: What was paid towards those amounts (a part of a partly paid invoice; never more than
    #: an invoice's amount: a repeatable invoice paid again is `paid_again`, apart).
    paid: int
    #: What is still to be paid: the rest of every invoice awaiting payment, partly paid or
    #: overdue (expired). Archived invoices are no longer asked for: not counted here.
    due: int
    #: The unpaid rest of archived invoices (written off), shown apart from "Not paid".
    archived_unpaid: int = 0
    #: Money beyond an invoice's amount (a repeatable invoice paid again).
    paid_again: int = 0


def invoices_totals(qs: QuerySet[Invoice]) -> Totals:
    """Totals of a filtered list (the same queryset as the list, every page) in one query."""
    archived = Q(status=Invoice.Status.ARCHIVED)
    kopecks = BigIntegerField()
    unpaid = Greatest(F("amount") - F("paid_amount"), Value(0), output_field=kopecks)
    row = qs.order_by().aggregate(
        count=Count("id"),
        total_amount=Sum("amount"),
        total_paid=Sum(Least(F("paid_amount"), F("amount"), output_field=kopecks)),
        total_due=Sum(unpaid, filter=~archived),
        total_archived=Sum(unpaid, filter=archived),
        total_again=Sum(Greatest(F("paid_amount") - F("amount"), Value(0), output_field=kopecks)),
    )
    return Totals(
        int(row["count"] or 0),
        int(row["total_amount"] or 0),
        int(row["total_paid"] or 0),
        int(row["total_due"] or 0),
        int(row["total_archived"] or 0),
        int(row["total_again"] or 0),
    )


def invoice_payments(invoice: Invoice) -> QuerySet[InvoicePayment]:
    return InvoicePayment.objects.filter(invoice=invoice).select_related("payment")


def invoice_messages(invoice: Invoice) -> QuerySet[Message]:
    """The delivery log: every message sent about the invoice."""
    return Message.objects.filter(
        related_type="invoices.invoice", related_id=str(invoice.pk)
    ).order_by("-created_at", "-id")


def invoice_by_token(token: str) -> Invoice | None:
    """The public page's lookup: a token is unique across organizations."""
    if not token or len(token) > 64:
        return None
    with unscoped():
        return (
            Invoice.objects.select_related(
                "organization", "client", "payer", "payment", "payment__account"
            )
            .filter(token=token)
            .first()
        )


def rules_list() -> QuerySet[InvoiceRule]:
    """The rules staff manage and run (a deleted rule is not among them)."""
    return InvoiceRule.objects.filter(deleted_at__isnull=True).order_by("name", "id")


def rules_for_filter() -> QuerySet[InvoiceRule]:
    """Every rule that may have issued invoices, the deleted ones last: the invoice list
    filters by them."""
    return InvoiceRule.objects.order_by(F("deleted_at").asc(nulls_first=True), "name", "id")


def invoice_json(invoice: Invoice) -> dict[str, Any]:
    """The API's Invoice (API.md "Invoices")."""
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "client_id": invoice.client_id,
        "payer_client_id": invoice.payer_id,
        "account_id": invoice.account_id,
        "membership_id": invoice.membership_id,
        "rule_id": invoice.rule_id,
        "status": invoice.status,
        "amount": invoice.amount,
        "paid_amount": invoice.paid_amount,
        "due": invoice.due,
        "currency": invoice.currency,
        "calculation": invoice.calculation,
        "period_start": invoice.period_start,
        "period_end": invoice.period_end,
        "pay_from": invoice.pay_from,
        "pay_until": invoice.pay_until,
        "repeatable": invoice.repeatable,
        "allow_partial": invoice.allow_partial,
        "comment": invoice.comment,
        "url": invoice.url,
        "breakdown": invoice.breakdown,
        "created_at": invoice.created_at,
    }
