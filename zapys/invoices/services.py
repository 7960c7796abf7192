"""Invoices: settings, issuing (manual, forecast, membership price), paying, archiving,
expiring and sending. Writes only; reads are in `selectors.py`.

Money never moves here except through `ledger.money` (a paid invoice is a DEBIT on the
chosen account with its income operation and receipt); a status moves with a conditional
UPDATE while the invoice row is locked.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from zapys.accounts.models import Organization
from zapys.clients.models import Client
from zapys.core.audit import Actor, audit_record, audit_record_many
from zapys.core.dates import day_in_words
from zapys.core.exceptions import Conflict, DomainError
from zapys.core.iban import iban_grouped
from zapys.core.money import Money, format_money
from zapys.core.stored_text import StoredText, text_renamed, text_split
from zapys.core.system_names import msgid_of
from zapys.core.tenancy import organization_zone, unscoped
from zapys.core.text import clean_line
from zapys.invoices import events
from zapys.invoices.forecast import Forecast, forecast_for
from zapys.invoices.models import (
    NUMBER_PREFIX_MAX,
    NUMBER_PREFIX_PATTERN,
    ClientPayer,
    Invoice,
    InvoiceCounter,
    InvoicePayment,
    InvoiceRule,
    InvoiceSettings,
    default_number_prefix,
)
from zapys.ledger.models import Account, Entry
from zapys.ledger.money import money_received_record, money_refunded_record
from zapys.ledger.selectors import account_balance
from zapys.ledger.services import account_base_for, entry_create
from zapys.memberships.models import ClientMembership
from zapys.messaging.events import CHANNELS, CUSTOM_MESSAGE
from zapys.messaging.models import Message
from zapys.messaging.rendering import greeting_for, render_template
from zapys.messaging.services import check_placeholders, message_send
from zapys.payments.locks import locked_with_payment
from zapys.payments.models import Payment, PaymentAccount
from zapys.payments.services import notify_staff, payment_create, payment_expire
from zapys.payments.services.opens import payment_opened_record

logger = logging.getLogger(__name__)

PURPOSE = "invoice"
ARTICLE = "invoices"

#: What the ledger comments said before they dropped the payment's number («Рахунок
#: РАХ-2026-00004, платіж №16»: a number staff cannot find anywhere). Rows stored then keep
#: these msgids and their parameters; they are read in today's words, by the invoice alone
#: (`text_renamed`), and the catalogue keeps the old texts as the fallback.
FORMER_TEXTS = (
    gettext_noop("Invoice %(number)s, payment #%(id)s"),
    gettext_noop("Refund of invoice %(number)s, payment #%(id)s"),
)
PAYMENT_COMMENT = gettext_noop("Payment of invoice %(number)s")
REFUND_COMMENT = gettext_noop("Refund of invoice %(number)s")
text_renamed(FORMER_TEXTS[0], PAYMENT_COMMENT)
text_renamed(FORMER_TEXTS[1], REFUND_COMMENT)
S = Invoice.Status
#: Statuses in which the link takes money (a paid invoice too when it may be paid again).
OPEN = (S.AWAITING, S.PARTIALLY_PAID)
MAX_AMOUNT = 1_000_000_000  # the ledger's own limit (kopecks)


def local_today(organization: Organization, now: datetime | None = None) -> date:
    return timezone.localtime(now or timezone.now(), organization_zone(organization)).date()


def _end_of_day(organization: Organization, day: date) -> datetime:
    """The first instant after `day` in the organization's zone."""
    return datetime.combine(day + timedelta(days=1), time.min, organization_zone(organization))


# --------------------------------------------------------------------------- settings


def invoice_settings_get(organization: Organization) -> InvoiceSettings:
    found = InvoiceSettings.objects.for_org(organization).filter().first()
    if found is not None:
        return found
    InvoiceSettings.objects.for_org(organization).bulk_create(
        [
            InvoiceSettings(
                organization=organization,
                number_prefix=default_number_prefix(organization.language),
            )
        ],
        ignore_conflicts=True,
    )
    return InvoiceSettings.objects.for_org(organization).get()


def requisites_of(organization: Organization, settings: InvoiceSettings) -> str:
    """What the invoice page prints: the invoice settings' text, else the organization's own
    requisites (Settings → Organization)."""
    if settings.requisites.strip():
        return settings.requisites
    lines = [
        organization.legal_name,
        _("Tax ID: %(id)s") % {"id": organization.tax_id} if organization.tax_id else "",
        # in groups of four, as banks print it (the record keeps it compact: core/iban.py)
        _("IBAN: %(iban)s") % {"iban": iban_grouped(organization.iban)}
        if organization.iban
        else "",
        organization.bank_name,
        organization.address,
    ]
    return "\n".join(line for line in lines if line)


def offer_url_of(organization: Organization, settings: InvoiceSettings) -> str:
    return settings.offer_url or organization.offer_url


