"""Membership plans and client memberships API (C6, C7)."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from zapys.accounts.models import Branch
from zapys.catalog.models import Group, Service, Subject
from zapys.clients.selectors import client_get
from zapys.core.api import Pagination, referenced_object, request_actor
from zapys.core.exceptions import DomainError
from zapys.core.schema_types import (
    INT32_MAX,
    Date,
    Id,
    IdList,
    Kopecks,
    Line,
    Name,
    Note,
    omittable,
)
from zapys.ledger.models import PaymentType
from zapys.memberships import hooks, selectors, services
from zapys.memberships.models import ClientMembership, MembershipPlan

router = Router(tags=["Memberships"])


class PlanOut(Schema):
    id: int
    name: str
    description: str
    price: int
    currency: str
    validity_value: int
    validity_unit: str
    visits: int | None
    unlimited: bool
    covers_everything: bool
    service_ids: list[int]
    group_ids: list[int]
    subject_ids: list[int]
    kind: str
    separate_account: bool
    is_archived: bool

    @staticmethod
    def resolve_currency(obj: MembershipPlan) -> str:
        return obj.organization.currency

    @staticmethod
    def resolve_unlimited(obj: MembershipPlan) -> bool:
        return obj.visits is None

    @staticmethod
    def resolve_service_ids(obj: MembershipPlan) -> list[int]:
        return sorted(s.pk for s in obj.services.all())

    @staticmethod
    def resolve_group_ids(obj: MembershipPlan) -> list[int]:
        return sorted(g.pk for g in obj.groups.all())

    @staticmethod
    def resolve_subject_ids(obj: MembershipPlan) -> list[int]:
        return sorted(s.pk for s in obj.subjects.all())


ValidityValue = Annotated[int, Field(gt=0, le=3660, strict=True)]
#: Visits in a plan: null is unlimited.
Visits = Annotated[int, Field(gt=0, le=INT32_MAX, strict=True)]


class PlanIn(Schema):
    name: Name
    price: Kopecks
    validity_value: ValidityValue = 1
    validity_unit: Literal["days", "months"] = "months"
    visits: Visits | None = Field(None, description="null: unlimited")
    covers_everything: bool = True
    service_ids: IdList = []
    group_ids: IdList = []
    subject_ids: IdList = []
    kind: Literal["permanent", "one_off"] = "permanent"
    separate_account: bool = False
    description: Note = ""


class PlanPatch(Schema):
    """Fields left out keep their value; only `visits` may be null (unlimited)."""

    name: Name = omittable()
    price: Kopecks = omittable()
    validity_value: ValidityValue = omittable()
    validity_unit: Literal["days", "months"] = omittable()
    visits: Visits | None = Field(None, description="null: unlimited")
    covers_everything: bool = omittable()
    service_ids: IdList = omittable()
    group_ids: IdList = omittable()
    subject_ids: IdList = omittable()
    kind: Literal["permanent", "one_off"] = omittable()
    separate_account: bool = omittable()
    description: Note = omittable()
    # Online sale (API.md "Online membership sales"): permanent plans only, else 422.
    sell_online: bool = omittable()
    button_text: Annotated[str, Line(80)] = omittable()


class ArchiveIn(Schema):
    archived: bool = True


def _plans() -> Any:
    return MembershipPlan.objects.select_related("organization").prefetch_related(
        "services", "groups", "subjects"
    )


def _many(model: Any, ids: list[int] | None, field: str) -> list[Any] | None:
    if ids is None:
        return None
    objs = list(model.objects.filter(pk__in=ids))
    if len(objs) != len(set(ids)):
        raise DomainError(_("Some of these were not found in this organization."), field=field)
    return objs


@router.get("/membership-plans", response=list[PlanOut], summary="List membership plans")
@paginate(Pagination)
def plans_list(
    request: HttpRequest,
    include_archived: bool = False,
    kind: Literal["permanent", "one_off", ""] | None = None,
):
    return selectors.plans_list(include_archived=include_archived, kind=kind).select_related(
        "organization"
    )


@router.post("/membership-plans", response={201: PlanOut}, summary="Create a membership plan")
def plans_create(request: HttpRequest, payload: PlanIn):
    data = payload.dict()
    plan = services.membership_plan_create(
        organization=request.organization,  # type: ignore[attr-defined]
        actor=request_actor(request),
        services=_many(Service, data.pop("service_ids"), "service_ids"),
        groups=_many(Group, data.pop("group_ids"), "group_ids"),
        subjects=_many(Subject, data.pop("subject_ids"), "subject_ids"),
        **data,
    )
    return 201, _plans().get(pk=plan.pk)


@router.get("/membership-plans/{plan_id}", response=PlanOut, summary="Get a membership plan")
def plans_get(request: HttpRequest, plan_id: Id):
    return get_object_or_404(_plans(), pk=plan_id)


@router.patch("/membership-plans/{plan_id}", response=PlanOut, summary="Update a membership plan")
def plans_update(request: HttpRequest, plan_id: Id, payload: PlanPatch):
    plan = get_object_or_404(_plans(), pk=plan_id)
    data = payload.dict(exclude_unset=True)
    online: dict[str, Any] = {
        key: data.pop(key) for key in ("sell_online", "button_text") if key in data
    }
    with transaction.atomic():  # the plan and its online sale change together or not at all
        services.membership_plan_update(
            plan=plan,
            actor=request_actor(request),
            services=_many(Service, data.pop("service_ids", None), "service_ids"),
            groups=_many(Group, data.pop("group_ids", None), "group_ids"),
            subjects=_many(Subject, data.pop("subject_ids", None), "subject_ids"),
            **data,
        )
        plan.refresh_from_db()
        hooks.plan_online_update(plan=plan, fields=online, actor=request_actor(request))
    return _plans().get(pk=plan.pk)


@router.post(
    "/membership-plans/{plan_id}/archive", response=PlanOut, summary="Archive or restore a plan"
)
def plans_archive(request: HttpRequest, plan_id: Id, payload: ArchiveIn | None = None):
    plan = get_object_or_404(_plans(), pk=plan_id)
    services.membership_plan_archive(
        plan=plan, actor=request_actor(request), archived=payload.archived if payload else True
    )
    return _plans().get(pk=plan.pk)


# --- Client memberships -----------------------------------------------------------------


class MembershipOut(Schema):
    id: int
    client_id: int
    plan_id: int
    account_id: int
    name: str
    price: int
    currency: str
    sale_mode: str
    payment_cancelled: bool = Field(
        description="sold as paid, but that payment was cancelled in the ledger since"
    )
    status: str
    starts_on: date
    ends_on: date
    visits_total: int | None
    visits_used: int
    virtual_visits: int
    visits_left: int | None
    unlimited: bool
    current: bool
    renewed_from_id: int | None
    branch_id: int | None
    created_at: datetime

    @staticmethod
    def resolve_currency(obj: ClientMembership) -> str:
        return obj.organization.currency

    @staticmethod
    def resolve_payment_cancelled(obj: ClientMembership) -> bool:
        return selectors.membership_payment_cancelled(obj)

    @staticmethod
    def resolve_unlimited(obj: ClientMembership) -> bool:
        return obj.visits_total is None

    @staticmethod
    def resolve_current(obj: ClientMembership) -> bool:
        return obj.is_valid_on(timezone.localdate())


Reason = Annotated[str, Line(300)]


class SellIn(Schema):
    plan_id: Id
    mode: Literal["paid", "credit", "free"] = "paid"
    starts_on: Date | None = None
    branch_id: Id | None = None
    payment_type_id: Id | None = None


class RenewIn(Schema):
    mode: Literal["paid", "credit", "free"] = "paid"
    start: Literal["end", "today"] = "end"
    branch_id: Id | None = None
    payment_type_id: Id | None = None


class ValidityIn(Schema):
    starts_on: Date | None = None
    ends_on: Date | None = None
    reason: Reason = ""


class VisitsIn(Schema):
    count: Annotated[int, Field(ge=-1000, le=1000, strict=True)]
    reason: Reason = ""


class ReasonIn(Schema):
    reason: Reason = ""


def _memberships() -> Any:
    return ClientMembership.objects.select_related("organization", "client")


def _membership(membership_id: Id) -> ClientMembership:
    qs = _memberships()
    return get_object_or_404(qs, pk=membership_id)


@router.get(
    "/clients/{client_id}/memberships",
    response=list[MembershipOut],
    summary="Client's memberships (history)",
)
@paginate(Pagination)
def client_memberships(request: HttpRequest, client_id: Id, active: bool = False):
    client = client_get(client_id=client_id)
    qs = selectors.client_memberships(client=client).select_related("organization")
    if active:
        qs = qs.filter(status="active", ends_on__gte=timezone.localdate())
    return qs


@router.post(
    "/clients/{client_id}/memberships", response={201: MembershipOut}, summary="Sell a membership"
)
def client_membership_sell(request: HttpRequest, client_id: Id, payload: SellIn):
    client = client_get(client_id=client_id)
    plan = referenced_object(MembershipPlan, payload.plan_id, field="plan_id", status=400)
    membership = services.membership_sell(
        client=client,
        plan=plan,
        mode=payload.mode,
        starts_on=payload.starts_on or timezone.localdate(),
        branch=referenced_object(Branch, payload.branch_id, field="branch_id", status=400),
        payment_type=referenced_object(
            PaymentType, payload.payment_type_id, field="payment_type_id", status=400
        ),
        actor=request_actor(request),
    )
    return 201, _memberships().get(pk=membership.pk)


@router.get("/memberships/{membership_id}", response=MembershipOut, summary="Get a membership")
def membership_get(request: HttpRequest, membership_id: Id):
    return _membership(membership_id)


@router.post("/memberships/{membership_id}/renew", response={201: MembershipOut}, summary="Renew")
def membership_renew(request: HttpRequest, membership_id: Id, payload: RenewIn):
    membership = _membership(membership_id)
    renewed = services.membership_renew(
        membership=membership,
        mode=payload.mode,
        from_end=payload.start == "end",
        branch=referenced_object(Branch, payload.branch_id, field="branch_id", status=400),
        payment_type=referenced_object(
            PaymentType, payload.payment_type_id, field="payment_type_id", status=400
        ),
        actor=request_actor(request),
    )
    return 201, _memberships().get(pk=renewed.pk)


@router.post(
    "/memberships/{membership_id}/validity",
    response=MembershipOut,
    summary="Correct the validity dates",
)
def membership_validity(request: HttpRequest, membership_id: Id, payload: ValidityIn):
    membership = _membership(membership_id)
    services.membership_correct_validity(
        membership=membership,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        reason=payload.reason,
        actor=request_actor(request),
    )
    return _membership(membership_id)


@router.post(
    "/memberships/{membership_id}/visits", response=MembershipOut, summary="Add virtual visits"
)
def membership_visits(request: HttpRequest, membership_id: Id, payload: VisitsIn):
    membership = _membership(membership_id)
    services.membership_add_virtual_visits(
        membership=membership,
        count=payload.count,
        reason=payload.reason,
        actor=request_actor(request),
    )
    return _membership(membership_id)


@router.post(
    "/memberships/{membership_id}/cancel", response=MembershipOut, summary="Cancel a membership"
)
def membership_cancel(request: HttpRequest, membership_id: Id, payload: ReasonIn | None = None):
    membership = _membership(membership_id)
    services.membership_cancel(
        membership=membership,
        reason=payload.reason if payload else "",
        actor=request_actor(request),
    )
    return _membership(membership_id)
