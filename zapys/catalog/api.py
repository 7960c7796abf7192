"""Catalogue API (API.md "Organization data"): services, subjects, lesson types, rooms, groups."""

from typing import Annotated

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from zapys.accounts.models import Branch, User
from zapys.catalog import selectors, services
from zapys.catalog.models import Group, LessonType, Room, Service, Subject
from zapys.core.api import Pagination, request_actor
from zapys.core.exceptions import DomainError
from zapys.core.schema_types import (
    DurationMinutes,
    Id,
    IdList,
    Kopecks,
    Line,
    Name,
    Note,
    PositiveCount,
    Search,
    omittable,
)

router = Router(tags=["Catalogue"])


class ServiceOut(Schema):
    id: int
    name: str
    category: str
    duration_minutes: int
    price: int
    currency: str
    description: str
    online_booking: bool
    is_active: bool
    branch_ids: list[int]
    # who performs it; empty: anyone working in its branches (online booking offers these)
    specialist_ids: list[int]

    @staticmethod
    def resolve_branch_ids(obj: Service) -> list[int]:
        return sorted(b.pk for b in obj.branches.all())

    @staticmethod
    def resolve_specialist_ids(obj: Service) -> list[int]:
        return sorted(u.pk for u in obj.specialists.all())

    @staticmethod
    def resolve_currency(obj: Service) -> str:
        return obj.organization.currency if obj.organization_id else "UAH"


class ServiceIn(Schema):
    name: Name
    duration_minutes: DurationMinutes
    price: Kopecks
    category: Annotated[str, Line(100)] = ""
    description: Note = ""
    online_booking: bool = True
    branch_ids: IdList | None = None
    specialist_ids: IdList = []


class ServicePatch(Schema):
    """Fields left out keep their value; none of them may be null."""

    name: Name = omittable()
    duration_minutes: DurationMinutes = omittable()
    price: Kopecks = omittable()
    category: Annotated[str, Line(100)] = omittable()
    description: Note = omittable()
    online_booking: bool = omittable()
    is_active: bool = omittable()
    branch_ids: IdList = omittable()
    specialist_ids: IdList = omittable()


def _services(request: HttpRequest):
    return (
        Service.objects.for_org(request.organization)  # type: ignore[attr-defined]
        .select_related("organization")
        .prefetch_related("branches", "specialists")
    )


@router.get("/services", response=list[ServiceOut], summary="List services")
@paginate(Pagination)
def services_list(
    request: HttpRequest,
    branch_id: Id | None = None,
    active: bool | None = None,
    search: Search = "",
):
    return selectors.service_list(
        organization=request.organization,  # type: ignore[attr-defined]
        branch_id=branch_id,
        active=active,
        search=search,
    ).select_related("organization")


@router.get("/services/{service_id}", response=ServiceOut, summary="Get a service")
def services_get(request: HttpRequest, service_id: Id):
    return get_object_or_404(_services(request), pk=service_id)


@router.post("/services", response={201: ServiceOut}, summary="Create a service")
def services_create(request: HttpRequest, payload: ServiceIn):
    service = services.service_create(
        organization=request.organization,  # type: ignore[attr-defined]
        actor=request_actor(request),
        **payload.dict(),
    )
    return 201, get_object_or_404(_services(request), pk=service.pk)


@router.patch("/services/{service_id}", response=ServiceOut, summary="Update a service")
def services_update(request: HttpRequest, service_id: Id, payload: ServicePatch):
    service = get_object_or_404(_services(request), pk=service_id)
    data = payload.dict(exclude_unset=True)
    services.service_update(service=service, actor=request_actor(request), **data)
    return get_object_or_404(_services(request), pk=service.pk)


class NamedOut(Schema):
    id: int
    name: str
    is_active: bool


@router.get("/subjects", response=list[NamedOut], summary="List subjects")
@paginate(Pagination)
def subjects_list(request: HttpRequest):
    return Subject.objects.for_org(request.organization)  # type: ignore[attr-defined]


