"""Client card, tags, freeze and soft delete through the services (C1–C4)."""

from datetime import date

import pytest

from tests.factories import make_staff
from tests.factories_clients import make_client, make_tag
from zapys.clients import hooks, selectors
from zapys.clients.models import Client, ClientFreeze, Tag
from zapys.clients.services import (
    client_create,
    client_delete,
    client_find_or_create,
    client_freeze,
    client_restore,
    client_unfreeze,
    client_update,
    clients_tag,
    tag_create,
)
from zapys.core.audit import Actor
from zapys.core.exceptions import Conflict, DomainError, PermissionDenied
from zapys.core.models import AuditLog


def _state():
    return (
        list(Client.objects.order_by("id").values()),
        list(Tag.objects.order_by("id").values_list("id", "name")),
        list(Client.tags.through.objects.order_by("id").values_list("client_id", "tag_id")),
        list(ClientFreeze.objects.order_by("id").values()),
        AuditLog.objects.count(),
    )


def test_create_normalizes_phone_and_creates_tags_on_the_fly(org, actor):
    make_tag(org, "VIP")
    client = client_create(
        organization=org,
        name="  Коваленко   Олена ",
        phone="067 123 45 67",
        email="Olena@Example.com",
        birthday=date(1990, 5, 17),
        note="Алергія",
        client_type="legal_entity",
        status="lead",
        tags=["vip", "Нова", "нова"],
        actor=actor,
    )
    assert client.name == "Коваленко Олена"
    assert client.phone == "+380671234567"
    assert client.email == "olena@example.com"
    assert sorted(client.tags.values_list("name", flat=True)) == ["VIP", "Нова"]
    assert Tag.objects.count() == 2  # "vip" matched the existing "VIP"
    row = AuditLog.objects.get(action="client.create")
    assert row.actor_label == actor.label and row.object_id == str(client.pk)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "+380 00 000"}, "phone"),
        ({"name": "   "}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"tags": ["ok", "  "]}, "tags"),
        ({"client_type": "alien"}, "client_type"),
        ({"status": "zombie"}, "status"),
        ({"birthday": date(2999, 1, 1)}, "birthday"),
    ],
)
def test_bad_input_is_a_field_error_and_writes_nothing(org, actor, fields, field):
    make_client(org, "Existing", tags=["old"])
    before = _state()
    kwargs = {"name": "New", "phone": "+380671112233", **fields}
    with pytest.raises(DomainError) as err:
        client_create(organization=org, actor=actor, **kwargs)
    assert err.value.errors[0]["field"] == field
    assert _state() == before


def test_duplicate_phone_is_a_warning_not_a_block(org, actor):
    first = make_client(org, "First", phone="+380671234567")
    second = client_create(organization=org, name="Second", phone="0671234567", actor=actor)
    assert second.phone == first.phone
    warnings = selectors.client_warnings(second)
    assert len(warnings) == 1 and "First" in warnings[0]
    # a deleted client's phone no longer warns
    client_delete(client=first, actor=actor)
    assert selectors.client_warnings(second) == []


def test_find_or_create_reuses_the_oldest_living_client_with_the_phone(org, actor):
    """An online booking or a quick visit for a known phone lands on the existing card: the
    oldest one not deleted; a deleted card is never revived by a phone."""
    gone = make_client(org, "Deleted", phone="+380671234567")
    client_delete(client=gone, actor=actor)
    first = make_client(org, "First", phone="+380671234567")
    make_client(org, "Second", phone="+380671234567")
    before = _state()
    found, created = client_find_or_create(
        organization=org, name="Typed Name", phone="+380671234567", actor=actor
    )
    assert (found, created) == (first, False)
    assert _state() == before  # nothing renamed, nothing audited

    made, created = client_find_or_create(
        organization=org, name="  New   Person ", phone="+380501112233", actor=actor
    )
    assert created and (made.name, made.phone) == ("New Person", "+380501112233")
    assert AuditLog.objects.filter(action="client.create", object_id=str(made.pk)).exists()


def test_update_is_partial_and_audited(org, actor):
    client = make_client(org, "Old Name", tags=["a", "b"], email="x@example.com")
    client_update(client=client, actor=actor, name="New Name", tags=["b", "c"])
    client.refresh_from_db()
    assert client.name == "New Name" and client.email == "x@example.com"
    assert sorted(client.tags.values_list("name", flat=True)) == ["b", "c"]
    row = AuditLog.objects.get(action="client.update")
    assert row.changes["name"] == ["Old Name", "New Name"]
    assert row.changes["tags"] == [["a", "b"], ["b", "c"]]


