"""The hook registry through which clients reach the apps above it (`clients.hooks`): the
ledger's balances and opening balances, memberships' freeze handlers; no silent fallback."""

from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from tests.factories_clients import make_client
from zapys.clients import hooks, selectors
from zapys.clients.models import ClientFreeze
from zapys.clients.services import client_freeze, client_unfreeze
from zapys.core.models import AuditLog
from zapys.ledger import clients_hooks as ledger_clients_hooks
from zapys.ledger.models import Entry
from zapys.ledger.services import entry_create


@pytest.fixture(autouse=True)
def _discovered():
    """Every app's clients_hooks imported before a test swaps a registry for its own: one
    imported during the swap would register into the swapped list and be lost after it."""
    hooks._discover()


def test_balances_come_from_the_ledger_in_one_query_for_any_number(
    org, actor, django_assert_num_queries
):
    clients = [make_client(org) for _ in range(3)]
    entry_create(client=clients[0], kind="debit", amount=15_050, purpose="top_up", actor=actor)
    entry_create(client=clients[1], kind="credit", amount=20_000, purpose="service", actor=actor)
    ids = [c.pk for c in clients]
    with django_assert_num_queries(1):
        assert selectors.client_balance(clients[0]) == 15_050
    with django_assert_num_queries(1):
        assert selectors.balances_for(ids) == {ids[0]: 15_050, ids[1]: -20_000, ids[2]: 0}
    more = ids + [make_client(org).pk for _ in range(5)]
    with django_assert_num_queries(1):
        assert len(selectors.balances_for(more)) == 8


def test_opening_balance_is_a_ledger_entry_and_zero_writes_nothing(org, actor):
    client = make_client(org)
    debt = hooks.opening_balance_post(client=client, amount=-20_000, actor=actor)
    assert (debt.kind, debt.amount, debt.purpose) == ("credit", 20_000, "opening_balance")
    assert selectors.client_balance(client) == -20_000
    before = (Entry.objects.count(), AuditLog.objects.count())
    assert hooks.opening_balance_post(client=client, amount=0, actor=actor) is None
    assert (Entry.objects.count(), AuditLog.objects.count()) == before


def test_no_balance_provider_is_an_error_not_a_zero(org, monkeypatch):
    """Before: a missing ledger read as a balance of 0 and the card showed it."""
    client = make_client(org)
    monkeypatch.setattr(hooks, "_provider", None)
    monkeypatch.setattr(hooks, "_discovered", True)
    with pytest.raises(ImproperlyConfigured, match="provides client balances"):
        selectors.client_balance(client)
    with pytest.raises(ImproperlyConfigured):
        selectors.balances_for([client.pk])
    before = (Entry.objects.count(), AuditLog.objects.count())
    with pytest.raises(ImproperlyConfigured):
        hooks.opening_balance_post(client=client, amount=100, actor=None)
    assert (Entry.objects.count(), AuditLog.objects.count()) == before


def test_a_second_balance_provider_is_refused(monkeypatch):
    assert hooks.balances_for([]) == {}  # the ledger's provider, discovered
    ours = hooks._provider
    other = hooks.BalanceProvider(
        client_balance=lambda client: 0,
        balances_for=lambda ids: {},
        opening_balance_post=ledger_clients_hooks.opening_balance_post,
    )
    with pytest.raises(ImproperlyConfigured, match="twice"):
        hooks.balance_provider_declare(other)
    assert hooks._provider is ours
    assert hooks.balance_provider_declare(ours) is ours  # the same one again: no-op


def test_without_freeze_handlers_there_is_nothing_to_extend(org, actor, monkeypatch):
    monkeypatch.setattr(hooks, "_FROZEN", [])
    monkeypatch.setattr(hooks, "_UNFROZEN", [])
    client = make_client(org)
    client_freeze(client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 5), actor=actor)
    client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 3))
    assert AuditLog.objects.get(action="client.freeze").changes["memberships_extended"] == 0
    assert AuditLog.objects.get(action="client.unfreeze").changes["memberships_shortened"] == 0


def test_freeze_handlers_all_run_and_their_counts_add_up(org, actor, monkeypatch):
    seen = []

    def first(*, client, freeze, actor, reason):
        seen.append(("first", client.pk, freeze.pk, reason))
        return 2

    def second(*, client, freeze, actor, reason):
        seen.append(("second", client.pk, freeze.pk, reason))
        return 1

    monkeypatch.setattr(hooks, "_FROZEN", [])
    monkeypatch.setattr(hooks, "_UNFROZEN", [])
    hooks.on_client_frozen(first)
    hooks.on_client_frozen(second)
    hooks.on_client_frozen(first)  # registering twice is a no-op
    hooks.on_client_unfrozen(second)
    client = make_client(org)
    with translation.override("en"):
        freeze = client_freeze(
            client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 5), actor=actor
        )
        client_unfreeze(client=client, actor=actor, on_date=date(2026, 2, 1))  # cancels it
    assert seen == [
        ("first", client.pk, freeze.pk, "Freeze"),
        ("second", client.pk, freeze.pk, "Freeze"),
        ("second", client.pk, freeze.pk, "Freeze cancelled"),
    ]
    assert AuditLog.objects.get(action="client.freeze").changes["memberships_extended"] == 3
    assert AuditLog.objects.get(action="client.unfreeze").changes["memberships_shortened"] == 1


def test_a_failing_freeze_handler_undoes_the_freeze(org, actor, monkeypatch):
    """The handler runs inside the freeze's transaction: both happen or neither."""

    def broken(**kw):
        raise RuntimeError("memberships are down")

    monkeypatch.setattr(hooks, "_FROZEN", [broken])
    client = make_client(org)
    before = (ClientFreeze.objects.count(), AuditLog.objects.count())
    with pytest.raises(RuntimeError):
        client_freeze(
            client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 5), actor=actor
        )
    assert (ClientFreeze.objects.count(), AuditLog.objects.count()) == before