@router.get("/lesson-types", response=list[NamedOut], summary="List lesson types")
@paginate(Pagination)
def lesson_types_list(request: HttpRequest):
    return LessonType.objects.for_org(request.organization)  # type: ignore[attr-defined]


class RoomOut(Schema):
    id: int
    name: str
    branch_id: int
    capacity: int
    is_active: bool


class RoomIn(Schema):
    name: Name
    branch_id: Id
    capacity: PositiveCount = 1


@router.get("/rooms", response=list[RoomOut], summary="List rooms")
@paginate(Pagination)
def rooms_list(request: HttpRequest, branch_id: Id | None = None):
    qs = Room.objects.for_org(request.organization)  # type: ignore[attr-defined]
    return qs.filter(branch_id=branch_id) if branch_id else qs


@router.post("/rooms", response={201: RoomOut}, summary="Create a room")
def rooms_create(request: HttpRequest, payload: RoomIn):
    org = request.organization  # type: ignore[attr-defined]
    branch = Branch.objects.for_org(org).filter(pk=payload.branch_id).first()
    if branch is None:
        raise DomainError(_("Unknown branch."), field="branch_id")
    return 201, services.room_create(
        organization=org,
        branch=branch,
        name=payload.name,
        capacity=payload.capacity,
        actor=request_actor(request),
    )


class GroupOut(Schema):
    id: int
    name: str
    branch_id: int | None
    subject_id: int | None
    lesson_type_id: int | None
    teacher_id: int | None
    capacity: int
    member_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_member_ids(obj: Group) -> list[int]:
        return sorted(m.pk for m in obj.members.all())


class GroupIn(Schema):
    name: Name
    branch_id: Id | None = None
    subject_id: Id | None = None
    lesson_type_id: Id | None = None
    teacher_id: Id | None = None
    capacity: PositiveCount = 10
    member_ids: IdList = []


class GroupMembersIn(Schema):
    member_ids: IdList


def _ref(model, org, pk: int | None, field: str):  # type: ignore[no-untyped-def]
    if pk is None:
        return None
    obj = model.objects.for_org(org).filter(pk=pk).first()
    if obj is None:
        raise DomainError(_("Unknown object."), field=field)
    return obj


@router.get("/groups", response=list[GroupOut], summary="List groups")
@paginate(Pagination)
def groups_list(request: HttpRequest):
    return selectors.group_list(organization=request.organization)  # type: ignore[attr-defined]


@router.get("/groups/{group_id}", response=GroupOut, summary="Get a group")
def groups_get(request: HttpRequest, group_id: Id):
    return get_object_or_404(
        selectors.group_list(organization=request.organization),  # type: ignore[attr-defined]
        pk=group_id,
    )


@router.post("/groups", response={201: GroupOut}, summary="Create a group")
def groups_create(request: HttpRequest, payload: GroupIn):
    org = request.organization  # type: ignore[attr-defined]
    group = services.group_create(
        organization=org,
        name=payload.name,
        branch=_ref(Branch, org, payload.branch_id, "branch_id"),
        subject=_ref(Subject, org, payload.subject_id, "subject_id"),
        lesson_type=_ref(LessonType, org, payload.lesson_type_id, "lesson_type_id"),
        teacher=_ref(User, org, payload.teacher_id, "teacher_id"),
        capacity=payload.capacity,
        member_ids=payload.member_ids,
        actor=request_actor(request),
    )
    return 201, get_object_or_404(selectors.group_list(organization=org), pk=group.pk)


@router.put("/groups/{group_id}/members", response=GroupOut, summary="Replace group members")
def groups_members_set(request: HttpRequest, group_id: Id, payload: GroupMembersIn):
    org = request.organization  # type: ignore[attr-defined]
    group = get_object_or_404(selectors.group_list(organization=org), pk=group_id)
    services.group_members_set(
        group=group, member_ids=payload.member_ids, actor=request_actor(request)
    )
    return get_object_or_404(selectors.group_list(organization=org), pk=group.pk)