@transaction.atomic
def invoice_settings_update(
    *, organization: Organization, actor: Actor, **fields: Any
) -> InvoiceSettings:
    """Change what is given (`payment_account`, `requisites`, `offer_url`,
    `number_prefix`). A new prefix is for the invoices issued from now on: the numbers
    already given stay as they are (a number is a document's, once issued)."""
    settings = invoice_settings_get(organization)
    changes: dict[str, Any] = {}
    if "payment_account" in fields:
        account = fields["payment_account"]
        if account is not None and (
            not isinstance(account, PaymentAccount) or account.organization_id != organization.pk
        ):
            raise DomainError(
                _("This payment account is not available."), field="payment_account_id"
            )
        changes["payment_account_id"] = [settings.payment_account_id, getattr(account, "pk", None)]
        settings.payment_account = account
    if "requisites" in fields:
        text = str(fields["requisites"] or "").strip()
        changes["requisites"] = [settings.requisites, text]
        settings.requisites = text
    if "offer_url" in fields:
        url = str(fields["offer_url"] or "").strip()
        if url and not url.startswith(("https://", "http://")):
            raise DomainError(_("Enter a link starting with https://."), field="offer_url")
        changes["offer_url"] = [settings.offer_url, url]
        settings.offer_url = url
    if "number_prefix" in fields:
        prefix = number_prefix_clean(fields["number_prefix"])
        changes["number_prefix"] = [settings.number_prefix, prefix]
        settings.number_prefix = prefix
    settings.save()
    audit_record(
        organization=organization,
        actor=actor,
        action="invoices.settings_update",
        obj=settings,
        changes=changes,
    )
    return settings


def number_prefix_clean(value: Any) -> str:
    """The prefix as stored, or a DomainError saying what is allowed."""
    prefix = str(value or "").strip()
    if not prefix:
        raise DomainError(_("Enter the prefix of invoice numbers."), field="number_prefix")
    if len(prefix) > NUMBER_PREFIX_MAX or not re.fullmatch(NUMBER_PREFIX_PATTERN, prefix):
        raise DomainError(
            _(
                "Use letters and digits, with a hyphen between them if needed, "
                "%(max)s characters at most."
            )
            % {"max": NUMBER_PREFIX_MAX},
            field="number_prefix",
        )
    return prefix


# --------------------------------------------------------------------------- payer (X6)


def client_payer_of(client: Client) -> Client | None:
    """The client's remembered payer (alive), or None."""
    link = ClientPayer.objects.filter(client=client).select_related("payer").first()
    if link is None or link.payer.is_deleted:
        return None
    return link.payer


@transaction.atomic
def client_payer_set(
    *,
    client: Client,
    payer: Client | None,
    actor: Actor,
    field: str = "payer_client_id",
    status: int | None = None,
) -> None:
    """Remember who pays for `client` (None: the client pays). One level only, so there is
    never a cycle: a client with a payer of their own cannot be a payer, and a client who
    pays for others cannot be given one. `field`/`status`: how a refusal names the input
    (the invoice form's payer, the clients API's `payer_id` with 422)."""
    before = client_payer_of(client)
    if payer is None:
        ClientPayer.objects.for_org(client.organization).filter(client=client).delete()
    else:
        if payer.organization_id != client.organization_id or payer.is_deleted:
            raise DomainError(_("This payer is not available."), field=field, status=status)
        if payer.pk == client.pk:
            raise DomainError(_("A client cannot be their own payer."), field=field, status=status)
        links = ClientPayer.objects.for_org(client.organization)
        if links.filter(client=payer).exists():
            raise DomainError(
                _("%(name)s has a payer of their own.") % {"name": payer.name},
                field=field,
                status=status,
            )
        if links.filter(payer=client).exists():
            raise DomainError(
                _("%(name)s pays for other clients and cannot have a payer.")
                % {"name": client.name},
                field=field,
                status=status,
            )
        links.update_or_create(
            client=client, defaults={"payer": payer, "organization": client.organization}
        )
    if getattr(before, "pk", None) == getattr(payer, "pk", None):
        return  # nothing changed: no audit row
    audit_record(
        organization=client.organization,
        actor=actor,
        action="client.payer_set",
        obj=client,
        changes={"payer": [getattr(before, "name", None), getattr(payer, "name", None)]},
    )


# --------------------------------------------------------------------------- numbering


def _next_number(organization: Organization, year: int) -> str:
    """The next number of the year, without gaps: the counter row is locked until the
    creating transaction ends (a rolled-back invoice gives its number back)."""
    return next_numbers(organization, year, 1)[0]


def next_numbers(organization: Organization, year: int, count: int) -> list[str]:
    """`count` consecutive numbers of the year in one move of the counter (a rule's batch),
    under the same lock as one: gap-free, held until the transaction ends. The prefix is
    the organization's as it is now, read in the counter's own query (no query more)."""
    counters = InvoiceCounter.objects.for_org(organization)
    # The year's row may not exist yet: whoever comes first inserts it, a concurrent
    # inserter waits on the unique index and then does nothing.
    counters.bulk_create(
        [InvoiceCounter(organization=organization, year=year)], ignore_conflicts=True
    )
    counter = (
        counters.select_for_update(of=("self",))
        .annotate(prefix=Subquery(_prefix_of_counters_organization))
        .get(year=year)
    )
    first = counter.last + 1
    counter.last += count
    counter.save(update_fields=["last"])
    # The sequence is the year's whatever the prefix: a prefix changed back and forth
    # cannot give a number twice. No settings row yet: the one it will be created with.
    prefix = counter.prefix or default_number_prefix(organization.language)
    return [f"{prefix}-{year}-{n:05d}" for n in range(first, counter.last + 1)]


_prefix_of_counters_organization = InvoiceSettings._base_manager.filter(
    organization_id=OuterRef("organization_id")
).values("number_prefix")[:1]


# --------------------------------------------------------------------------- create


def _membership_of(client: Client, membership: Any) -> ClientMembership | None:
    if membership is None:
        return None
    if not isinstance(membership, ClientMembership) or membership.client_id != client.pk:
        raise DomainError(_("This membership is not the client's."), field="membership_id")
    return membership


