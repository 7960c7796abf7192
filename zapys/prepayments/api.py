"""Prepayment API (API.md "Payment accounts and prepayment"): settings, booking types,
bookings of visits."""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zapys.accounts.models import Branch
from zapys.catalog.models import Service
from zapys.clients.models import Tag
from zapys.core.api import Pagination, referenced_object
from zapys.core.exceptions import Conflict, NotFound
from zapys.core.http import request_actor, request_organization
from zapys.core.schema_types import Date, Id, Kopecks, Line, Text, omittable
from zapys.ledger.models import FinanceArticle
from zapys.payments.models import PaymentAccount
from zapys.prepayments import selectors, services
from zapys.prepayments.models import Booking, BookingType, CancellationPolicy, Fee
from zapys.schedule.models import Visit, VisitStatus
from zapys.schedule.services import visit_status_set
from zapys.schedule.services.statuses import status_first

router = Router(tags=["Prepayment"])


class BookingOut(Schema):
    id: int
    visit_id: int
    status: str
    paid_late: bool
    amount: int
    currency: str
    payment_url: str
    expires_at: datetime
    deadline_reason: Literal["lifetime", "before_start"]
    auto_cancel_at: datetime | None
    paid_at: datetime | None
    payment_id: int | None


class BookingCreateIn(Schema):
    booking_type_id: Id | None = None
    channel: Literal["sms", "email", "telegram", "viber", ""] | None = None
    pay_at_desk: bool = Field(
        False, description="too little time to pay online: take the payment at the desk"
    )


class PayAtDeskOut(Schema):
    visit_id: int
    pay_at_desk: bool


class BookingTypeIn(Schema):
    name: Annotated[str, Line(100, min_length=1)]
    rule: Literal["fixed", "percent", "hourly"]
    value: Kopecks = Field(
        description="fixed: kopecks; percent: 1–100 of the price; hourly: 0–100 of the rate"
    )
    is_default: bool = False


class BookingTypeOut(Schema):
    id: int
    name: str
    rule: str
    value: int
    is_default: bool
    is_active: bool


class PrepaymentSettingsOut(Schema):
    enabled: bool
    payment_account_id: int | None
    link_lifetime_hours: int
    auto_cancel: bool
    auto_cancel_after_minutes: int
    cancel_status_id: int | None
    reminder_enabled: bool
    reminder_hours_before: int
    require_for_online: bool
    default_channel: str
    income_article_id: int | None
    status_after_payment_id: int | None
    status_after_create_id: int | None
    topup_branch_id: int | None
    send_link: bool
    send_paid: bool
    send_expired: bool
    send_cancelled: bool
    send_reminder: bool
    page_language: str
    page_theme: str
    page_business_name: str
    page_subtitle: str
    page_subtitle_en: str
    page_call_to_action: str
    page_call_to_action_en: str
    page_show_prices: bool
    page_expired_message: str
    page_expired_message_en: str
    agreement_enabled: bool
    agreement_text: str
    agreement_text_en: str
    cancellation_policy_id: int | None
    release_before_start_minutes: int


class PrepaymentSettingsPatch(Schema):
    """Fields left out keep their value. Only the references (`*_id`) may be null (none);
    the numbers are bounded as in the settings page (`services.SETTINGS_BOUNDS`). Each
    `*_en` text is the English version of the one before it, shown when the client's page is
    in English; empty = the main text."""

    enabled: bool = omittable()
    payment_account_id: Id | None = None
    link_lifetime_hours: Annotated[
        int, Field(ge=1, le=services.MAX_LINK_HOURS, description="hours")
    ] = omittable()
    auto_cancel: bool = omittable()
    auto_cancel_after_minutes: Annotated[
        int, Field(ge=0, le=services.MAX_CANCEL_DELAY_MINUTES, description="minutes")
    ] = omittable()
    cancel_status_id: Id | None = None
    reminder_enabled: bool = omittable()
    reminder_hours_before: Annotated[
        int, Field(ge=1, le=services.MAX_LINK_HOURS, description="hours")
    ] = omittable()
    require_for_online: bool = omittable()
    default_channel: Literal["sms", "email", "telegram", "viber", ""] = omittable()
    income_article_id: Id | None = None
    status_after_payment_id: Id | None = None
    status_after_create_id: Id | None = None
    topup_branch_id: Id | None = None
    send_link: bool = omittable()
    send_paid: bool = omittable()
    send_expired: bool = omittable()
    send_cancelled: bool = omittable()
    send_reminder: bool = omittable()
    page_language: Literal["uk", "en"] = omittable()
    page_theme: Literal["light", "dark", "rose", "forest"] = omittable()
    page_business_name: Annotated[str, Line(100)] = omittable()
    page_subtitle: Annotated[str, Line(200)] = omittable()
    page_subtitle_en: Annotated[str, Line(200)] = omittable()
    page_call_to_action: Annotated[str, Line(200)] = omittable()
    page_call_to_action_en: Annotated[str, Line(200)] = omittable()
    page_show_prices: bool = omittable()
    page_expired_message: Annotated[str, Text()] = omittable()
    page_expired_message_en: Annotated[str, Text()] = omittable()
    agreement_enabled: bool = omittable()
    agreement_text: Annotated[str, Text(50_000)] = omittable()
    agreement_text_en: Annotated[str, Text(50_000)] = omittable()
    cancellation_policy_id: Id | None = None
    release_before_start_minutes: Annotated[
        int, Field(ge=0, le=services.MAX_RELEASE_MINUTES, description="minutes")
    ] = omittable()


