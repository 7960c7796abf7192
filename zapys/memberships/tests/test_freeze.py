"""Freezes extend memberships only by the frozen days each membership was valid on (C3),
and ending or cancelling a freeze gives back exactly the days it no longer covers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_membership, make_plan
from zapys.clients.services import client_freeze, client_unfreeze
from zapys.core.exceptions import Conflict
from zapys.core.models import AuditLog
from zapys.memberships.models import ClientMembership, FreezeExtension, MembershipPlan
from zapys.memberships.services import freeze_overlap_days


def _sell(client, starts_on: date, days: int | None = None) -> ClientMembership:
    """A membership without money (mode free), monthly unless `days` is given."""
    plan = (
        make_plan(client.organization, validity_value=days, validity_unit="days")
        if days
        else make_plan(client.organization)
    )
    return make_membership(client, plan, ClientMembership.SaleMode.FREE, starts_on=starts_on)


def _end(m: ClientMembership) -> date:
    m.refresh_from_db()
    return m.ends_on


def test_only_days_inside_the_membership_extend_it(org):
    """The QA case: freeze 28.11–05.12, membership from 30.11 (to 29.12): 6 of the 8 frozen
    days fall inside the membership, so it is extended by 6, not 8."""
    client = make_client(org)
    m = _sell(client, date(2026, 11, 30))
    assert m.ends_on == date(2026, 12, 29)
    client_freeze(
        client=client, date_from=date(2026, 11, 28), date_to=date(2026, 12, 5), actor=SYSTEM
    )
    assert _end(m) == date(2026, 12, 29) + timedelta(days=6)
    ext = FreezeExtension.objects.get(membership=m)
    assert ext.days == 6
    row = AuditLog.objects.get(action="membership.validity_shift", object_id=str(m.pk))
    assert row.changes["days"] == [None, 6]


def test_freeze_outside_the_validity_changes_nothing(org):
    client = make_client(org)
    past = _sell(client, date(2026, 1, 1))  # 01.01–31.01
    future = _sell(client, date(2026, 6, 1))  # 01.06–30.06
    client_freeze(
        client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), actor=SYSTEM
    )
    assert (_end(past), _end(future)) == (date(2026, 1, 31), date(2026, 6, 30))
    assert not FreezeExtension.objects.exists()
    assert not AuditLog.objects.filter(action="membership.validity_shift").exists()


def test_membership_ending_inside_the_freeze_gets_its_frozen_days(org):
    client = make_client(org)
    m = _sell(client, date(2026, 3, 1))  # to 31.03
    client_freeze(
        client=client, date_from=date(2026, 3, 25), date_to=date(2026, 4, 10), actor=SYSTEM
    )
    assert _end(m) == date(2026, 3, 31) + timedelta(days=7)  # 25.03–31.03


def test_cancelling_a_planned_freeze_restores_the_memberships(org):
    client = make_client(org)
    m = _sell(client, date(2026, 11, 15))  # to 14.12
    client_freeze(
        client=client, date_from=date(2026, 12, 1), date_to=date(2026, 12, 10), actor=SYSTEM
    )
    assert _end(m) == date(2026, 12, 24)
    freeze = client_unfreeze(client=client, actor=SYSTEM, on_date=date(2026, 11, 30))
    assert freeze.is_cancelled and freeze.ended_early_at == date(2026, 11, 30)
    assert _end(m) == date(2026, 12, 14)
    # a second "end freeze" is refused and takes nothing more back
    with pytest.raises(Conflict):
        client_unfreeze(client=client, actor=SYSTEM, on_date=date(2026, 11, 30))
    assert _end(m) == date(2026, 12, 14)


def test_ending_early_keeps_only_the_days_frozen(org):
    client = make_client(org)
    m = _sell(client, date(2026, 3, 1))  # to 31.03
    client_freeze(
        client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), actor=SYSTEM
    )
    assert _end(m) == date(2026, 4, 10)
    client_unfreeze(client=client, actor=SYSTEM, on_date=date(2026, 3, 4))  # frozen 1st–3rd
    assert _end(m) == date(2026, 4, 3)
    assert FreezeExtension.objects.get(membership=m).days == 3


def test_release_does_not_touch_a_membership_the_freeze_did_not_extend(org):
    client = make_client(org)
    client_freeze(
        client=client, date_from=date(2026, 12, 1), date_to=date(2026, 12, 10), actor=SYSTEM
    )
    later = _sell(client, date(2026, 11, 20))  # sold after the freeze was planned
    client_unfreeze(client=client, actor=SYSTEM, on_date=date(2026, 11, 30))
    assert _end(later) == date(2026, 12, 19)


def test_overlap_days():
    d = date(2026, 3, 1)
    assert freeze_overlap_days(starts_on=d, ends_on=d, first=d, last=d) == 1
    assert freeze_overlap_days(starts_on=d, ends_on=d, first=d + timedelta(1), last=d) == 0
    assert (
        freeze_overlap_days(
            starts_on=date(2026, 11, 30),
            ends_on=date(2026, 12, 29),
            first=date(2026, 11, 28),
            last=date(2026, 12, 5),
        )
        == 6
    )


day = st.integers(min_value=0, max_value=120)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start=day,
    length=st.integers(min_value=1, max_value=60),
    freeze_start=day,
    freeze_length=st.integers(min_value=1, max_value=40),
    back_on=st.one_of(st.none(), day),
)
def test_extension_is_the_overlap_and_unfreeze_gives_back_the_rest(
    org, start, length, freeze_start, freeze_length, back_on
):
    """For any membership and freeze: the end moves by exactly |freeze ∩ validity| days;
    after ending the freeze on day D (or cancelling it) the end is as if the freeze had
    only ever covered [first day, D − 1]."""
    base = date(2026, 1, 1)
    client = make_client(org)
    plan = make_plan(org, validity_value=length, validity_unit=MembershipPlan.ValidityUnit.DAYS)
    m = make_membership(client, plan, "free", starts_on=base + timedelta(start))
    s, e = m.starts_on, m.ends_on
    a, b = base + timedelta(freeze_start), base + timedelta(freeze_start + freeze_length - 1)

    client_freeze(client=client, date_from=a, date_to=b, actor=SYSTEM)
    overlap = max((min(b, e) - max(a, s)).days + 1, 0)
    assert _end(m) == e + timedelta(overlap)
    assert _end(m) - e <= timedelta(freeze_length)

    if back_on is None:
        return
    d = base + timedelta(back_on)
    if d > b:
        with pytest.raises(Conflict):  # the freeze is over: nothing to end
            client_unfreeze(client=client, actor=SYSTEM, on_date=d)
        assert _end(m) == e + timedelta(overlap)
        return
    client_unfreeze(client=client, actor=SYSTEM, on_date=d)
    last = min(b, d - timedelta(1))
    kept = max((min(last, e) - max(a, s)).days + 1, 0)
    assert _end(m) == e + timedelta(kept)
    with pytest.raises(Conflict):
        client_unfreeze(client=client, actor=SYSTEM, on_date=d)
    assert _end(m) == e + timedelta(kept)