def _check_amount(amount: Any) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise DomainError(_("Enter the amount."), field="amount")
    if amount <= 0:
        raise DomainError(_("The amount must be greater than zero."), field="amount")
    if amount > MAX_AMOUNT:
        raise DomainError(_("The amount is too large."), field="amount")
    return amount


@dataclass(frozen=True)
class Issued:
    """What an invoice will be, before it is written (also the rule's dry run)."""

    amount: int
    title: str | StoredText
    subjects: str
    breakdown: list[dict[str, Any]]
    period_start: date | None
    period_end: date | None


def invoice_calculate(
    *,
    client: Client,
    calculation: str,
    account: Account,
    membership: ClientMembership | None,
    amount: int | None,
    period_start: date | None,
    period_end: date | None,
    today: date,
    forecast_start: date | None = None,
) -> Issued:
    """The amount, what it is for and the breakdown of one invoice (no writes). A forecast
    starts today (the seed: its start cannot be moved) unless a rule gives its period."""
    if calculation == Invoice.Calculation.MANUAL:
        return Issued(
            amount=_check_amount(amount),
            title=membership.name if membership is not None else "",
            subjects="",
            breakdown=[],
            period_start=period_start,
            period_end=period_end,
        )
    if calculation == Invoice.Calculation.MEMBERSHIP:
        if membership is None:
            raise DomainError(
                _("Choose the membership whose price is invoiced."), field="membership_id"
            )
        subjects = ", ".join(s.name for s in membership.plan.subjects.all())
        return Issued(
            amount=_check_amount(membership.price),
            title=membership.name,
            subjects=subjects[:300],
            breakdown=[
                {"kind": "membership", "title": membership.name, "amount": membership.price}
            ],
            period_start=period_start or membership.starts_on,
            period_end=period_end or membership.ends_on,
        )
    if calculation == Invoice.Calculation.FORECAST:
        # The seed: a forecast's period starts the day it is issued and cannot be moved.
        begin = forecast_start or today
        end = period_end or (begin + timedelta(days=30))
        if end < begin:
            raise DomainError(
                _("The end of the period cannot be before its start."), field="period_end"
            )
        forecast: Forecast = forecast_for(
            client=client,
            account=account,
            start=begin,
            end=end,
            balance=account_balance(account),
        )
        if forecast.amount <= 0:
            raise DomainError(
                _(
                    "Nothing to pay by the forecast: the balance and memberships cover "
                    "the lessons planned in this period."
                ),
                field="calculation",
            )
        return Issued(
            amount=_check_amount(forecast.amount),
            title=forecast.title,
            subjects=forecast.subjects[:300],
            breakdown=forecast.lines,
            period_start=begin,
            period_end=end,
        )
    raise DomainError(_("Unknown calculation type."), field="calculation")


def _check_dates(
    period_start: date | None,
    period_end: date | None,
    pay_from: date,
    pay_until: date | None,
    today: date,
) -> None:
    if period_start and period_end and period_end < period_start:
        raise DomainError(
            _("The end of the period cannot be before its start."), field="period_end"
        )
    if pay_until is not None and pay_until < pay_from:
        raise DomainError(_("The payment window cannot end before it starts."), field="pay_until")
    if pay_until is not None and pay_until < today:
        raise DomainError(_("This payment window is already over."), field="pay_until")


@transaction.atomic
def invoice_create(
    *,
    client: Client,
    calculation: str,
    actor: Actor,
    amount: int | None = None,
    membership: ClientMembership | None = None,
    payer: Client | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    pay_from: date | None = None,
    pay_until: date | None = None,
    repeatable: bool = False,
    allow_partial: bool = False,
    comment: str = "",
    rule: InvoiceRule | None = None,
    now: datetime | None = None,
    forecast_start: date | None = None,
) -> Invoice:
    """Issue an invoice to `client` (I1). The money goes to the membership's account when a
    membership is given (its separate account, or the base one), else the base account.
    `payer`: another client who pays (a parent, X6): the link and reminders go to them."""
    organization = client.organization
    now = now or timezone.now()
    today = local_today(organization, now)
    if client.is_deleted:
        raise DomainError(_("This client is deleted."), field="client_id")
    membership = _membership_of(client, membership)
    if payer is None:
        payer = client_payer_of(client)
    if payer is not None:
        if payer.organization_id != organization.pk or payer.is_deleted:
            raise DomainError(_("This payer is not available."), field="payer_client_id")
        if payer.pk == client.pk:
            payer = None
    account = membership.account if membership is not None else account_base_for(client=client)
    issued = invoice_calculate(
        client=client,
        calculation=calculation,
        account=account,
        membership=membership,
        amount=amount,
        period_start=period_start,
        period_end=period_end,
        today=today,
        forecast_start=forecast_start,
    )
    pay_from = pay_from or today
    _check_dates(issued.period_start, issued.period_end, pay_from, pay_until, today)
    invoice = Invoice(
        organization=organization,
        number=_next_number(organization, today.year),
        client=client,
        payer=payer,
        account=account,
        membership=membership,
        calculation=calculation,
        amount=issued.amount,
        currency=organization.currency or "UAH",
        period_start=issued.period_start,
        period_end=issued.period_end,
        pay_from=pay_from,
        pay_until=pay_until,
        repeatable=bool(repeatable),
        allow_partial=bool(allow_partial),
        breakdown=issued.breakdown,
        comment=clean_line(comment or "")[:500],
        **title_columns(issued.title),
        subjects=issued.subjects,
        rule=rule,
    )
    invoice.save(force_insert=True)
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice.create",
        obj=invoice,
        changes={
            "number": invoice.number,
            "calculation": calculation,
            "amount": invoice.amount,
            "client": client.pk,
            "payer": payer.pk if payer is not None else None,
            "account": account.pk,
        },
    )
    return invoice


