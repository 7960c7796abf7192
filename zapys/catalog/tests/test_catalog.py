import pytest

from tests.factories import make_branch, make_staff
from tests.factories_clients import make_client
from zapys.accounts.models import User
from zapys.catalog.models import Service
from zapys.catalog.services import service_create
from zapys.core.audit import Actor
from zapys.core.exceptions import PermissionDenied


def test_services_api_crud(org, branch, api):
    r = api.post(
        "/services",
        {
            "name": "Haircut",
            "duration_minutes": 45,
            "price": 40000,
            "category": "Hair",
            "branch_ids": [branch.pk],
        },
    )
    assert r.status == 201, r.body
    sid = r.body["id"]
    assert r.body["branch_ids"] == [branch.pk] and r.body["currency"] == "UAH"
    r = api.patch(f"/services/{sid}", {"price": 45000, "duration_minutes": 60})
    assert r.body["price"] == 45000 and r.body["duration_minutes"] == 60
    items = api.get("/services").body["items"]
    assert [i["name"] for i in items] == ["Haircut"]
    assert api.post("/services", {"name": "X", "duration_minutes": 0, "price": 1}).status == 422
    assert api.post("/services", {"name": "X", "duration_minutes": 10, "price": -1}).status == 422
    # null for a field that cannot be emptied is a field error, and nothing changes
    # (`category: null` was a 500: NOT NULL constraint failed).
    for field in ("name", "category", "price", "duration_minutes", "description", "is_active"):
        r = api.patch(f"/services/{sid}", {field: None})
        assert r.status == 422, (field, r.body)
        assert r.body["errors"] == [{"field": field, "message": "This field cannot be null."}]
    service = Service.objects.get()
    assert (service.name, service.category, service.price) == ("Haircut", "Hair", 45000)


def test_specialist_cannot_edit_catalogue(org, branch):
    spec = make_staff(org, User.Role.SPECIALIST, branches=[branch])
    with pytest.raises(PermissionDenied):
        service_create(
            organization=org, name="X", duration_minutes=10, price=0, actor=Actor.staff(spec)
        )


def test_groups_and_members(org, api):

    a, b = make_client(org), make_client(org)
    r = api.post("/groups", {"name": "Salsa", "capacity": 1, "member_ids": [a.pk, b.pk]})
    assert r.status == 400
    r = api.post("/groups", {"name": "Salsa", "capacity": 2, "member_ids": [a.pk]})
    assert r.status == 201
    r = api.put(f"/groups/{r.body['id']}/members", {"member_ids": [a.pk, b.pk]})
    assert r.body["member_ids"] == sorted([a.pk, b.pk])


def test_service_pages(staff_client, org, branch):
    r = staff_client.get("/services/")
    assert r.status_code == 200
    r = staff_client.post(
        "/services/new/",
        {
            "name": "Brows",
            "duration_minutes": "30",
            "price": "250.50",
            "branches": [branch.pk],
            "online_booking": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    svc = Service.objects.get(name="Brows")
    assert svc.price == 25050
    r = staff_client.post(
        f"/services/{svc.pk}/",
        {"name": "Brows", "duration_minutes": "0", "price": "1", "branches": [branch.pk]},
    )
    assert r.status_code == 200 and "is-invalid" in r.content.decode()
    make_branch(org, "x")
