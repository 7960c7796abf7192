"""`locked_visit`: the row's own columns are read under the lock; the relations are the
caller's loaded ones only while the locked row still points at them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.schedule.models import Visit
from zapys.schedule.services import visit_statuses_ensure
from zapys.schedule.services.occupancy import LOCKED_VISIT_RELATED, locked_visit


@pytest.fixture
def visit(org, branch):
    return make_visit(org, branch, client=make_client(org), service=make_service(org))


def test_loaded_relations_are_reused_and_the_row_read_once(visit):
    with CaptureQueriesContext(connection) as ctx:
        locked = locked_visit(visit)
    assert len(ctx.captured_queries) == 1  # the row, locked; no joined read
    assert locked is not visit and locked.status is visit.status
    assert locked.client is visit.client and locked.organization is visit.organization


def test_a_status_moved_meanwhile_is_read_fresh(org, visit):
    cancelled = visit_statuses_ensure(organization=org)["cancelled"]
    Visit.objects.filter(pk=visit.pk).update(status=cancelled, price=12_300)  # another writer
    with CaptureQueriesContext(connection) as ctx:
        locked = locked_visit(visit)
    assert len(ctx.captured_queries) == 2  # the lock, then the joined read
    assert locked.status_id == cancelled.pk and locked.status.is_cancellation
    assert locked.price == 12_300
    assert visit.status_id != cancelled.pk  # the caller's object is not changed


def test_a_bare_visit_gets_every_relation_in_one_joined_read(org, visit):
    bare = Visit(pk=visit.pk, organization=org)
    locked = locked_visit(bare)
    assert set(LOCKED_VISIT_RELATED) - {"group"} <= set(locked._state.fields_cache)
    with CaptureQueriesContext(connection) as ctx:
        assert (locked.status.code, locked.client.pk) == (visit.status.code, visit.client_id)
    assert ctx.captured_queries == []


def test_another_organizations_visit_is_not_found(visit):
    from tests.factories import make_org

    other = make_org("Other")
    with pytest.raises(Visit.DoesNotExist):
        locked_visit(Visit(pk=visit.pk, organization=other))