def test_update_bad_phone_changes_nothing(org, actor):
    client = make_client(org, "Keep", tags=["a"])
    before = _state()
    with pytest.raises(DomainError):
        client_update(client=client, actor=actor, name="Changed", phone="123", tags=["z"])
    assert _state() == before


def test_bulk_tag_adds_missing_tags_only(org, actor):
    a = make_client(org, "A", tags=["vip"])
    b = make_client(org, "B")
    changed = clients_tag(organization=org, clients=[a, b], tag_names=["VIP"], actor=actor)
    assert changed == 1
    assert list(b.tags.values_list("name", flat=True)) == ["vip"]
    with pytest.raises(DomainError) as err:
        clients_tag(organization=org, clients=[a], tag_names=[" "], actor=actor)
    assert err.value.errors[0]["field"] == "tags"


def test_tag_create_is_idempotent_by_name(org, actor):
    tag = tag_create(organization=org, name="Yoga", actor=actor)
    assert tag_create(organization=org, name="yoga", actor=actor).pk == tag.pk
    with pytest.raises(DomainError):
        tag_create(organization=org, name="", actor=actor)


def test_soft_delete_hides_and_keeps_data_then_restore(org, actor):
    client = make_client(org, "Gone", tags=["x"])
    client_delete(client=client, actor=actor)
    assert client not in selectors.client_list()
    assert client in selectors.client_list(deleted=True)
    assert Client.objects.filter(pk=client.pk, tags__name="x").exists()
    with pytest.raises(DomainError):
        selectors.client_get(client_id=client.pk)
    with pytest.raises(Conflict):
        client_update(client=client, actor=actor, name="x")
    client_restore(client=client, actor=actor)
    assert selectors.client_get(client_id=client.pk) == client
    with pytest.raises(Conflict):
        client_restore(client=client, actor=actor)
    actions = list(
        AuditLog.objects.filter(object_id=str(client.pk)).values_list("action", flat=True)
    )
    assert {"client.delete", "client.restore"} <= set(actions)


def test_specialist_cannot_delete(org, actor, branch):
    specialist = make_staff(org, "specialist")
    client = make_client(org)
    with pytest.raises(PermissionDenied):
        client_delete(client=client, actor=Actor.staff(specialist))
    client.refresh_from_db()
    assert client.deleted_at is None


@pytest.fixture
def shifts(monkeypatch):
    """What the clients app asks of memberships: the freeze's frozen range at each call."""
    calls = []

    def record(kind):
        def fake(*, client, freeze, actor, reason):
            calls.append(
                {
                    "call": kind,
                    "client": client.pk,
                    "frozen": (freeze.date_from, freeze.effective_end),
                    "days": freeze.frozen_days,
                }
            )
            return 1

        return fake

    monkeypatch.setattr(hooks, "client_frozen", record("freeze"))
    monkeypatch.setattr(hooks, "client_unfrozen", record("unfreeze"))
    return calls


def test_freeze_extends_memberships_by_frozen_days(org, actor, shifts):
    client = make_client(org)
    freeze = client_freeze(
        client=client,
        date_from=date(2026, 3, 1),
        date_to=date(2026, 3, 10),
        reason="sick",
        actor=actor,
    )
    assert freeze.days == 10
    assert shifts == [
        {
            "call": "freeze",
            "client": client.pk,
            "frozen": (date(2026, 3, 1), date(2026, 3, 10)),
            "days": 10,
        }
    ]
    assert selectors.client_is_frozen(client, date(2026, 3, 5))
    assert not selectors.client_is_frozen(client, date(2026, 3, 11))
    row = AuditLog.objects.get(action="client.freeze")
    assert row.changes["days"] == 10 and row.object_id == str(client.pk)


def test_unfreeze_early_gives_back_unused_days(org, actor, shifts):
    client = make_client(org)
    client_freeze(client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), actor=actor)
    freeze = client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 4))
    # back on the 4th: frozen 1st–3rd, the 4th–10th (7 days) are taken back
    assert freeze.ended_early_at == date(2026, 3, 4) and not freeze.is_cancelled
    assert shifts[-1]["call"] == "unfreeze"
    assert shifts[-1]["frozen"] == (date(2026, 3, 1), date(2026, 3, 3))
    assert AuditLog.objects.get(action="client.unfreeze").changes["days_returned"] == 7
    assert not selectors.client_is_frozen(client, date(2026, 3, 5))
    assert selectors.client_is_frozen(client, date(2026, 3, 3))
    before = _state()
    with pytest.raises(Conflict):
        client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 5))
    with pytest.raises(Conflict):
        client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 4))
    assert _state() == before and len(shifts) == 2