# --------------------------------------------------------------------------- archive / expire


ALREADY_ARCHIVED = "already_archived"
PAID_ERROR = "paid"
NOT_FOUND = "not_found"


@dataclass(frozen=True)
class ArchiveResult:
    id: int
    number: str
    ok: bool
    error: str | None


def archive_error_text(code: str | None) -> str:
    return {
        ALREADY_ARCHIVED: _("Already archived"),
        PAID_ERROR: _("A paid invoice cannot be archived"),
        NOT_FOUND: _("Not found"),
    }.get(code or "", "")


def _close_open_payment(invoice: Invoice, actor: Actor) -> None:
    """The link stops taking money: its open provider attempt is closed too."""
    payment = invoice.payment if invoice.payment_id else None
    if payment is not None and payment.status in (Payment.Status.CREATED, Payment.Status.PENDING):
        payment_expire(payment=payment, actor=actor)


@transaction.atomic
def invoice_archive(*, invoice: Invoice, actor: Actor, now: datetime | None = None) -> str | None:
    """Archive one invoice (irreversible: the link stops working). Returns None when done,
    else why not: "already_archived" or "paid" — and nothing changed then."""
    now = now or timezone.now()
    scoped = Invoice.objects.for_org(invoice.organization)
    # The open link's payment before the invoice (payments/locks.py): its callback locks them
    # in that order, and the link is closed below — the other way round, the two waited for
    # each other.
    locked = locked_with_payment(Invoice, invoice, related=("payment",))
    if locked.status == S.ARCHIVED:
        return ALREADY_ARCHIVED
    if locked.status == S.PAID:
        return PAID_ERROR
    scoped.filter(pk=locked.pk, status=locked.status).update(status=S.ARCHIVED, archived_at=now)
    _close_open_payment(locked, actor)
    audit_record(
        organization=invoice.organization,
        actor=actor,
        action="invoice.archive",
        obj=locked,
        changes={"status": [locked.status, S.ARCHIVED]},
    )
    invoice.status, invoice.archived_at = S.ARCHIVED, now
    return None


@transaction.atomic
def invoices_archive(
    *, organization: Organization, ids: list[int], actor: Actor, now: datetime | None = None
) -> list[ArchiveResult]:
    """Bulk archive (I4): a protocol line per id asked, in the order asked (a repeated id
    once): done / "already archived" / "a paid invoice cannot be archived" / not found.

    Set-based, so a selection of 500 costs what a selection of 2 costs: the selected rows
    are locked in id order (two archivers never deadlock) and read in one query, the
    archivable ones move in one conditional UPDATE, and their audit rows are written by
    one INSERT per status they had (at most three). A refusal changes nothing of its own
    row and never undoes another's archive. The open provider attempts of what was archived
    are closed by the `invoices.close_attempts` job (a payment's transition is one
    payment at a time; money that still arrives is kept on the balance, as for any
    closed invoice)."""
    now = now or timezone.now()
    asked = list(dict.fromkeys(ids))  # the order asked, each id once
    scoped = Invoice.objects.for_org(organization)
    rows = {
        pk: (number, status)
        for pk, number, status in scoped.select_for_update(of=("self",))
        .filter(pk__in=asked)
        .order_by("id")
        .values_list("id", "number", "status")
    }
    archivable: dict[str, list[int]] = {}
    for pk, (_number, status) in rows.items():
        if status not in (S.ARCHIVED, S.PAID):
            archivable.setdefault(status, []).append(pk)
    moving = [pk for group in archivable.values() for pk in group]
    if moving:
        # The rows are locked: the condition only restates why each may move.
        scoped.filter(pk__in=moving).exclude(status__in=(S.ARCHIVED, S.PAID)).update(
            status=S.ARCHIVED, archived_at=now
        )
        for before in sorted(archivable):
            audit_record_many(
                model=Invoice,
                ids=archivable[before],
                actor=actor,
                action="invoice.archive",
                changes={"status": [before, S.ARCHIVED]},
            )
    moved = set(moving)
    results: list[ArchiveResult] = []
    for pk in asked:
        if pk not in rows:
            results.append(ArchiveResult(pk, "", False, NOT_FOUND))
            continue
        number, status = rows[pk]
        if pk in moved:
            results.append(ArchiveResult(pk, number, True, None))
        else:
            error = ALREADY_ARCHIVED if status == S.ARCHIVED else PAID_ERROR
            results.append(ArchiveResult(pk, number, False, error))
    return results


#: Open provider attempts of closed invoices the job closes per run.
CLOSE_ATTEMPTS_BATCH = 200


def invoices_close_attempts(now: datetime) -> int:
    """Close the provider attempts still open on archived or expired invoices (a bulk
    archive and the expiry job leave them to this): each is expired through the payments
    service, one at a time, since that is how a payment moves. Returns how many."""
    closed = 0
    actor = Actor.scheduler("invoices.close_attempts")
    with unscoped():
        invoices = list(
            Invoice.objects.filter(
                status__in=(S.ARCHIVED, S.EXPIRED),
                payment__status__in=(Payment.Status.CREATED, Payment.Status.PENDING),
            )
            .select_related("payment", "payment__organization")
            .order_by("id")[:CLOSE_ATTEMPTS_BATCH]
        )
        for invoice in invoices:
            closed += bool(payment_expire(payment=invoice.payment, actor=actor))
    return closed


