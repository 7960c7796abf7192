"""Invoices API (API.md "Invoices"): settings, issuing to a client, the list, one invoice,
sending it and the bulk archive."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zapys.clients.models import Client
from zapys.clients.selectors import client_get
from zapys.core.api import Pagination, referenced_object, request_actor
from zapys.core.exceptions import NotFound
from zapys.core.http import request_organization
from zapys.core.schema_types import (
    Date,
    Id,
    IdList,
    Line,
    PositiveKopecks,
    Text,
    TimeOfDay,
    omittable,
)
from zapys.invoices import rules, selectors, services
from zapys.invoices.models import DunningLevel, Invoice, InvoiceRule
from zapys.memberships.models import ClientMembership
from zapys.messaging.api import MessageOut
from zapys.payments.models import PaymentAccount

router = Router(tags=["Invoices"])

Channel = Literal["sms", "email", "telegram", "viber"]
Status = Literal["awaiting", "partially_paid", "paid", "expired", "archived"]


class InvoiceSettingsOut(Schema):
    payment_account_id: int | None
    requisites: str
    offer_url: str
    #: What the invoice page prints: the requisites above, else the organization's own.
    requisites_shown: str
    offer_url_shown: str


class InvoiceSettingsPatch(Schema):
    payment_account_id: Id | None = None
    requisites: Annotated[str, Text(5000)] = omittable()
    offer_url: Annotated[str, Line(200)] = omittable()


class InvoiceOut(Schema):
    id: int
    number: str
    client_id: int
    payer_client_id: int | None
    account_id: int
    membership_id: int | None
    rule_id: int | None
    status: str
    amount: int
    paid_amount: int
    due: int
    currency: str
    calculation: str
    period_start: date | None
    period_end: date | None
    pay_from: date
    pay_until: date | None
    repeatable: bool
    allow_partial: bool
    comment: str
    url: str
    breakdown: list[dict[str, Any]]
    created_at: datetime


class InvoiceCreateIn(Schema):
    calculation: Literal["manual", "forecast", "membership"]
    amount: PositiveKopecks | None = Field(None, description="manual: the amount (kopecks)")
    membership_id: Id | None = Field(
        None, description="membership: whose price; any: the membership's account is credited"
    )
    payer_client_id: Id | None = Field(None, description="another client who pays (X6)")
    period_start: Date | None = None
    period_end: Date | None = None
    pay_from: Date | None = None
    pay_until: Date | None = Field(None, description="null: not set")
    repeatable: bool = False
    allow_partial: bool = False
    comment: Annotated[str, Line(500)] = ""


class InvoiceSendIn(Schema):
    channel: Channel | None = None
    text: Annotated[str, Text(2000)] | None = Field(
        None, description="typed text with the I6 tags; empty: the organization's template"
    )


class InvoicesArchiveIn(Schema):
    ids: Annotated[IdList, Field(min_length=1)]


class InvoiceArchiveResultOut(Schema):
    id: int
    ok: bool
    error: Literal["already_archived", "paid", "not_found"] | None


class InvoicesArchiveOut(Schema):
    results: list[InvoiceArchiveResultOut]


def _settings_out(organization: Any) -> dict[str, Any]:
    settings = services.invoice_settings_get(organization)
    return {
        "payment_account_id": settings.payment_account_id,
        "requisites": settings.requisites,
        "offer_url": settings.offer_url,
        "requisites_shown": services.requisites_of(organization, settings),
        "offer_url_shown": services.offer_url_of(organization, settings),
    }


@router.get("/invoices/settings", response=InvoiceSettingsOut, summary="Invoice settings")
def settings_get(request: HttpRequest) -> dict[str, Any]:
    return _settings_out(request_organization(request))


@router.patch("/invoices/settings", response=InvoiceSettingsOut, summary="Change invoice settings")
def settings_patch(request: HttpRequest, payload: InvoiceSettingsPatch) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    if "payment_account_id" in data:
        fields["payment_account"] = referenced_object(
            PaymentAccount, data.pop("payment_account_id"), field="payment_account_id"
        )
    fields.update(data)
    services.invoice_settings_update(
        organization=request_organization(request), actor=request_actor(request), **fields
    )
    return _settings_out(request_organization(request))


@router.post(
    "/clients/{client_id}/invoices",
    response={201: InvoiceOut},
    summary="Issue an invoice to a client (manual, by forecast or by membership price)",
)
def invoice_create(
    request: HttpRequest, client_id: Id, payload: InvoiceCreateIn
) -> tuple[int, Any]:
    client = client_get(client_id=client_id)
    invoice = services.invoice_create(
        client=client,
        calculation=payload.calculation,
        amount=payload.amount,
        membership=referenced_object(
            ClientMembership, payload.membership_id, field="membership_id", status=400
        ),
        payer=referenced_object(
            Client, payload.payer_client_id, field="payer_client_id", status=400
        ),
        period_start=payload.period_start,
        period_end=payload.period_end,
        pay_from=payload.pay_from,
        pay_until=payload.pay_until,
        repeatable=payload.repeatable,
        allow_partial=payload.allow_partial,
        comment=payload.comment,
        actor=request_actor(request),
    )
    return 201, selectors.invoice_json(invoice)


@router.get("/invoices", response=list[InvoiceOut], summary="List invoices")
@paginate(Pagination)
def invoices_list(
    request: HttpRequest,
    status: Status | Literal[""] = "",
    client_id: Id | None = None,
    rule_id: Id | None = None,
    date_from: Date | None = None,
    date_to: Date | None = None,
) -> Any:
    qs = selectors.invoices_list(
        selectors.InvoiceFilters(
            status=status,
            client_id=client_id,
            rule_id=rule_id,
            date_from=date_from,
            date_to=date_to,
        )
    ).select_related(None)
    return [selectors.invoice_json(invoice) for invoice in qs]


@router.post(
    "/invoices/archive",
    response=InvoicesArchiveOut,
    summary="Archive invoices (irreversible): a result per id",
)
def invoices_archive(request: HttpRequest, payload: InvoicesArchiveIn) -> dict[str, Any]:
    results = services.invoices_archive(
        organization=request_organization(request),
        ids=list(payload.ids),
        actor=request_actor(request),
    )
    return {"results": [{"id": r.id, "ok": r.ok, "error": r.error} for r in results]}


def _invoice(invoice_id: int) -> Invoice:
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        raise NotFound(_("Unknown invoice."))
    return invoice


@router.get("/invoices/{invoice_id}", response=InvoiceOut, summary="Get an invoice")
def invoice_get(request: HttpRequest, invoice_id: Id) -> Any:
    return selectors.invoice_json(_invoice(invoice_id))


@router.post(
    "/invoices/{invoice_id}/send",
    response=MessageOut,
    summary="Send the invoice's link to whoever pays it (template with I6 tags, or typed text)",
)
def invoice_send(request: HttpRequest, invoice_id: Id, payload: InvoiceSendIn) -> Any:
    return services.invoice_send(
        invoice=_invoice(invoice_id),
        actor=request_actor(request),
        channel=payload.channel,
        text=payload.text,
    )


# --------------------------------------------------------------------------- rules (I5)

PayWindow = Literal["unlimited", "3d", "5d", "6d", "1w", "2w", "month_end", "next_month_end"]
ChannelOrAny = Literal["", "sms", "email", "telegram", "viber"]


class RuleFiltersIn(Schema):
    client_status: list[Literal["active", "inactive", "lead"]] | None = None
    client_type: Literal["individual", "legal_entity"] | None = None
    subject_id: Id | None = None
    lesson_type_id: Id | None = None
    lessons_min: Annotated[int, Field(ge=0, le=10_000)] | None = None
    lessons_max: Annotated[int, Field(ge=0, le=10_000)] | None = None
    money_min: Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)] | None = None
    money_max: Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)] | None = None
    attended_30_days: bool | None = None
    lesson_today: bool | None = None


class RuleScheduleIn(Schema):
    every: Literal["day", "week", "month"]
    at: TimeOfDay
    weekday: Annotated[int, Field(ge=0, le=6, description="0 = Monday")] | None = None
    day: Annotated[int, Field(ge=1, le=31)] | None = None


class RuleScheduleOut(Schema):
    every: str
    at: str
    weekday: int | None
    day: int | None
    next_run_at: datetime | None


class InvoiceRuleIn(Schema):
    name: Annotated[str, Line(200, min_length=1)]
    method: Literal["forecast", "membership"]
    account: Literal["base", "membership", "all"] = "base"
    period_type: Literal["current", "next"] = "current"
    period: Literal["day", "week", "month"] = "month"
    filters: RuleFiltersIn = Field(default_factory=RuleFiltersIn)
    pay_window: PayWindow = "unlimited"
    repeatable: bool = False
    reissue_if_unpaid: bool = False
    schedule: RuleScheduleIn
    channel: ChannelOrAny = ""
    template: Annotated[str, Text(2000)] = ""
    enabled: bool = True


class InvoiceRulePatch(Schema):
    name: Annotated[str, Line(200, min_length=1)] = omittable()
    method: Literal["forecast", "membership"] = omittable()
    account: Literal["base", "membership", "all"] = omittable()
    period_type: Literal["current", "next"] = omittable()
    period: Literal["day", "week", "month"] = omittable()
    filters: RuleFiltersIn = omittable()
    pay_window: PayWindow = omittable()
    repeatable: bool = omittable()
    reissue_if_unpaid: bool = omittable()
    schedule: RuleScheduleIn = omittable()
    channel: ChannelOrAny = omittable()
    template: Annotated[str, Text(2000)] = omittable()
    enabled: bool = omittable()


class InvoiceRuleOut(Schema):
    id: int
    name: str
    method: str
    account: str
    period_type: str
    period: str
    filters: dict[str, Any]
    pay_window: str
    repeatable: bool
    reissue_if_unpaid: bool
    schedule: RuleScheduleOut | None
    channel: str
    template: str
    enabled: bool


class RuleRunIn(Schema):
    dry_run: bool = False


class RuleRunSkippedOut(Schema):
    client_id: int
    reason: str


class RuleRunInvoiceOut(Schema):
    client_id: int
    account_id: int
    invoice_id: int | None = None


class RuleRunOut(Schema):
    dry_run: bool
    issued: int
    invoices: list[RuleRunInvoiceOut]
    skipped: list[RuleRunSkippedOut]


class DunningLevelIn(Schema):
    days_from_due: Annotated[int, Field(ge=-365, le=365, description="negative = before")]
    channel: ChannelOrAny = ""
    template: Annotated[str, Text(2000)] = ""


class DunningLevelOut(Schema):
    id: int
    days_from_due: int
    channel: str
    template: str
    is_active: bool


_EVERY_OUT = {"daily": "day", "weekly": "week", "monthly": "month"}


def _rule_out(rule: InvoiceRule) -> dict[str, Any]:
    found = rules.rule_schedule(rule)
    schedule = None
    if found is not None:
        schedule = {
            "every": _EVERY_OUT.get(found.frequency, found.frequency),
            "at": found.time_of_day.strftime("%H:%M"),
            "weekday": found.weekday,
            "day": found.day_of_month,
            "next_run_at": found.next_run_at,
        }
    return {
        **{name: getattr(rule, name) for name in rules.RULE_FIELDS},
        "id": rule.pk,
        "schedule": schedule,
    }


def _rule_fields(data: dict[str, Any]) -> tuple[dict[str, Any], rules.Schedule | None]:
    schedule = data.pop("schedule", None)
    if "filters" in data:
        data["filters"] = {k: v for k, v in (data["filters"] or {}).items() if v is not None}
    return data, (rules.Schedule(**schedule) if schedule else None)


@router.get(
    "/invoice-rules", response=list[InvoiceRuleOut], summary="List automatic invoicing rules"
)
@paginate(Pagination)
def rules_list(request: HttpRequest) -> Any:
    return [_rule_out(rule) for rule in selectors.rules_list()]


@router.post("/invoice-rules", response={201: InvoiceRuleOut}, summary="Create an invoicing rule")
def rule_create(request: HttpRequest, payload: InvoiceRuleIn) -> tuple[int, Any]:
    fields, schedule = _rule_fields(payload.model_dump())
    rule = rules.rule_save(
        organization=request_organization(request),
        actor=request_actor(request),
        schedule=schedule,
        **fields,
    )
    return 201, _rule_out(rule)


def _rule(rule_id: int) -> InvoiceRule:
    rule = InvoiceRule.objects.filter(pk=rule_id, deleted_at__isnull=True).first()
    if rule is None:
        raise NotFound(_("Unknown invoicing rule."))
    return rule


@router.patch(
    "/invoice-rules/{rule_id}", response=InvoiceRuleOut, summary="Change an invoicing rule"
)
def rule_patch(request: HttpRequest, rule_id: Id, payload: InvoiceRulePatch) -> Any:
    rule = _rule(rule_id)
    fields, schedule = _rule_fields(payload.model_dump(exclude_unset=True))
    rule = rules.rule_save(
        organization=request_organization(request),
        actor=request_actor(request),
        rule=rule,
        schedule=schedule,
        **fields,
    )
    return _rule_out(rule)


@router.post(
    "/invoice-rules/{rule_id}/run",
    response=RuleRunOut,
    summary="Run a rule now (dry run: who would get what, who is skipped and why)",
)
def rule_run(request: HttpRequest, rule_id: Id, payload: RuleRunIn) -> dict[str, Any]:
    report = rules.rule_run(
        rule=_rule(rule_id), actor=request_actor(request), dry_run=payload.dry_run
    )
    return {
        "dry_run": payload.dry_run,
        "issued": len(report.issued),
        "invoices": report.issued,
        "skipped": report.skipped,
    }


@router.get("/dunning-levels", response=list[DunningLevelOut], summary="List dunning levels")
@paginate(Pagination)
def dunning_levels(request: HttpRequest) -> Any:
    return DunningLevel.objects.order_by("days_from_due", "id")


@router.post("/dunning-levels", response={201: DunningLevelOut}, summary="Add a dunning level")
def dunning_level_create(request: HttpRequest, payload: DunningLevelIn) -> tuple[int, Any]:
    level = rules.dunning_level_create(
        organization=request_organization(request),
        actor=request_actor(request),
        days_from_due=payload.days_from_due,
        channel=payload.channel,
        template=payload.template,
    )
    return 201, level
