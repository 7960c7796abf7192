"""The audit log page shows changes as people read them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zapys.core.audit import Actor, audit_record
from zapys.core.templatetags.zapys import audit_change

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
    assert "так" in page or "yes" in page
    assert "— → succeeded" in page
    assert "[None," not in page and "False" not in page
