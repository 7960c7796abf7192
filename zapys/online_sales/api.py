"""Online membership sales API (API.md "Online membership sales"): the module's settings,
plans on sale and their buttons, sales, activation by code and refunds."""

from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zapys.accounts.models import Branch
from zapys.catalog.models import Group
from zapys.clients.models import Client
from zapys.core.api import Pagination, referenced_object, request_actor
from zapys.core.exceptions import NotFound
from zapys.core.http import request_organization
from zapys.core.schema_types import Color, Date, Id, IdList, Line, Search, omittable
from zapys.memberships.models import MembershipPlan
from zapys.online_sales import selectors, services
from zapys.online_sales.models import OnlineSale, PlanOnline
from zapys.payments.models import PaymentAccount
from zapys.schedule.models import Visit

router = Router(tags=["Online membership sales"])

B = services.STYLE_BOUNDS


class ButtonStyleOut(Schema):
    text_color: str
    text_size: int
    bold: bool
    background: str
    border_color: str
    border_width: int
    radius: int
    width: int
    height: int


def _px(name: str) -> Any:
    low, high = B[name]
    return Annotated[int, Field(ge=low, le=high, description="px")]


class ButtonStyleIn(Schema):
    """Fields left out keep their value."""

    text_color: Color = omittable()
    text_size: _px("text_size") = omittable()  # type: ignore[valid-type]
    bold: bool = omittable()
    background: Color = omittable()
    border_color: Color = omittable()
    border_width: _px("border_width") = omittable()  # type: ignore[valid-type]
    radius: _px("radius") = omittable()  # type: ignore[valid-type]
    width: _px("width") = omittable()  # type: ignore[valid-type]
    height: _px("height") = omittable()  # type: ignore[valid-type]


class StorefrontSettingsOut(Schema):
    enabled: bool
    payment_account_id: int | None
    commission_percent: float = Field(description="percent, added to the buyer's price")
    auto_attach: bool
    branch_id: int | None
    storefront_url: str
    button_style: ButtonStyleOut


class StorefrontSettingsPatch(Schema):
    enabled: bool = omittable()
    payment_account_id: Id | None = None
    commission_percent: Annotated[
        Decimal, Field(ge=0, le=50, max_digits=5, decimal_places=2, description="percent")
    ] = omittable()
    auto_attach: bool = omittable()
    branch_id: Id | None = None
    button_style: ButtonStyleIn = omittable()


def _style(obj: Any) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in services.STYLE_FIELDS}


def _settings_out(request: HttpRequest, obj: Any) -> dict[str, Any]:
    return {
        "enabled": obj.enabled,
        "payment_account_id": obj.payment_account_id,
        "commission_percent": float(obj.commission_percent),
        "auto_attach": obj.auto_attach,
        "branch_id": obj.branch_id,
        "storefront_url": selectors.storefront_url(request_organization(request)),
        "button_style": _style(obj),
    }


@router.get("/storefront/settings", response=StorefrontSettingsOut, summary="Online sales settings")
def storefront_settings_get(request: HttpRequest) -> dict[str, Any]:
    return _settings_out(request, services.online_settings_get(request_organization(request)))


@router.patch(
    "/storefront/settings", response=StorefrontSettingsOut, summary="Change online sales settings"
)
def storefront_settings_patch(
    request: HttpRequest, payload: StorefrontSettingsPatch
) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    fields: dict[str, Any] = dict(data.pop("button_style", None) or {})
    if "payment_account_id" in data:
        fields["payment_account"] = referenced_object(
            PaymentAccount, data.pop("payment_account_id"), field="payment_account_id"
        )
    if "branch_id" in data:
        fields["branch"] = referenced_object(Branch, data.pop("branch_id"), field="branch_id")
    fields.update(data)
    obj = services.online_settings_update(
        organization=request_organization(request), actor=request_actor(request), **fields
    )
    return _settings_out(request, obj)


class PlanOnlineOut(Schema):
    plan_id: int
    name: str
    kind: str
    price: int
    currency: str
    sell_online: bool
    sellable: bool
    reason: str = Field(description="why the plan cannot be sold online; empty when it can")
    button_text: str
    button_style: ButtonStyleOut | None
    url: str


class PlanOnlinePatch(Schema):
    sell_online: bool = omittable()
    button_text: Annotated[str, Line(80)] = omittable()
    button_style: ButtonStyleIn = omittable()


def _plan_out(request: HttpRequest, plan: MembershipPlan, row: PlanOnline | None) -> dict:
    org = request_organization(request)
    return {
        "plan_id": plan.pk,
        "name": plan.name,
        "kind": plan.kind,
        "price": plan.price,
        "currency": org.currency,
        "sell_online": bool(row and row.sell_online),
        "sellable": not services.plan_sellable_reason(plan),
        "reason": services.plan_sellable_reason(plan),
        "button_text": row.button_text if row else "",
        "button_style": _style(row) if row else None,
        "url": selectors.plan_url(org, plan.pk),
    }