FK_MODELS: dict[str, Any] = {
    "payment_account_id": PaymentAccount,
    "cancel_status_id": VisitStatus,
    "status_after_payment_id": VisitStatus,
    "status_after_create_id": VisitStatus,
    "income_article_id": FinanceArticle,
    "topup_branch_id": Branch,
    "cancellation_policy_id": CancellationPolicy,
}


def _settings_out(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in PrepaymentSettingsOut.model_fields}


@router.get("/prepayment/settings", response=PrepaymentSettingsOut, summary="Prepayment settings")
def settings_get(request: HttpRequest) -> dict[str, Any]:
    return _settings_out(services.prepayment_settings_get(request_organization(request)))


@router.patch(
    "/prepayment/settings", response=PrepaymentSettingsOut, summary="Change prepayment settings"
)
def settings_patch(request: HttpRequest, payload: PrepaymentSettingsPatch) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key in FK_MODELS:
            fields[key.removesuffix("_id")] = referenced_object(FK_MODELS[key], value, field=key)
        else:
            fields[key] = value
    obj = services.prepayment_settings_update(
        organization=request_organization(request), actor=request_actor(request), **fields
    )
    return _settings_out(obj)


@router.get("/booking-types", response=list[BookingTypeOut], summary="List booking types")
@paginate(Pagination)
def booking_types_list(request: HttpRequest) -> Any:
    return BookingType.objects.for_org(request_organization(request)).order_by(
        "-is_default", "name", "id"
    )


@router.post("/booking-types", response={201: BookingTypeOut}, summary="Create a booking type")
def booking_type_create(request: HttpRequest, payload: BookingTypeIn) -> tuple[int, Any]:
    obj = services.booking_type_create(
        organization=request_organization(request),
        name=payload.name,
        rule=payload.rule,
        value=payload.value,
        is_default=payload.is_default,
        actor=request_actor(request),
    )
    return 201, obj


@router.post(
    "/visits/{visit_id}/booking",
    response={201: BookingOut, 200: PayAtDeskOut},
    summary="Create a paid booking (prepayment) for a visit",
)
def booking_create(request: HttpRequest, visit_id: Id, payload: BookingCreateIn) -> tuple[int, Any]:

    visit = Visit.objects.for_org(request_organization(request)).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("Unknown visit."), field="visit_id")
    if payload.pay_at_desk:
        services.visit_pay_at_desk(visit=visit, actor=request_actor(request))
        return 200, {"visit_id": visit.pk, "pay_at_desk": True}
    booking_type = referenced_object(BookingType, payload.booking_type_id, field="booking_type_id")
    booking = services.booking_create(
        visit=visit,
        actor=request_actor(request),
        booking_type=booking_type,
        channel=payload.channel,
    )
    return 201, selectors.booking_json(booking)