#: Candidates the expiry job reads per query.
EXPIRE_BATCH = 1000


def invoices_expire(now: datetime) -> int:
    """The payment window is over: awaiting / partially paid invoices whose `pay_until` is
    before today in their organization's zone become expired (the job). Constant queries
    per batch (`EXPIRE_BATCH`), walking the candidates by id: a batch whose rows are not yet due in
    their zone (the day in between) must not hide the due ones after it."""
    total = 0
    # No zone is more than 14 h ahead of UTC: rows due before (UTC today - 1) are over
    # everywhere; the day in between is decided per organization.
    horizon = now.date() + timedelta(days=1)
    after = 0
    with unscoped():
        while True:
            rows = list(
                Invoice.objects.filter(status__in=OPEN, pay_until__lt=horizon, pk__gt=after)
                .values_list("id", "pay_until", "organization__time_zone")
                .order_by("id")[:EXPIRE_BATCH]
            )
            if not rows:
                break
            after = rows[-1][0]
            due = [
                pk
                for pk, until, zone in rows
                if until < timezone.localtime(now, _zone(zone)).date()
            ]
            if due:
                moved_ids = list(
                    Invoice.objects.filter(pk__in=due, status__in=OPEN).values_list("id", flat=True)
                )
                Invoice.objects.filter(pk__in=moved_ids, status__in=OPEN).update(
                    status=S.EXPIRED, expired_at=now
                )
                audit_record_many(
                    model=Invoice,
                    ids=moved_ids,
                    actor=Actor.scheduler("invoices.expire"),
                    action="invoice.expire",
                    changes={"status": S.EXPIRED},
                )
                total += len(moved_ids)
            if len(rows) < EXPIRE_BATCH:
                break
    return total


def _zone(name: str) -> Any:
    try:
        return ZoneInfo(name or "Europe/Kyiv")
    except Exception:  # an unknown zone name: Kyiv, as organizations default to
        return ZoneInfo("Europe/Kyiv")


# --------------------------------------------------------------------------- opened (X9)


def is_own_staff(viewer: Any, invoice: Invoice) -> bool:
    """A signed-in staff member of the invoice's organization (checking the link before
    sending it): not the payer, so not an "opened" in the funnel. Staff of another
    organization may be this business's client, so they count (as for `/pay/` pages)."""
    return bool(
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and getattr(viewer, "organization_id", None) == invoice.organization_id
    )


def invoice_opened_record(
    invoice: Invoice, *, viewer: Any = None, now: datetime | None = None
) -> bool:
    """The payer's first open of the public page, for the payment-link funnel (X9): stored
    once on the invoice (one conditional UPDATE, no audit row: a page view is no change), and
    the current payment attempt shown from the page is marked opened at that moment too
    (`payments.services.opens`, which the funnel reads: a link is a payment there). Returns
    whether this was the invoice's first open."""
    if is_own_staff(viewer, invoice):
        return False
    first = False
    if invoice.opened_at is None:
        moment = now or timezone.now()
        first = bool(
            Invoice.objects.for_org(invoice.organization)
            .filter(pk=invoice.pk, opened_at__isnull=True)
            .update(opened_at=moment)
        )
        if first:
            invoice.opened_at = moment
        else:  # another tab was first: its moment is the open
            invoice.refresh_from_db(fields=["opened_at"])
    payment = invoice.payment if invoice.payment_id else None
    if payment is not None and payment.opened_at is None:
        payment_opened_record(payment, now=invoice.opened_at)
    return first


# --------------------------------------------------------------------------- paying


def invoice_payable(invoice: Invoice, today: date) -> bool:
    """Whether the link takes money today (I3): open or (paid and repeatable), within the
    window."""
    if invoice.status not in OPEN and not (invoice.status == S.PAID and invoice.repeatable):
        return False
    if today < invoice.pay_from:
        return False
    return invoice.pay_until is None or today <= invoice.pay_until


def invoice_pay_amount(invoice: Invoice, requested: int | None) -> int:
    """What one payment of the link is: the rest due (the whole amount again for a paid
    invoice that may be paid again), or what the payer typed when partial payment is
    allowed (more than due is welcome: the rest stays on the balance)."""
    due = invoice.due if invoice.status != S.PAID else invoice.amount
    if invoice.allow_partial and requested is not None:
        return _check_amount(requested)
    return due


@transaction.atomic
def invoice_payment_start(
    *, invoice: Invoice, actor: Actor, amount: int | None = None, now: datetime | None = None
) -> Payment:
    """ "Go to payment" on the public page: the provider attempt for this payment of the
    invoice (the open one reused while it asks the same amount)."""
    now = now or timezone.now()
    organization = invoice.organization
    locked = (
        Invoice.objects.for_org(organization)
        .select_for_update(of=("self",))
        .select_related("payment", "client")
        .get(pk=invoice.pk)
    )
    if not invoice_payable(locked, local_today(organization, now)):
        raise Conflict(
            _("The payment period of this invoice has expired, please contact the administrator.")
        )
    to_pay = invoice_pay_amount(locked, amount)
    current = locked.payment
    if (
        current is not None
        and current.status == Payment.Status.PENDING
        and current.amount == to_pay
        and (current.expires_at is None or current.expires_at > now)
    ):
        return current
    settings = invoice_settings_get(organization)
    with translation.override(organization.language or None):
        description = _("Invoice %(number)s") % {"number": locked.number}
    payment = payment_create(
        organization=organization,
        account=settings.payment_account if settings.payment_account_id else None,
        purpose=PURPOSE,
        purpose_object=locked,
        client=locked.client,
        amount=to_pay,
        currency=locked.currency,
        description=description,
        actor=actor,
        expires_at=_end_of_day(organization, locked.pay_until) if locked.pay_until else None,
    )
    Invoice.objects.for_org(organization).filter(pk=locked.pk).update(payment=payment)
    invoice.payment = payment
    return payment


