"""Control characters in membership plans (name, description) and in the reasons staff give
for corrections are stripped by the services. The plan's name is copied onto every
membership sold and becomes the comment of its ledger entries, so a vertical tab in it broke
the payments export; a NUL in a reason broke the audit row on PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories_ledger import make_client, make_membership, make_plan
from zapys.core.exceptions import DomainError
from zapys.core.models import AuditLog
from zapys.ledger.models import Entry
from zapys.memberships import services
from zapys.memberships.models import ClientMembership, MembershipPlan


def test_plan_name_and_description_are_cleaned_and_sold_clean(org, branch, actor):
    plan = make_plan(org, "Йо\x0bга\x00 8 занять", description="Ран\x1bок\nі вечір\x00")
    assert MembershipPlan.objects.values_list("name", "description").get(pk=plan.pk) == (
        "Йога 8 занять",
        "Ранок\nі вечір",
    )
    membership = make_membership(make_client(org), plan, "paid", branch=branch, actor=actor)
    assert ClientMembership.objects.get(pk=membership.pk).name == "Йога 8 занять"
    comments = set(Entry.objects.values_list("comment", flat=True))
    assert comments == {"Йога 8 занять"}

    services.membership_plan_update(plan=plan, actor=actor, name="Йо\x1bга\x0c 12")
    assert MembershipPlan.objects.get(pk=plan.pk).name == "Йога 12"


def test_a_plan_name_of_control_characters_only_is_refused(org, actor):
    with pytest.raises(DomainError) as caught:
        services.membership_plan_create(organization=org, name="\x00\x0b", price=0, actor=actor)
    assert caught.value.errors[0]["field"] == "name"
    assert not MembershipPlan.objects.exists()


def test_reasons_are_cleaned(org, branch, actor):
    membership = make_membership(make_client(org), branch=branch, actor=actor)
    services.membership_correct_validity(
        membership=membership, actor=actor, ends_on=date(2026, 5, 1), reason="хво\x00ріла\x0b"
    )
    services.membership_add_virtual_visits(
        membership=membership, count=1, actor=actor, reason="до\x1b Zapys"
    )
    services.membership_cancel(membership=membership, actor=actor, reason="по\x00милка")
    reasons = {
        a.action: a.changes["reason"][1]
        for a in AuditLog.objects.filter(action__startswith="membership.")
        if "reason" in a.changes
    }
    assert reasons == {
        "membership.correct_validity": "хворіла",
        "membership.add_virtual_visits": "до Zapys",
        "membership.cancel": "помилка",
    }
    assert set(Entry.objects.values_list("cancel_reason", flat=True)) == {"помилка"}
