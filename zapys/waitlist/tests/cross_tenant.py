"""Cross-tenant cases for the waiting-list API operations."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.cross_tenant import CaseInput, CrossTenantCase
from tests.factories_payments import make_client
from tests.factories_schedule import make_service
from zapys.core.audit import Actor
from zapys.waitlist.models import Entry
from zapys.waitlist.services import entry_create


def _entry(victim) -> Entry:
    return entry_create(
        organization=victim,
        client=make_client(victim),
        service=make_service(victim),
        date_to=timezone.localdate() + timedelta(days=7),
        actor=Actor.system("tests"),
    )


def _statuses():
    return list(Entry.objects.order_by("id").values_list("id", "status"))


def _create_with_foreign_client(victim):
    client = make_client(victim)
    service = make_service(victim)
    return CaseInput(
        body={"client_id": client.pk, "service_id": service.pk},
        snapshot=lambda: Entry.objects.count(),
    )


def _list(victim):
    entry = _entry(victim)
    return CaseInput(foreign_ids=[entry.pk], snapshot=_statuses)


def _remove(victim):
    entry = _entry(victim)
    return CaseInput(path_params={"entry_id": entry.pk}, snapshot=_statuses)


CASES = [
    CrossTenantCase("post", "/api/v1/waitlist", _create_with_foreign_client, kind="create"),
    CrossTenantCase("get", "/api/v1/waitlist", _list, kind="list"),
    CrossTenantCase("delete", "/api/v1/waitlist/{entry_id}", _remove),
]