def _status_after(invoice: Invoice, paid_amount: int) -> str:
    if paid_amount >= invoice.amount:
        return S.PAID
    return S.PARTIALLY_PAID if paid_amount > 0 else S.AWAITING


def title_columns(title: str | StoredText) -> dict[str, Any]:
    """An invoice's "what for" as its two columns: the text (in the active language: the
    API, searches and old readers see it) and, for a text the system wrote (a forecast's
    "Lessons 01.12–31.12.2026"), what renders it in each reader's language."""
    shown, stored = text_split(title)
    return {"title": (clean_line(shown) or "")[:300], "title_text": stored}


def _deposit_line(invoice: Invoice) -> StoredText:
    """The receipt line of an invoice's money, read in each reader's language; the title is
    the salon's (data), the number the invoice's. Without a title, the number once (it read
    "Invoice INV-2026-00004: INV-2026-00004")."""
    if not invoice.title:
        return StoredText(gettext_noop("Invoice %(number)s"), number=invoice.number)
    return StoredText(
        gettext_noop("Invoice %(number)s: %(what)s"),
        number=invoice.number,
        what=invoice.title_param,
    )


def invoice_payment_succeeded(*, payment: Payment, actor: Actor) -> str:
    """The provider confirmed a payment of an invoice (the purpose's transition, inside the
    payment's transaction). The money lands on the invoice's account through the money
    service and counts towards it; money for an archived or expired invoice is kept on the
    client's base account and the staff are told. Returns what happened."""
    organization = payment.organization
    invoice = (
        Invoice.objects.for_org(organization)
        .select_for_update(of=("self",))
        .select_related("client", "account")
        .filter(pk=payment.purpose_id)
        .first()
        if str(payment.purpose_id).isdigit()
        else None
    )
    if invoice is None:
        logger.warning("invoices: payment %s names no invoice", payment.pk)
        return "unknown"
    if InvoicePayment.objects.for_org(organization).filter(payment=payment).exists():
        return "duplicate"  # counted already: a replay changes nothing
    counted = invoice.status in OPEN or (invoice.status == S.PAID and invoice.repeatable)
    account = invoice.account if counted else account_base_for(client=invoice.client)
    money = money_received_record(
        client=invoice.client,
        amount=payment.amount,
        purpose=Entry.Purpose.INVOICE_PAYMENT,
        article=ARTICLE,
        actor=actor,
        cause=invoice,
        # the invoice's number is a document's; a payment's number is nobody's business
        comment=StoredText(PAYMENT_COMMENT, number=invoice.number),
        deposit_line=_deposit_line(invoice),
        branch=payment.branch if payment.branch_id else None,
        account=account,
    )
    InvoicePayment.objects.create(
        organization=organization,
        invoice=invoice,
        payment=payment,
        amount=payment.amount,
        counted=counted,
        entry=money.entry,
    )
    amount = Money(payment.amount, payment.currency)
    if not counted:
        notify_staff(
            organization=organization,
            title=StoredText(
                gettext_noop("Money for a closed invoice: %(number)s"), number=invoice.number
            ),
            body=StoredText(
                gettext_noop(
                    "%(amount)s from %(client)s arrived after the invoice was %(status)s; it is "
                    "on the client's balance."
                ),
                amount=amount,
                client=invoice.client.name,
                status=StoredText.word(msgid_of(S(invoice.status).label)),
            ),
            related=invoice,
        )
        audit_record(
            organization=organization,
            actor=actor,
            action="invoice.paid_closed",
            obj=invoice,
            changes={"payment_id": payment.pk, "amount": payment.amount},
        )
        return "closed"
    paid = invoice.paid_amount + payment.amount
    status = _status_after(invoice, paid)
    now = timezone.now()
    Invoice.objects.for_org(organization).filter(pk=invoice.pk).update(
        paid_amount=F("paid_amount") + payment.amount,
        status=status,
        paid_at=now if status == S.PAID else invoice.paid_at,
    )
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice.paid",
        obj=invoice,
        changes={
            "status": [invoice.status, status],
            "paid_amount": [invoice.paid_amount, paid],
            "payment_id": payment.pk,
        },
    )
    notify_staff(
        organization=organization,
        title=StoredText(
            # A part is not the invoice paid ("paid: 500,00" of a 1 500,00 invoice misled).
            gettext_noop("Invoice %(number)s paid: %(amount)s")
            if status == S.PAID
            else gettext_noop("Invoice %(number)s partly paid: %(amount)s received"),
            number=invoice.number,
            amount=amount,
        ),
        body=invoice.client.name,
        related=invoice,
        level="success",
    )
    return status


