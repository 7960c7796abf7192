"""Property: for any sequence of create/cancel operations the derived balance equals
Σ active debits − Σ active credits of a model kept in Python, and no entry's amount or
kind ever changes (even cancelled ones)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import SYSTEM
from tests.factories_ledger import make_client
from zapys.core.exceptions import Conflict
from zapys.ledger import selectors, services
from zapys.ledger.models import Entry

create = st.tuples(
    st.just("create"),
    st.sampled_from(["debit", "credit"]),
    st.integers(min_value=1, max_value=services.MAX_AMOUNT),
)
cancel = st.tuples(st.just("cancel"), st.integers(min_value=0, max_value=50), st.just(0))


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(st.one_of(create, cancel), max_size=25))
def test_balance_is_sum_of_active_entries(org, ops):
    client = make_client(org)
    model: dict[int, tuple[str, int, bool]] = {}  # id → (kind, amount, active)
    for op, a, b in ops:
        if op == "create":
            entry = services.entry_create(
                client=client, kind=a, amount=b, purpose="correction", actor=SYSTEM
            )
            model[entry.pk] = (a, b, True)
        elif model:
            pk = sorted(model)[a % len(model)]
            kind, amount, active = model[pk]
            try:
                services.entry_cancel(entry=Entry.objects.get(pk=pk), actor=SYSTEM)
                assert active, "cancelling a cancelled entry must fail"
            except Conflict:
                assert not active
            model[pk] = (kind, amount, False)
    expected = sum(
        (amount if kind == "debit" else -amount)
        for kind, amount, active in model.values()
        if active
    )
    assert selectors.client_balance(client) == expected
    assert selectors.balances_for([client.pk]) == {client.pk: expected}
    stored = {
        e.pk: (e.kind, e.amount, e.status == "active") for e in Entry.objects.filter(client=client)
    }
    assert stored == model