@router.get(
    "/storefront/plans", response=list[PlanOnlineOut], summary="Plans and their online sale"
)
def storefront_plans(request: HttpRequest, sell_online: bool | None = None) -> list[dict]:
    """Every living plan; `sell_online=true` only those on sale, `false` the others."""
    rows = selectors.plans_with_online(request_organization(request))
    if sell_online is not None:
        rows = [(p, r) for p, r in rows if bool(r and r.sell_online) == sell_online]
    return [_plan_out(request, p, r) for p, r in rows]


@router.patch(
    "/storefront/plans/{plan_id}",
    response=PlanOnlineOut,
    summary="Allow or stop a plan's online sale, set its button (permanent plans only)",
)
def storefront_plan_patch(request: HttpRequest, plan_id: Id, payload: PlanOnlinePatch) -> dict:
    plan = MembershipPlan.objects.for_org(request_organization(request)).filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("Unknown plan."))
    data = payload.model_dump(exclude_unset=True)
    style = data.pop("button_style", None) or {}
    row = services.plan_online_update(plan=plan, actor=request_actor(request), **data, **style)
    return _plan_out(request, plan, row)


class ButtonOut(Schema):
    plan_id: int
    button_text: str
    url: str
    embed_html: str


@router.get("/storefront/buttons", response=list[ButtonOut], summary="Buttons of the plans on sale")
@paginate(Pagination)
def storefront_buttons(request: HttpRequest) -> list[dict]:
    org = request_organization(request)
    out = []
    for row in selectors.plans_on_sale(org):
        url = selectors.plan_url(org, row.plan_id)
        out.append(
            {
                "plan_id": row.plan_id,
                "button_text": row.button_text,
                "url": url,
                # the text `button_text` names: the organization's own language's
                "embed_html": selectors.embed_html(row, url, org.language),
            }
        )
    return out


class SaleOut(Schema):
    id: int
    plan_id: int
    plan_name: str
    email: str
    phone: str
    price: int
    amount: int
    commission: int
    currency: str
    status: str
    activation_code: str
    client_id: int | None
    membership_id: int | None
    payment_id: int | None
    auto_attached: bool
    group_ids: list[int]
    created_at: Any
    paid_at: Any
    attached_at: Any
    refunded_at: Any

    @staticmethod
    def resolve_group_ids(obj: OnlineSale) -> list[int]:
        return [g.pk for g in obj.groups.all()]


@router.get("/online-sales", response=list[SaleOut], summary="List online sales")
@paginate(Pagination)
def online_sales_list(
    request: HttpRequest,
    status: Literal["", "pending", "paid", "attached", "refunded"] = "",
    search: Search = "",
    plan_id: Id | None = None,
    date_from: Date | None = None,
    date_to: Date | None = None,
) -> Any:
    filters = selectors.SaleFilters(
        status=status, search=search, plan_id=plan_id, date_from=date_from, date_to=date_to
    )
    # The API lists every sale (the staff page hides the ones still awaiting payment).
    return selectors.sales_list(filters, include_pending=True).prefetch_related("groups")


# Before the `{sale_id}` routes: the path converter is a string, so "activate" would match them.
class ActivateIn(Schema):
    code: Annotated[str, Line(40, min_length=1)]
    client_id: Id
    valid_from: Date | None = None
    group_ids: IdList | None = None
    #: Lessons of the chosen groups to book the client into; any that cannot be booked
    #: refuses the whole attach (422, an error per lesson).
    lesson_ids: IdList | None = None


@router.post(
    "/online-sales/activate",
    response=SaleOut,
    summary="Attach a purchase to a client by its activation code",
)
def online_sale_activate(request: HttpRequest, payload: ActivateIn) -> OnlineSale:
    org = request_organization(request)
    sale = services.sale_by_code(org, payload.code)
    client = referenced_object(Client, payload.client_id, field="client_id")
    groups = []
    for group_id in payload.group_ids or []:
        groups.append(referenced_object(Group, group_id, field="group_ids"))
    lessons = [
        referenced_object(Visit, lesson_id, field="lesson_ids")
        for lesson_id in payload.lesson_ids or []
    ]
    return services.online_sale_attach(
        sale=sale,
        client=client,
        actor=request_actor(request),
        starts_on=payload.valid_from,
        groups=groups,
        lessons=lessons,
    )


def _sale(sale_id: int) -> OnlineSale:
    sale = OnlineSale.objects.select_related("plan", "payment").filter(pk=sale_id).first()
    if sale is None:
        raise NotFound(_("Unknown online sale."))
    return sale


@router.get("/online-sales/{sale_id}", response=SaleOut, summary="Get an online sale")
def online_sale_get(request: HttpRequest, sale_id: Id) -> OnlineSale:
    return _sale(sale_id)


@router.post(
    "/online-sales/{sale_id}/refund",
    response=SaleOut,
    summary="Refund a purchase to the buyer's card; an attached membership is cancelled",
)
def online_sale_refund(request: HttpRequest, sale_id: Id) -> OnlineSale:
    sale = _sale(sale_id)
    return services.online_sale_refund(sale=sale, actor=request_actor(request))