def invoice_payment_refunded(*, payment: Payment, amount: int, actor: Actor) -> None:
    """Money went back through the provider: the entry is reversed on the same account (a
    CREDIT "refund" and an expense) and, when it had counted, the invoice owes it again."""
    organization = payment.organization
    record = (
        InvoicePayment.objects.for_org(organization)
        .select_related("invoice", "invoice__client", "entry")
        .filter(payment=payment)
        .first()
    )
    if record is None:
        return
    invoice = (
        Invoice.objects.for_org(organization)
        .select_for_update(of=("self",))
        .get(pk=record.invoice_id)
    )
    money_refunded_record(
        client=invoice.client,
        amount=amount,
        actor=actor,
        cause=invoice,
        comment=StoredText(REFUND_COMMENT, number=invoice.number),
        branch=payment.branch if payment.branch_id else None,
        account=record.entry.account if record.entry is not None else None,
    )
    InvoicePayment.objects.for_org(organization).filter(pk=record.pk).update(
        refunded=F("refunded") + amount
    )
    changes: dict[str, Any] = {"refunded": amount, "payment_id": payment.pk}
    if record.counted:
        paid = max(invoice.paid_amount - amount, 0)
        status = invoice.status
        if status in (S.PAID, S.PARTIALLY_PAID, S.AWAITING):
            status = _status_after(invoice, paid)
        Invoice.objects.for_org(organization).filter(pk=invoice.pk).update(
            paid_amount=paid, status=status
        )
        changes.update(
            {"status": [invoice.status, status], "paid_amount": [invoice.paid_amount, paid]}
        )
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice.refunded",
        obj=invoice,
        changes=changes,
    )


def invoice_balance_locks(invoice: Invoice) -> Invoice:
    """The named locks of paying an invoice from the balance, in the order of
    `payments/locks.py`, inside the caller's transaction: the invoice client's row (whose
    base balance pays), the invoice's open payment (its provider callback locks the payment
    first, then the invoice: taken the other way round, the two waited for each other), then
    the invoice's row, returned as it is under the lock."""
    return locked_with_payment(
        Invoice, invoice, related=("client", "payment", "account"), balance_owner=True
    )


@transaction.atomic
def invoice_pay_from_balance(
    *, invoice: Invoice, actor: Actor, now: datetime | None = None
) -> Invoice:
    """X5: the client's base balance covers what is due — the invoice is paid without the
    provider. The money moves from the base account to the invoice's account as a pair of
    "invoice payment" entries (one CREDIT, one DEBIT), so the client's total balance is
    unchanged; the open provider link is closed."""
    now = now or timezone.now()
    organization = invoice.organization
    locked = invoice_balance_locks(invoice)
    if not invoice_payable(locked, local_today(organization, now)) or locked.status == S.PAID:
        raise Conflict(_("Only an invoice awaiting payment can be paid from the balance."))
    base = account_base_for(client=locked.client)
    balance = account_balance(base)
    due = locked.due
    if balance < due:
        raise DomainError(
            _("The balance (%(balance)s) does not cover the invoice (%(amount)s).")
            % {
                "balance": format_money(balance, locked.currency, organization.language),
                "amount": format_money(due, locked.currency, organization.language),
            },
            field="balance",
        )
    with translation.override(organization.language or None):
        comment = StoredText(
            gettext_noop("Invoice %(number)s paid from the balance"), number=locked.number
        )
        entry_create(
            client=locked.client,
            kind=Entry.Kind.CREDIT,
            amount=due,
            purpose=Entry.Purpose.INVOICE_PAYMENT,
            actor=actor,
            account=base,
            cause=locked,
            comment=comment,
        )
        entry = entry_create(
            client=locked.client,
            kind=Entry.Kind.DEBIT,
            amount=due,
            purpose=Entry.Purpose.INVOICE_PAYMENT,
            actor=actor,
            account=locked.account,
            cause=locked,
            comment=comment,
        )
        InvoicePayment.objects.create(
            organization=organization,
            invoice=locked,
            source=InvoicePayment.Source.BALANCE,
            amount=due,
            entry=entry,
        )
        Invoice.objects.for_org(organization).filter(pk=locked.pk).update(
            paid_amount=F("paid_amount") + due, status=S.PAID, paid_at=now
        )
        _close_open_payment(locked, actor)
        audit_record(
            organization=organization,
            actor=actor,
            action="invoice.paid_from_balance",
            obj=locked,
            changes={"status": [locked.status, S.PAID], "amount": due},
        )
    locked.refresh_from_db()
    return locked


# --------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class Bills:
    """`{customer.bills}` and its two variants: every open invoice of the customer. An
    object with plain attributes, so the renderer reaches `.amount_url` without calling
    anything (see `messaging.rendering`)."""

    urls: str
    amount_url: str
    amount_subject_url: str

    def __str__(self) -> str:
        return self.urls


def _date_text(day: date | None) -> str:
    return f"{day:%d.%m.%Y}" if day else ""


def _in_language(language: str, func: Any, *args: Any) -> str:
    with translation.override(language):
        return str(func(*args))


def _due_text(invoice: Invoice, language: str) -> str:
    """The due date as the invoice's page says it: «1 грудня» / "1 December"."""
    with translation.override(language):
        return day_in_words(invoice.due_on, today=invoice.pay_from)


def _amount_url(invoice: Invoice, language: str) -> str:
    return (
        f"{format_money(invoice.due or invoice.amount, invoice.currency, language)} — {invoice.url}"
    )


