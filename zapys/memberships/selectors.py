"""Reads of membership plans and client memberships."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import CharField, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast
from django.utils import timezone

from zapys.core.prepared import PreparedQuery
from zapys.ledger.models import Entry
from zapys.memberships.models import ClientMembership, MembershipPlan


def plans_list(*, include_archived: bool = False, kind: str | None = None) -> QuerySet:
    qs = MembershipPlan.objects.prefetch_related("services", "groups", "subjects")
    if not include_archived:
        qs = qs.filter(is_archived=False)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("is_archived", "name", "id")


def _payment_entries(status: str) -> QuerySet:

    return Entry.objects.filter(
        cause_type=ClientMembership._meta.label_lower,
        cause_id=Cast(OuterRef("pk"), CharField()),
        kind=Entry.Kind.DEBIT,
        purpose=Entry.Purpose.PAYMENT,
        status=status,
    )


def with_payment_state(qs: QuerySet[ClientMembership]) -> QuerySet[ClientMembership]:
    """Annotate whether the sale's payment is in force or was cancelled in the ledger
    (`ClientMembership.payment_cancelled`), as two subqueries: no query per row."""
    return qs.annotate(
        has_active_payment=Exists(_payment_entries("active")),
        has_cancelled_payment=Exists(_payment_entries("cancelled")),
    )


def membership_payment_cancelled(membership: ClientMembership) -> bool:
    """Paid at sale, but that payment was cancelled since (the client owes the price)."""
    if hasattr(membership, "has_cancelled_payment"):
        return membership.payment_cancelled
    found = with_payment_state(ClientMembership.objects.filter(pk=membership.pk)).first()
    return bool(found and found.payment_cancelled)


def client_memberships(*, client: Any) -> QuerySet[ClientMembership]:
    """Every membership the client ever had (the history), newest first."""
    return with_payment_state(
        ClientMembership.objects.filter(client_id=client.pk)
        .select_related("plan", "account", "renewed_from")
        .order_by("-starts_on", "-id")
    )


def active_memberships(*, client: Any, on_date: date | None = None) -> list[ClientMembership]:
    """Memberships valid today or later (not cancelled), the one ending first first."""
    day = on_date or timezone.localdate()
    return list(
        client_memberships(client=client)
        .filter(status=ClientMembership.Status.ACTIVE, ends_on__gte=day)
        .order_by("ends_on", "id")
    )


def membership_is_current(membership: ClientMembership, day: date | None = None) -> bool:
    return membership.is_valid_on(day or timezone.localdate())


def memberships_covering(
    *, client: Any, on_date: date, service: Any = None, group: Any = None
) -> QuerySet[ClientMembership]:
    """The client's active memberships that cover a visit on `on_date` to `service` or
    `group` (or everything) and still have a visit left, the one expiring first first."""
    return _covering(
        ClientMembership.objects.for_org(client.organization_id).filter(client_id=client.pk),
        on_date,
        service,
        group,
    )


def clients_with_covering_membership(
    *,
    organization: Any,
    client_ids: list[int],
    on_date: date,
    service: Any = None,
    group: Any = None,
) -> set[int]:
    """Which of `client_ids` have a membership covering that visit (the rule of
    `memberships_covering`), in one query for a whole group lesson."""
    if not client_ids:
        return set()
    if len(client_ids) == 1 and service is not None and group is None:
        # one client's appointment (a checkout): compiled once (core/prepared.py)
        org_id = getattr(organization, "pk", organization)
        service_id = getattr(service, "pk", service)
        return set(
            _COVERING_ONE.rows(org=org_id, client=client_ids[0], day=on_date, service=service_id)
        )
    qs = ClientMembership.objects.for_org(organization).filter(client_id__in=client_ids)
    return set(_covering(qs, on_date, service, group).values_list("client_id", flat=True))


_COVERING_ONE: PreparedQuery[ClientMembership] = PreparedQuery(
    lambda s: _covering(
        ClientMembership.objects.for_org(s.org()).filter(client_id=s.number("client")),
        s.day("day"),
        s.number("service"),
        None,
    ).values_list("client_id", flat=True)
)


@dataclass(frozen=True)
class CoverAsk:
    """One question for `clients_covered_many`: which of `client_ids` have a membership
    covering a visit of `service` / `group` on `on_date`."""

    client_ids: tuple[int, ...]
    on_date: date
    service: Any = None
    group: Any = None


# SQLite refuses a compound SELECT of more than 500 terms; the unpaid list asks at most a
# few dozen (service, group, day) questions, so this chunk is one query in practice.
_ASKS_PER_QUERY = 400


def clients_covered_many(*, organization: Any, asks: list[CoverAsk]) -> list[set[int]]:
    """`clients_with_covering_membership` for many visits at once: the answer to each ask,
    in order, from one UNION query per 400 asks (the same `_covering` rule, so a limit of
    groups or of visits reads the same as for one visit), not one query per ask."""
    answers: list[set[int]] = [set() for _ in asks]
    base = ClientMembership.objects.for_org(organization)
    live = [(n, ask) for n, ask in enumerate(asks) if ask.client_ids]
    for start in range(0, len(live), _ASKS_PER_QUERY):
        parts = [
            _covering(
                base.filter(client_id__in=ask.client_ids), ask.on_date, ask.service, ask.group
            )
            .order_by()
            .annotate(ask=Value(n, output_field=IntegerField()))
            .values_list("ask", "client_id")
            for n, ask in live[start : start + _ASKS_PER_QUERY]
        ]
        for n, client_id in parts[0].union(*parts[1:]):
            answers[n].add(client_id)
    return answers


def _covering(
    qs: QuerySet[ClientMembership], on_date: date, service: Any, group: Any
) -> QuerySet[ClientMembership]:
    qs = qs.filter(
        status=ClientMembership.Status.ACTIVE,
        starts_on__lte=on_date,
        ends_on__gte=on_date,
    )
    cover = Q(plan__covers_everything=True)
    if service is not None:
        cover |= Q(plan__services=service)
    if group is not None:
        cover |= Q(plan__groups=group)
        if getattr(group, "subject_id", None):
            cover |= Q(plan__subjects=group.subject_id)
    has_visits = Q(visits_total__isnull=True) | Q(
        visits_total__gt=F("visits_used") + F("virtual_visits")
    )
    return (
        qs.filter(cover)
        .filter(has_visits)
        .filter(_group_limit(group))
        .distinct()
        .order_by("ends_on", "id")
    )


def _group_limit(group: Any) -> Q:
    """A membership limited to groups (`ClientMembership.groups`, set when an online sale is
    attached "for these groups") covers only lessons of those groups; one with no groups is
    limited by its plan alone. Subqueries, so the rows are not multiplied by the groups."""
    limits = ClientMembership.groups.through.objects.filter(clientmembership_id=OuterRef("pk"))
    unlimited = ~Q(Exists(limits))
    if group is None:
        return unlimited
    return unlimited | Q(Exists(limits.filter(group_id=getattr(group, "pk", group))))
