"""The audit log page shows changes as people read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_org, make_staff
from zapys.core.audit import Actor, audit_record
from zapys.core.templatetags.zapys import audit_change
from zapys.core.tenancy import org_scope

pytestmark = pytest.mark.django_db


def test_changes_read_as_before_and_after():
    assert audit_change([None, "succeeded"]) == "— → succeeded"
    assert audit_change([True, False]) == "yes → no"
    assert audit_change(["pending", "expired"]) == "pending → expired"
    assert audit_change({"a": 1}) == "a: 1"
    assert audit_change(42) == "42"


def test_audit_page_renders_changes(staff_client, org, owner):
    audit_record(
        organization=org,
        actor=Actor.staff(owner),
        action="payment.held_for_review",
        changes={"held_for_review": [False, True], "status": [None, "succeeded"]},
    )
    page = staff_client.get(reverse("core:audit")).content.decode()
    assert "Так</div>" in page and "так</div>" not in page  # a value: a capital, like others
    assert "— → succeeded" in page
    assert "[None," not in page and "False" not in page


def test_staff_pages_print_times_in_the_organizations_zone(client, db):
    far = make_org("Salon NY", time_zone="America/New_York")
    with org_scope(far):
        boss = make_staff(far)
        with time_machine.travel(datetime(2026, 12, 3, 15, 7, tzinfo=UTC), tick=False):
            audit_record(organization=far, actor=Actor.staff(boss), action="client.create")
    client.force_login(boss)
    page = client.get(reverse("core:audit")).content.decode()
    assert "10:07" in page  # 15:07 UTC is 10:07 in New York (EST)
    assert "17:07" not in page  # not the server's Europe/Kyiv
