from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories import make_branch
from tests.factories_clients import make_client
from tests.factories_schedule import SYSTEM, make_service
from zapys.catalog.models import Group, Room, Service
from zapys.catalog.services import group_create, lesson_type_create, room_create, subject_create


def _service(victim):
    svc = make_service(victim, "Victim service")
    return CaseInput(
        path_params={"service_id": svc.pk},
        foreign_ids=[svc.pk],
        body={"name": "Hijacked", "price": 1},
        snapshot=lambda: sorted(Service.objects.values_list("id", "name", "price")),
    )


def _service_create(victim):
    branch = make_branch(victim, "VB")
    return CaseInput(
        body={"name": "X", "duration_minutes": 30, "price": 100, "branch_ids": [branch.pk]},
        snapshot=lambda: Service.objects.count(),
    )


def _subject(victim):
    s = subject_create(organization=victim, name="Victim subject", actor=SYSTEM)
    return CaseInput(foreign_ids=[s.pk])


def _own_create(model):
    def build(victim):
        def check(body, victim_org):
            assert not model.objects.for_org(victim_org).filter(pk=body["id"]).exists()

        return CaseInput(body={"name": "Mine"}, check=check)

    return build


def _lesson_type(victim):
    lt = lesson_type_create(organization=victim, name="Victim type", actor=SYSTEM)
    return CaseInput(foreign_ids=[lt.pk])


def _room(victim):
    branch = make_branch(victim, "VB")
    room = room_create(organization=victim, branch=branch, name="Hall", capacity=5, actor=SYSTEM)
    return CaseInput(
        foreign_ids=[room.pk],
        body={"name": "R", "branch_id": branch.pk},
        snapshot=lambda: Room.objects.count(),
    )


def _group(victim):
    member = make_client(victim)
    group = group_create(
        organization=victim, name="Victim group", actor=SYSTEM, member_ids=[member.pk]
    )
    return CaseInput(
        path_params={"group_id": group.pk},
        foreign_ids=[group.pk],
        body={"name": "G", "member_ids": [member.pk]},
        snapshot=lambda: sorted(
            (g.pk, tuple(g.members.values_list("id", flat=True))) for g in Group.objects.all()
        ),
    )


CASES = [
    CrossTenantCase("get", "/api/v1/services", _service, kind="list"),
    CrossTenantCase("get", "/api/v1/services/{service_id}", _service),
    CrossTenantCase("patch", "/api/v1/services/{service_id}", _service),
    CrossTenantCase("post", "/api/v1/services", _service_create, kind="create"),
    CrossTenantCase("get", "/api/v1/subjects", _subject, kind="list"),
    CrossTenantCase("get", "/api/v1/lesson-types", _lesson_type, kind="list"),
    CrossTenantCase("get", "/api/v1/rooms", _room, kind="list"),
    CrossTenantCase("post", "/api/v1/rooms", _room, kind="create"),
    CrossTenantCase("get", "/api/v1/groups", _group, kind="list"),
    CrossTenantCase("get", "/api/v1/groups/{group_id}", _group),
    CrossTenantCase("post", "/api/v1/groups", _group, kind="create"),
    CrossTenantCase("put", "/api/v1/groups/{group_id}/members", _group),
]