def test_cancelling_a_future_freeze_gives_back_all_days(org, actor, shifts):
    client = make_client(org)
    client_freeze(client=client, date_from=date(2026, 5, 1), date_to=date(2026, 5, 5), actor=actor)
    freeze = client_unfreeze(client=client, actor=actor, on_date=date(2026, 4, 1))
    assert freeze.is_cancelled and freeze.frozen_days == 0
    assert freeze.ended_early_at == date(2026, 4, 1)  # the day it was called off
    assert shifts[-1]["call"] == "unfreeze" and shifts[-1]["days"] == 0
    row = AuditLog.objects.get(action="client.unfreeze")
    assert row.changes["cancelled"] is True and row.changes["days_returned"] == 5
    # no badge any more, and the dates are free again
    assert selectors.client_current_freeze(client, date(2026, 4, 1)) is None
    assert not selectors.client_is_frozen(client, date(2026, 5, 2))
    client_freeze(client=client, date_from=date(2026, 5, 2), date_to=date(2026, 5, 3), actor=actor)


def test_a_planned_freeze_can_be_cancelled_only_once(org, actor, shifts):
    """30.11: freeze 01.12–10.12 planned, then "end freeze" twice: the second is a 409
    that changes nothing (it used to succeed again and again)."""
    client = make_client(org)
    client_freeze(
        client=client, date_from=date(2026, 12, 1), date_to=date(2026, 12, 10), actor=actor
    )
    client_unfreeze(client=client, actor=actor, on_date=date(2026, 11, 30))
    before = _state()
    for day in (date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 5)):
        with pytest.raises(Conflict):
            client_unfreeze(client=client, actor=actor, on_date=day)
    assert _state() == before and [c["call"] for c in shifts] == ["freeze", "unfreeze"]


def test_ending_a_freeze_on_its_first_day_cancels_it(org, actor, shifts):
    client = make_client(org)
    client_freeze(client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), actor=actor)
    freeze = client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 1))
    assert freeze.is_cancelled and freeze.frozen_days == 0
    assert not selectors.client_is_frozen(client, date(2026, 3, 1))
    with pytest.raises(Conflict):
        client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 1))


def test_freeze_bad_dates_and_overlap_write_nothing(org, actor, shifts):
    client = make_client(org)
    before = _state()
    with pytest.raises(DomainError) as err:
        client_freeze(
            client=client, date_from=date(2026, 3, 10), date_to=date(2026, 3, 1), actor=actor
        )
    assert err.value.errors[0]["field"] == "date_to"
    assert _state() == before and shifts == []
    client_freeze(client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 10), actor=actor)
    before = _state()
    with pytest.raises(Conflict):
        client_freeze(
            client=client, date_from=date(2026, 3, 10), date_to=date(2026, 3, 12), actor=actor
        )
    assert _state() == before and len(shifts) == 1


def test_freeze_calls_the_memberships_contract(org, actor, monkeypatch):
    """Through the hook registry: memberships' clients_hooks call the real memberships services."""
    services = pytest.importorskip("zapys.memberships.services")
    calls = []
    for name in ("membership_freeze_extend", "membership_freeze_release"):
        monkeypatch.setattr(
            services, name, lambda _n=name, **kw: calls.append((_n, kw["freeze"].pk)) or 0
        )
    client = make_client(org)
    freeze = client_freeze(
        client=client, date_from=date(2026, 3, 1), date_to=date(2026, 3, 2), actor=actor
    )
    client_unfreeze(client=client, actor=actor, on_date=date(2026, 3, 2))
    assert calls == [
        ("membership_freeze_extend", freeze.pk),
        ("membership_freeze_release", freeze.pk),
    ]


def test_search_by_name_phone_email_and_tags(org, actor):
    a = make_client(org, "Коваленко Олена", phone="+380671234567", tags=["vip"])
    b = make_client(
        org, "Бондар Ігор", phone="+380501112233", email="igor@bondar.ua", tags=["club"]
    )
    c = make_client(org, "Третій", tags=["new"])
    assert list(selectors.client_list(search="олена")) == [a]
    assert list(selectors.client_list(search="067 123")) == [a]
    assert list(selectors.client_list(search="0501112233")) == [b]
    assert list(selectors.client_list(search="bondar.ua")) == [b]
    vip, club = Tag.objects.get(name="vip"), Tag.objects.get(name="club")
    assert set(selectors.client_list(tag_ids=[vip.pk, club.pk])) == {a, b}
    assert list(selectors.client_list(tag_names=["new"])) == [c]