@router.get("/bookings", response=list[BookingOut], summary="List bookings")
@paginate(Pagination)
def bookings_list(
    request: HttpRequest,
    status: Literal["", "pending", "paid", "expired", "cancelled", "refunded"] = "",
    date_from: Date | None = None,
    date_to: Date | None = None,
    branch_id: Id | None = None,
    staff_id: Id | None = None,
    booking_type_id: Id | None = None,
    paid_late: bool | None = None,
) -> Any:
    qs = selectors.bookings_list(
        selectors.ReportFilters(
            date_from=date_from,
            date_to=date_to,
            branch_id=branch_id,
            staff_id=staff_id,
            status=status,
            booking_type_id=booking_type_id,
            paid_late=paid_late,
        )
    ).select_related(None)
    return qs


@router.get("/bookings/{booking_id}", response=BookingOut, summary="Get a booking")
def booking_get(request: HttpRequest, booking_id: Id) -> Any:
    booking = Booking.objects.for_org(request_organization(request)).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("Unknown booking."))
    return selectors.booking_json(booking)


@router.post(
    "/bookings/{booking_id}/pay-from-balance",
    response=BookingOut,
    summary="Mark a booking paid from the client's balance (X5)",
)
def booking_pay_from_balance(request: HttpRequest, booking_id: Id) -> Any:
    booking = Booking.objects.for_org(request_organization(request)).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("Unknown booking."))
    return selectors.booking_json(
        services.booking_pay_from_balance(booking=booking, actor=request_actor(request))
    )


class BookingCancelIn(Schema):
    refund: bool = False


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, summary="Cancel a booking")
def booking_cancel(request: HttpRequest, booking_id: Id, payload: BookingCancelIn) -> Any:
    booking = Booking.objects.for_org(request_organization(request)).filter(pk=booking_id).first()
    if booking is None:
        raise NotFound(_("Unknown booking."))
    return selectors.booking_json(
        services.booking_cancel(
            booking=booking, actor=request_actor(request), refund=payload.refund
        )
    )


# --------------------------------------------------------------------------- policies (X3)


class PolicyIn(Schema):
    name: Annotated[str, Line(100, min_length=1)]
    free_cancel_hours: Annotated[int, Field(ge=0, le=24 * 30)] = 24
    late_cancel_fee_percent: Annotated[int, Field(ge=0, le=100)] = 0
    no_show_fee_percent: Annotated[int, Field(ge=0, le=100)] = 0
    fee_base: Literal["prepayment", "price"] = "prepayment"
    late_cancel_rest: Literal["balance", "refund", "staff"] = "balance"
    review_hours: Annotated[int, Field(ge=0, le=24 * 14)] = 24
    exempt_tags: Annotated[list[Annotated[str, Line(100, min_length=1)]], Field(max_length=50)] = []
    service_ids: Annotated[list[Id], Field(max_length=500)] = []


class PolicyPatch(Schema):
    name: Annotated[str, Line(100, min_length=1)] = omittable()
    free_cancel_hours: Annotated[int, Field(ge=0, le=24 * 30)] = omittable()
    late_cancel_fee_percent: Annotated[int, Field(ge=0, le=100)] = omittable()
    no_show_fee_percent: Annotated[int, Field(ge=0, le=100)] = omittable()
    fee_base: Literal["prepayment", "price"] = omittable()
    late_cancel_rest: Literal["balance", "refund", "staff"] = omittable()
    review_hours: Annotated[int, Field(ge=0, le=24 * 14)] = omittable()
    exempt_tags: Annotated[list[Annotated[str, Line(100, min_length=1)]], Field(max_length=50)] = (
        omittable()
    )
    service_ids: Annotated[list[Id], Field(max_length=500)] = omittable()
    is_active: bool = omittable()


class PolicyOut(Schema):
    id: int
    name: str
    preset: str
    free_cancel_hours: int
    late_cancel_fee_percent: int
    no_show_fee_percent: int
    fee_base: str
    late_cancel_rest: str
    review_hours: int
    exempt_tags: list[str]
    service_ids: list[int]
    is_active: bool
    text: dict[str, str]


def _policy_out(policy: CancellationPolicy) -> dict[str, Any]:
    return {
        **selectors.policy_json(policy),
        "text": {lang: selectors.policy_text(policy, lang) for lang in ("uk", "en")},
    }


