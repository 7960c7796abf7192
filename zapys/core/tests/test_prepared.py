"""core/prepared.py: a prepared query gives what its QuerySet gives, in one statement, for
any organization it is called with — and refuses the misuses its doc lists."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Count
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_branch, make_org
from tests.factories_prepayments import make_client, make_service, make_visit
from zapys.accounts.models import Branch, Organization
from zapys.core.prepared import PreparedQuery, row_update
from zapys.core.tenancy import TenancyError, org_scope
from zapys.schedule.models import Visit

pytestmark = pytest.mark.django_db

VISIT_WITH_RELATIONS = PreparedQuery(
    lambda s: (
        Visit.objects.for_org(s.org())
        .filter(pk=s.number("visit"))
        .select_related("client", "service", "branch", "status")
    )
)


def _two_orgs():  # type: ignore[no-untyped-def]
    made = []
    for name in ("A", "B"):
        org = make_org(name)
        with org_scope(org):
            branch = make_branch(org, f"Branch {name}")
            made.append((org, branch, make_visit(org, branch)))
    return made


def _fields(obj):  # type: ignore[no-untyped-def]
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_objects_and_their_relations_are_the_querysets():
    (a, _branch, visit), _ = _two_orgs()
    with org_scope(a):
        expected = Visit.objects.select_related("client", "service", "branch", "status").get(
            pk=visit.pk
        )
        with CaptureQueriesContext(connection) as ctx:
            got = VISIT_WITH_RELATIONS.first(org=a.pk, visit=visit.pk)
            # the relations came with it: reading them asks nothing more
            names = (got.client.name, got.service.name, got.branch.name, got.status.code)
    assert len(ctx.captured_queries) == 1
    assert type(got) is Visit and got._state.adding is False and got._state.db == "default"
    assert _fields(got) == _fields(expected)
    for name in ("client", "service", "branch", "status"):
        assert _fields(getattr(got, name)) == _fields(getattr(expected, name))
    assert names == (
        expected.client.name,
        expected.service.name,
        expected.branch.name,
        expected.status.code,
    )


def test_another_organizations_row_is_not_found_and_no_scope_is_baked_in():
    (a, _, visit_a), (b, _, visit_b) = _two_orgs()
    query = PreparedQuery(
        lambda s: Visit.objects.for_org(s.org()).filter(branch__is_active=True).order_by("id")
    )
    with org_scope(a):  # compiled while A's scope is active ...
        assert [v.pk for v in query.objects(org=a.pk)] == [visit_a.pk]
        # ... and called for B: B's rows, not A's
        assert [v.pk for v in query.objects(org=b.pk)] == [visit_b.pk]
        assert VISIT_WITH_RELATIONS.first(org=a.pk, visit=visit_b.pk) is None
        assert VISIT_WITH_RELATIONS.first(org=b.pk, visit=visit_b.pk).pk == visit_b.pk


def test_rows_of_values_list_with_an_annotation_in_the_asked_order():
    (a, branch, visit), _ = _two_orgs()
    with org_scope(a):
        make_visit(a, branch, client=visit.client, service=visit.service)
        query = PreparedQuery(
            lambda s: (
                Visit.objects.for_org(s.org())
                .filter(client_id=s.number("client"))
                .values_list("client_id")
                .annotate(n=Count("id"))
                .order_by()
            )
        )
        swapped = PreparedQuery(
            lambda s: (
                Visit.objects.for_org(s.org())
                .filter(client_id=s.number("client"))
                .annotate(n=Count("id"))
                .values_list("n", "client_id")
                .order_by()
            )
        )
        assert query.rows(org=a.pk, client=visit.client_id) == [(visit.client_id, 2)]
        assert swapped.rows(org=a.pk, client=visit.client_id) == list(
            Visit.objects.filter(client_id=visit.client_id)
            .annotate(n=Count("id"))
            .values_list("n", "client_id")
            .order_by()
        )


def test_flat_distinct_rows_with_ordering_columns_left_out():
    (a, branch, visit), _ = _two_orgs()
    with org_scope(a):
        make_visit(a, branch, client=visit.client, service=visit.service)
        other = make_visit(a, branch, client=make_client(a), service=visit.service)
        query = PreparedQuery(
            lambda s: (
                Visit.objects.for_org(s.org())
                .filter(service_id=s.number("service"))
                .distinct()
                .order_by("starts_at", "id")
                .values_list("client_id", flat=True)
            )
        )
        got = query.rows(org=a.pk, service=visit.service_id)
        expected = list(
            Visit.objects.filter(service_id=visit.service_id)
            .distinct()
            .order_by("starts_at", "id")
            .values_list("client_id", flat=True)
        )
    assert got == expected and set(got) == {visit.client_id, other.client_id}


def test_text_and_date_slots_and_choices_members():
    org = make_org("A")
    with org_scope(org):
        make_branch(org, "Open")
        closed = make_branch(org, "Closed")
        Branch.objects.filter(pk=closed.pk).update(is_active=False)
        service = make_service(org)
        by_name = PreparedQuery(
            lambda s: Branch.objects.for_org(s.org()).filter(name=s.text("name"))
        )
        assert [b.pk for b in by_name.objects(org=org.pk, name="Closed")] == [closed.pk]
        assert by_name.objects(org=org.pk, name="Nowhere") == []
        created = PreparedQuery(
            lambda s: Organization.objects.filter(
                pk=s.number("org"), created_at__date__gte=s.day("since")
            )
        )
        today = timezone.localdate(org.created_at)
        assert created.first(org=org.pk, since=today) == org
        assert created.first(org=org.pk, since=today + timedelta(days=1)) is None
        assert service.pk  # a row of its own organization, unchanged by the reads


def test_a_misbuilt_query_is_refused_when_compiled():
    org = make_org("A")
    without_org = PreparedQuery(lambda s: Branch.objects.for_org(1).filter(pk=s.number("id")))
    with pytest.raises(ImproperlyConfigured, match="must take the organization"):
        without_org.first(id=1)
    scoped_manager = PreparedQuery(lambda s: Branch.objects.filter(pk=s.number("id")))
    with org_scope(org), pytest.raises(TenancyError):
        scoped_manager.first(id=1)  # built with no scope: the manager refuses
    transformed = PreparedQuery(
        lambda s: Branch.objects.for_org(s.org()).filter(name__icontains=s.text("part"))
    )
    with pytest.raises(ImproperlyConfigured, match="do not reach the SQL unchanged"):
        transformed.objects(org=org.pk, part="x")
    twice = PreparedQuery(lambda s: Branch.objects.for_org(s.org()).filter(pk=s.number("org")))
    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        twice.first(org=org.pk)


def test_values_of_the_wrong_kind_or_slots_are_refused_and_nothing_is_read():
    org = make_org("A")
    with org_scope(org):
        make_branch(org, "Main")
    query = PreparedQuery(lambda s: Branch.objects.for_org(s.org()).filter(name=s.text("name")))
    created = PreparedQuery(
        lambda s: Organization.objects.filter(pk=s.number("org"), created_at__date=s.day("on"))
    )
    wrong = [
        (query, {"org": str(org.pk), "name": "Main"}),  # a text for a number
        (query, {"org": True, "name": "Main"}),  # a bool is not an id
        (query, {"org": org.pk, "name": 5}),
        (query, {"org": org.pk}),  # a slot missing
        (query, {"org": org.pk, "name": "Main", "extra": 1}),
        (created, {"org": org.pk, "on": datetime(2026, 1, 1)}),  # a datetime for a date
    ]
    for prepared, values in wrong:
        with CaptureQueriesContext(connection) as ctx, pytest.raises(TypeError):
            prepared.objects(**values)
        assert ctx.captured_queries == []
    with pytest.raises(TypeError, match="gives objects"):
        query.rows(org=org.pk, name="Main")
    assert created.first(org=org.pk, on=date(2000, 1, 1)) is None


@pytest.mark.skipif(not connection.features.has_select_for_update, reason="SQLite has no row locks")
@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused_as_the_orm_refuses_it():
    org = make_org("A")
    with org_scope(org):
        branch = make_branch(org, "Main")
    locking = PreparedQuery(
        lambda s: Branch.objects.for_org(s.org()).select_for_update().filter(pk=s.number("id"))
    )
    with transaction.atomic():
        assert locking.first(org=org.pk, id=branch.pk) == branch  # compiled in a transaction
    with pytest.raises(TransactionManagementError):
        locking.first(org=org.pk, id=branch.pk)  # compiled already: still refused


def test_row_update_writes_one_organizations_row_as_the_orm_would():
    (a, _, visit_a), (b, _, visit_b) = _two_orgs()
    moved = timezone.now().replace(microsecond=0)
    with CaptureQueriesContext(connection) as ctx:
        # B's visit under A's organization: nothing changes
        assert row_update(Visit, org=a.pk, pk=visit_b.pk, price=1, cancelled_at=moved) == 0
        assert row_update(Visit, org=a.pk, pk=visit_a.pk, price=1, cancelled_at=moved) == 1
    assert len(ctx.captured_queries) == 2
    with org_scope(a):
        assert Visit.objects.values_list("price", "cancelled_at").get(pk=visit_a.pk) == (1, moved)
    with org_scope(b):
        after_b = Visit.objects.get(pk=visit_b.pk)
    assert (after_b.price, after_b.cancelled_at) == (visit_b.price, visit_b.cancelled_at)


def test_row_update_refuses_unknown_columns_objects_and_other_kinds():
    (a, _, visit), _ = _two_orgs()
    for values in ({"status": visit.status}, {"nonsense": 1}, {}):
        with CaptureQueriesContext(connection) as ctx, pytest.raises(ImproperlyConfigured):
            row_update(Visit, org=a.pk, pk=visit.pk, **values)
        assert ctx.captured_queries == []
    with pytest.raises(TypeError):
        row_update(Visit, org=str(a.pk), pk=visit.pk, price=1)
    with pytest.raises(ImproperlyConfigured):  # not organization-owned: no org to bound it
        row_update(Organization, org=a.pk, pk=a.pk, name="x")
    with org_scope(a):
        assert Visit.objects.get(pk=visit.pk).price == visit.price
