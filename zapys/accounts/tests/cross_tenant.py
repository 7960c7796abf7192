from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories import make_branch, make_staff
from zapys.accounts.models import Branch, User


def _branch(victim):
    branch = make_branch(victim, "Foreign branch")
    return CaseInput(
        path_params={"branch_id": branch.pk},
        foreign_ids=[branch.pk],
        snapshot=lambda: list(Branch.objects.values_list("id", "name")),
    )


def _staff(victim):
    user = make_staff(victim, User.Role.SPECIALIST)
    return CaseInput(path_params={"staff_id": user.pk}, foreign_ids=[user.pk])


def _organization(victim):
    def check(body, victim_org):
        assert body["id"] != victim_org.pk and body["slug"] != victim_org.slug

    return CaseInput(check=check)


CASES = [
    CrossTenantCase("get", "/api/v1/branches", _branch, kind="list"),
    CrossTenantCase("get", "/api/v1/branches/{branch_id}", _branch),
    CrossTenantCase("get", "/api/v1/staff", _staff, kind="list"),
    CrossTenantCase("get", "/api/v1/staff/{staff_id}", _staff),
    CrossTenantCase("get", "/api/v1/organization", _organization, kind="own"),
]