def _policy_fields(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    organization = request_organization(request)
    if "exempt_tags" in data:
        names = data.pop("exempt_tags")
        tags = list(Tag.objects.for_org(organization).filter(name__in=names))
        missing = set(names) - {t.name for t in tags}
        if missing:
            raise NotFound(
                _("Unknown tag: %(name)s") % {"name": sorted(missing)[0]}, field="exempt_tags"
            )
        data["exempt_tags"] = tags
    if "service_ids" in data:
        ids = data.pop("service_ids")
        found = list(Service.objects.for_org(organization).filter(pk__in=ids))
        if len(found) != len(set(ids)):
            raise NotFound(_("Unknown service."), field="service_ids")
        data["services"] = found
    return data


@router.get(
    "/cancellation-policies", response=list[PolicyOut], summary="List cancellation policies"
)
@paginate(Pagination)
def policies_list(request: HttpRequest) -> Any:
    """The organization's policies, the presets created on first use."""
    policies = services.policy_presets_ensure(request_organization(request))
    return [_policy_out(p) for p in policies]


@router.post(
    "/cancellation-policies", response={201: PolicyOut}, summary="Create a cancellation policy"
)
def policy_create(request: HttpRequest, payload: PolicyIn) -> tuple[int, Any]:
    policy = services.cancellation_policy_create(
        organization=request_organization(request),
        actor=request_actor(request),
        **_policy_fields(request, payload.model_dump()),
    )
    return 201, _policy_out(policy)


@router.patch(
    "/cancellation-policies/{policy_id}",
    response=PolicyOut,
    summary="Change a cancellation policy",
)
def policy_update(request: HttpRequest, policy_id: Id, payload: PolicyPatch) -> Any:
    policy = (
        CancellationPolicy.objects.for_org(request_organization(request))
        .filter(pk=policy_id)
        .first()
    )
    if policy is None:
        raise NotFound(_("Unknown cancellation policy."))
    policy = services.cancellation_policy_update(
        policy=policy,
        actor=request_actor(request),
        **_policy_fields(request, payload.model_dump(exclude_unset=True)),
    )
    return _policy_out(policy)


class FeeOut(Schema):
    id: int
    visit_id: int
    client_id: int
    kind: Literal["late_cancel", "no_show"]
    state: Literal["pending", "charged", "waived"]
    amount: int
    currency: str
    charge_at: datetime | None
    charged_at: datetime | None
    waived_at: datetime | None
    waive_reason: str


class NoShowOut(Schema):
    visit_id: int
    status: str
    fee: FeeOut | None


class FeeWaiveIn(Schema):
    reason: Annotated[str, Line(300, min_length=1)]


@router.post(
    "/visits/{visit_id}/no-show",
    response=NoShowOut,
    summary="Mark a no-show (the policy's fee is charged after the review window)",
)
def visit_no_show(request: HttpRequest, visit_id: Id) -> Any:
    organization = request_organization(request)
    visit = Visit.objects.for_org(organization).filter(pk=visit_id).first()
    if visit is None:
        raise NotFound(_("Unknown visit."), field="visit_id")
    if visit.kind != Visit.Kind.INDIVIDUAL or not visit.blocks_time:
        raise Conflict(_("Only a booked appointment can be marked a no-show."), field="visit_id")
    status = status_first(organization, is_no_show=True)
    if visit.status_id == status.pk:
        raise Conflict(_("The visit is already marked a no-show."), field="visit_id")
    done = visit_status_set(visit=visit, status=status, actor=request_actor(request))
    fee = getattr(done, "status_effects", {}).get("fee")
    return {
        "visit_id": visit.pk,
        "status": status.code,
        "fee": selectors.fee_json(fee) if fee is not None else None,
    }


@router.get("/fees", response=list[FeeOut], summary="List cancellation and no-show fees")
@paginate(Pagination)
def fees_list(
    request: HttpRequest,
    state: Literal["", "pending", "charged", "waived"] = "",
    client_id: Id | None = None,
) -> Any:
    qs = Fee.objects.for_org(request_organization(request)).order_by("-created_at", "-id")
    if state:
        qs = qs.filter(state=state)
    if client_id:
        qs = qs.filter(client_id=client_id)
    return qs


@router.post("/fees/{fee_id}/waive", response=FeeOut, summary="Waive a fee (reason required)")
def fee_waive(request: HttpRequest, fee_id: Id, payload: FeeWaiveIn) -> Any:
    fee = Fee.objects.for_org(request_organization(request)).filter(pk=fee_id).first()
    if fee is None:
        raise NotFound(_("Unknown fee."))
    return selectors.fee_json(
        services.fee_waive(fee=fee, actor=request_actor(request), reason=payload.reason)
    )
