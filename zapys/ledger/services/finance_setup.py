"""What the money is booked on: payment types, cash desks and finance articles."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.core.audit import Actor, audit_record
from zapys.core.exceptions import DomainError
from zapys.core.prepared import PreparedQuery
from zapys.core.text import clean_line
from zapys.ledger.hooks import finance_article_declare, finance_articles_declared
from zapys.ledger.models import DEFAULT_PAYMENT_TYPE_NAMES, CashDesk, FinanceArticle, PaymentType
from zapys.ledger.services.checks import check_same_org

if TYPE_CHECKING:
    from zapys.accounts.models import Branch, Organization


Flagged = TypeVar("Flagged", PaymentType, FinanceArticle)


def _default_payment_type_name(organization: Organization, method: str) -> str:
    """Stored in the organization's language (the business may rename it); shown in the
    page's language while it is not renamed (`PaymentType.display_name`)."""
    with translation.override(organization.language or "uk"):
        return _(DEFAULT_PAYMENT_TYPE_NAMES[method])


# Read on every money movement at the desk (a checkout): compiled once (core/prepared.py).
_DEFAULT_PAYMENT_TYPE: PreparedQuery[PaymentType] = PreparedQuery(
    lambda s: PaymentType.objects.for_org(s.org()).filter(
        branch_id=s.number("branch"), method=s.text("method"), is_default=True
    )[:1]
)
_ARTICLE: PreparedQuery[FinanceArticle] = PreparedQuery(
    lambda s: FinanceArticle.objects.for_org(s.org()).filter(code=s.text("code"))[:1]
)


def payment_type_for(*, organization: Organization, branch: Branch, method: str) -> PaymentType:
    """The branch's default payment type for a method, created on first use."""
    if method not in PaymentType.Method.values:
        raise DomainError(f"Unknown payment method {method!r}.", field="method")
    check_same_org(organization.pk, branch)
    found = _DEFAULT_PAYMENT_TYPE.first(org=organization.pk, branch=branch.pk, method=method)
    if found is not None:
        return found
    qs = PaymentType.objects.for_org(organization).filter(branch=branch, method=method)
    try:
        with transaction.atomic():
            return PaymentType.objects.for_org(organization).create(
                organization=organization,
                branch=branch,
                method=method,
                name=_default_payment_type_name(organization, method),
                is_default=True,
            )
    except IntegrityError:
        return qs.get(is_default=True)


@transaction.atomic
def payment_type_create(
    *,
    organization: Organization,
    branch: Branch,
    method: str,
    name: str,
    actor: Actor,
    cash_desk: CashDesk | None = None,
    is_default: bool = False,
) -> PaymentType:
    if method not in PaymentType.Method.values:
        raise DomainError(f"Unknown payment method {method!r}.", field="method")
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    check_same_org(organization.pk, branch, cash_desk)
    if cash_desk is not None and cash_desk.branch_id != branch.pk:
        raise DomainError(_("The cash desk belongs to another branch."), field="cash_desk")
    qs = PaymentType.objects.for_org(organization)
    if is_default:
        qs.filter(branch=branch, method=method, is_default=True).update(is_default=False)
    pt = qs.create(
        organization=organization,
        branch=branch,
        method=method,
        name=name[:100],
        cash_desk=cash_desk,
        is_default=is_default,
    )
    audit_record(
        organization=organization, actor=actor, action="ledger.payment_type_create", obj=pt
    )
    return pt


@transaction.atomic
def payment_type_set_active(
    *, payment_type: PaymentType, is_active: bool, actor: Actor
) -> PaymentType:
    return _flag_set(
        payment_type, "is_active", is_active, actor=actor, action="ledger.payment_type_update"
    )


@transaction.atomic
def cash_desk_create(
    *, organization: Organization, branch: Branch, name: str, actor: Actor
) -> CashDesk:
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    check_same_org(organization.pk, branch)
    desk = CashDesk.objects.for_org(organization).create(
        organization=organization, branch=branch, name=name[:200]
    )
    audit_record(organization=organization, actor=actor, action="ledger.cash_desk_create", obj=desk)
    return desk


@transaction.atomic
def finance_article_create(
    *, organization: Organization, kind: str, name: str, actor: Actor, code: str = ""
) -> FinanceArticle:
    if kind not in FinanceArticle.Kind.values:
        raise DomainError(f"Unknown article kind {kind!r}.", field="kind")
    name = clean_line(name)
    if not name:
        raise DomainError(_("Enter a name."), field="name")
    article = FinanceArticle.objects.for_org(organization).create(
        organization=organization, kind=kind, name=name[:200], code=code
    )
    audit_record(
        organization=organization, actor=actor, action="ledger.article_create", obj=article
    )
    return article


@transaction.atomic
def finance_article_set_archived(
    *, article: FinanceArticle, is_archived: bool, actor: Actor
) -> FinanceArticle:
    return _flag_set(
        article, "is_archived", is_archived, actor=actor, action="ledger.article_update"
    )


def _flag_set(obj: Flagged, field: str, value: bool, *, actor: Actor, action: str) -> Flagged:
    """Switch one yes/no field of a payment type or an article, with its audit row."""
    before = getattr(obj, field)
    setattr(obj, field, value)
    obj.save(update_fields=[field])
    audit_record(
        organization=obj.organization,
        actor=actor,
        action=action,
        obj=obj,
        changes={field: [before, value]},
    )
    return obj


# The ledger's own articles; every other app declares its own (`ledger.hooks`).
finance_article_declare("services", kind="income", label=gettext_lazy("Services"))
finance_article_declare("refunds", kind="expense", label=gettext_lazy("Refunds"))


def finance_article_for(*, organization: Organization, code: str) -> FinanceArticle:
    """An article some app declared (`ledger.hooks.finance_article_declare`), created in the
    organization on first use; the business may rename it."""
    declared = finance_articles_declared().get(code)
    if declared is None:
        raise DomainError(f"Unknown system article {code!r}.", field="article")
    found = _ARTICLE.first(org=organization.pk, code=code)
    if found is not None:
        return found
    qs = FinanceArticle.objects.for_org(organization).filter(code=code)
    kind, label = declared.kind, declared.label
    with translation.override(organization.language or "uk"):
        name = str(label)  # named in the organization's language, whoever caused it
    try:
        with transaction.atomic():
            return FinanceArticle.objects.for_org(organization).create(
                organization=organization, kind=kind, name=name, code=code
            )
    except IntegrityError:
        return qs.get()
