"""Staff pages of another organization's sales and plans are 404s, and change nothing."""

from __future__ import annotations

from tests.factories import make_branch, make_org, make_staff
from zapys.accounts.models import User
from zapys.core.tenancy import org_scope
from zapys.online_sales.models import OnlineSale, PlanOnline
from zapys.online_sales.tests.factories import make_sale, make_shop


def test_a_foreign_sale_and_plan_are_404_for_staff(client, db):
    victim = make_org("Victim")
    with org_scope(victim):
        make_branch(victim, "V")
        plan = make_shop(victim)
        sale = make_sale(victim, plan)
    intruder_org = make_org("Intruder")
    with org_scope(intruder_org):
        branch = make_branch(intruder_org, "I")
        intruder = make_staff(intruder_org, User.Role.OWNER, username="intruder", branches=[branch])
    client.force_login(intruder)
    assert client.get(f"/online-sales/{sale.pk}/").status_code == 404
    assert client.post(f"/online-sales/{sale.pk}/", {"new_client_name": "X"}).status_code == 404
    assert client.post(f"/online-sales/{sale.pk}/refund/").status_code == 404
    assert (
        client.get(f"/online-sales/{sale.pk}/lessons/", headers={"HX-Request": "true"}).status_code
        == 404
    )
    assert client.get(f"/online-sales/plans/{plan.pk}/button/").status_code == 404
    found = client.get("/online-sales/code/", {"code": sale.activation_code})
    assert found["Location"] == "/online-sales/"  # unknown here: no sale of theirs has it
    listed = client.get("/online-sales/").content.decode()
    assert sale.activation_code not in listed
    with org_scope(victim):
        sale.refresh_from_db()
        assert sale.status == "paid" and sale.client_id is None
        assert PlanOnline.objects.get(plan=plan).sell_online
        assert OnlineSale.objects.count() == 1
