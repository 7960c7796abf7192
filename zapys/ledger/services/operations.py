"""Financial operations: money that came into or went out of a branch's till."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.core.text import strip_control
from zapys.ledger.models import Entry, FinanceArticle, FinancialOperation, PaymentType
from zapys.ledger.services.checks import (
    actor_user_id,
    cause_fields,
    check_same_org,
    validate_amount,
)

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


@transaction.atomic
def financial_operation_create(
    *,
    organization: Organization,
    branch: Branch,
    kind: str,
    amount: int,
    actor: Actor,
    article: FinanceArticle | None = None,
    payment_type: PaymentType | None = None,
    cause: Model | None = None,
    client: Any = None,
    comment: str = "",
    entry: Entry | None = None,
) -> FinancialOperation:
    """Record money that came in (income) or went out (expense) of a branch.

    `entry` is the client's ledger entry this money is (a payment for income, a refund
    for expense): cancelling the entry cancels the operation. The link is always given,
    never guessed (`ledger.money` records entry and operation together); an operation
    without an entry is the till's own (rent, supplies)."""
    if kind not in FinancialOperation.Kind.values:
        raise DomainError(f"Unknown kind {kind!r}: use income or expense.", field="kind")
    validate_amount(amount)
    if branch is None:
        raise DomainError(_("Choose a branch."), field="branch_id")
    check_same_org(organization.pk, branch, article, payment_type, client, cause)
    if article is not None and article.kind != kind:
        raise DomainError(_("This article is for the other kind of operation."), field="article_id")
    if payment_type is not None and payment_type.branch_id != branch.pk:
        raise DomainError(
            _("This payment type belongs to another branch."), field="payment_type_id"
        )
    comment = strip_control(comment).strip()
    if len(comment) > 500:
        raise DomainError(_("The comment is too long (500 characters at most)."), field="comment")
    entry_kind = Entry.Kind.DEBIT if kind == FinancialOperation.Kind.INCOME else Entry.Kind.CREDIT
    if entry is not None:
        check_linked_entry(organization.pk, entry, kind=entry_kind, field="entry_id")
    cause_type, cause_id = cause_fields(cause)
    op = FinancialOperation.objects.for_org(organization).create(
        organization=organization,
        branch=branch,
        kind=kind,
        amount=amount,
        article=article,
        payment_type=payment_type,
        client=client,
        comment=comment,
        cause_type=cause_type,
        cause_id=cause_id,
        entry=entry,
        created_by_id=actor_user_id(actor),
        created_by_label=actor.label[:200],
        created_at=timezone.now(),
    )
    changes: dict[str, Any] = {"kind": [None, kind], "amount": [None, amount]}
    if entry is not None:
        changes["entry"] = [None, entry.pk]
    audit_record(
        organization=organization,
        actor=actor,
        action="ledger.operation_create",
        obj=op,
        changes=changes,
    )
    return op


def check_linked_entry(organization_id: int, entry: Entry, *, kind: str, field: str) -> None:
    if entry.organization_id != organization_id:
        raise DomainError(_("An object of another organization was given."), field=field)
    if entry.pk is None or entry.kind != kind:
        raise DomainError(_("This ledger entry does not match the money recorded."), field=field)
    if entry.status != Entry.Status.ACTIVE:
        raise DomainError(_("This ledger entry is cancelled."), field=field)
