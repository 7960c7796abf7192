"""Organization data: branches and staff (API.md "Organization data")."""

from typing import Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from zapys.accounts import selectors
from zapys.accounts.models import Branch, User
from zapys.core.api import Pagination
from zapys.core.schema_types import Id

router = Router(tags=["Organization"])

RoleFilter = Literal["owner", "administrator", "specialist", ""]
assert set(RoleFilter.__args__) - {""} == set(User.Role.values)  # type: ignore[attr-defined]


class BranchOut(Schema):
    id: int
    name: str
    address: str
    phone: str
    is_active: bool


class StaffOut(Schema):
    id: int
    name: str
    login: str
    role: str
    branch_ids: list[int]
    hourly_rate: int
    phone: str
    position: str
    is_active: bool

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)

    @staticmethod
    def resolve_login(obj: User) -> str:
        return obj.username

    @staticmethod
    def resolve_branch_ids(obj: User) -> list[int]:
        return [b.pk for b in obj.branches.all()]


class OrganizationOut(Schema):
    id: int
    name: str
    slug: str
    currency: str
    time_zone: str
    language: str


@router.get("/organization", response=OrganizationOut, summary="The API key's organization")
def organization_get(request: HttpRequest):
    return request.organization  # type: ignore[attr-defined]


@router.get("/branches", response=list[BranchOut], summary="List branches")
@paginate(Pagination)
def branches_list(request: HttpRequest):
    return Branch.objects.all()


@router.get("/branches/{branch_id}", response=BranchOut, summary="Get a branch")
def branches_get(request: HttpRequest, branch_id: Id):
    return get_object_or_404(Branch.objects.all(), pk=branch_id)


@router.get("/staff", response=list[StaffOut], summary="List staff")
@paginate(Pagination)
def staff_list(
    request: HttpRequest,
    role: RoleFilter | None = None,
    branch_id: Id | None = None,
):
    return selectors.staff_list(organization=request.organization, role=role, branch_id=branch_id)  # type: ignore[attr-defined]


@router.get("/staff/{staff_id}", response=StaffOut, summary="Get a staff member")
def staff_get(request: HttpRequest, staff_id: Id):
    return get_object_or_404(
        selectors.staff_list(organization=request.organization),  # type: ignore[attr-defined]
        pk=staff_id,
    )