def _amount_subjects_url(invoice: Invoice, language: str) -> str:
    with translation.override(language):
        subjects = invoice.subjects or invoice.title_shown
    amount = format_money(invoice.due or invoice.amount, invoice.currency, language)
    return f"{amount} ({subjects}) — {invoice.url}" if subjects else f"{amount} — {invoice.url}"


def bill_type(invoice: Invoice) -> str:
    return invoice.title_shown or str(invoice.get_calculation_display())


def message_variables(
    invoice: Invoice, customer: Client, open_invoices: list[Invoice], language: str
) -> dict[str, Any]:
    """The I6 tags for a message about `invoice` to `customer` (flat keys: the renderer
    prefers them, and `customer.bills` still reaches `.amount_url`)."""
    bills = Bills(
        urls="\n".join(i.url for i in open_invoices),
        amount_url="\n".join(_amount_url(i, language) for i in open_invoices),
        amount_subject_url="\n".join(_amount_subjects_url(i, language) for i in open_invoices),
    )
    return {
        "bill.url": invoice.url,
        "bill.amount": format_money(invoice.due or invoice.amount, invoice.currency, language),
        "bill.type": _in_language(language, bill_type, invoice),
        "bill.begin_date": _date_text(invoice.period_start),
        "bill.end_date": _date_text(invoice.period_end),
        "bill.due_date": _due_text(invoice, language),
        "bill.amount_url": _amount_url(invoice, language),
        "bill.amount_subjects_url": _amount_subjects_url(invoice, language),
        # the vocative in Ukrainian («Оксано»); a company is greeted neutrally («Вітаємо!»)
        "customer.first_name": greeting_for(customer, language),
        "customer.name": customer.name,
        "customer.bills": bills,
        "customer.bills.amount_url": bills.amount_url,
        "customer.bills.amount_subject_url": bills.amount_subject_url,
    }


#: The names a typed text (an invoice's, a rule's, a reminder's) may use: the I6 tags.
TAG_NAMES = [name for name, _label in events.TAGS]


def render_tags(text: str, variables: dict[str, Any]) -> str:
    """A typed text with the I6 tags filled in the same safe single pass as templates."""
    return render_template(text, variables, allowed=TAG_NAMES)


def check_tags(text: str, *, field: str) -> None:
    """Refuse a typed text with a tag `render_tags` does not know ("{bill.sum}" would reach
    the client as written): the template editor's rule, naming the field (422)."""
    check_placeholders(text, TAG_NAMES, field=field)


def invoice_recipient(invoice: Invoice) -> Client:
    """Whoever pays the invoice: its payer, else its client (messages go to them)."""
    return invoice.payer if invoice.payer_id and invoice.payer is not None else invoice.client


def open_invoices_of(customer: Client) -> list[Invoice]:
    """`{customer.bills}`: every invoice the customer pays that still awaits money."""
    return list(
        Invoice.objects.for_org(customer.organization)
        .filter(Q(client=customer) | Q(payer=customer), status__in=OPEN)
        .order_by("created_at", "id")
    )


@transaction.atomic
def invoice_send(
    *,
    invoice: Invoice,
    actor: Actor,
    channel: str | None = None,
    text: str | None = None,
    event: str = events.INVOICE_LINK,
    idempotency_key: str | None = None,
    check_text: bool = True,
) -> Message:
    """Send the invoice's link (I2) to whoever pays it (the payer, else the client) through
    the outbox: the organization's template for the event (I6 tags), or `text` typed by
    staff with the same tags. Raises DomainError when no channel reaches them, or when
    `text` has a tag that is not one (`check_tags`; `check_text=False` for a reminder's
    stored text, checked when it was saved: one saved before the check still goes).

    Decides from the invoice's row as it is now, locked, not from the caller's copy: a page
    loaded before an archive, or a reminder job's list read before a payment, would send
    a link that no longer works, or the amount as it was before a part was paid."""
    organization = invoice.organization
    if channel is not None and channel not in CHANNELS:
        raise DomainError(_("Unknown channel."), field="channel")
    if text and check_text:
        check_tags(text, field="text")
    invoice = (
        Invoice.objects.for_org(organization)
        .select_for_update(of=("self",))
        .select_related("organization", "client", "payer")
        .get(pk=invoice.pk)
    )
    if invoice.status == S.ARCHIVED:
        raise Conflict(_("An archived invoice cannot be sent: its link no longer works."))
    customer = invoice_recipient(invoice)
    language = organization.language or "uk"
    variables = message_variables(invoice, customer, open_invoices_of(customer), language)
    key = idempotency_key or f"invoice:{invoice.pk}:send:{uuid.uuid4().hex}"
    if text is not None and text.strip():
        message = message_send(
            organization=organization,
            # a typed text goes under the invoice's own kind ("Invoice: payment reminder")
            event=events.TYPED.get(event, CUSTOM_MESSAGE),
            variables={"text": render_tags(text.strip(), variables)},
            actor=actor,
            client=customer,
            channel=channel,
            related=invoice,
            idempotency_key=key,
        )
    else:
        message = message_send(
            organization=organization,
            event=event,
            variables=variables,
            actor=actor,
            client=customer,
            channel=channel,
            related=invoice,
            idempotency_key=key,
        )
    if message is None:
        raise DomainError(
            _("No channel can reach %(name)s: add a phone, an e-mail or a transport account.")
            % {"name": customer.name},
            field="channel" if channel else "client_id",
        )
    audit_record(
        organization=organization,
        actor=actor,
        action="invoice.send",
        obj=invoice,
        changes={"channel": message.channel, "message_id": message.pk},
    )
    return message
