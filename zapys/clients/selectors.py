"""Reads of clients, tags and freezes. Lists are built for a constant number of queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from zapys.accounts.models import Organization
from zapys.clients import hooks
from zapys.clients.models import Client, ClientFreeze, ClientImport, Tag
from zapys.clients.phones import phone_search_digits
from zapys.core.exceptions import NotFound
from zapys.core.models import AuditLog
from zapys.core.tenancy import require_org


def org_today(organization: Organization | None = None) -> date:
    """Today in the organization's time zone (a freeze is in force by the local date)."""
    org = organization or require_org()
    try:
        tz = ZoneInfo(org.time_zone)
    except (KeyError, ValueError):
        tz = ZoneInfo("Europe/Kyiv")
    return timezone.localtime(timezone.now(), tz).date()


def client_get(*, client_id: int, include_deleted: bool = False) -> Client:
    """The active organization's client; NotFound (404) for a foreign, missing or deleted one."""
    qs = Client.objects.all() if include_deleted else Client.objects.alive()
    client = qs.filter(pk=client_id).first()
    if client is None:
        raise NotFound(_("Client not found."))
    return client


def client_list(
    *,
    search: str = "",
    tag_ids: Sequence[int] = (),
    tag_names: Sequence[str] = (),
    deleted: bool = False,
    on_date: date | None = None,
) -> QuerySet[Client]:
    """Clients matching a search (name, phone, e-mail) and any of the tags, ordered by name
    the Ukrainian way (the column's collation, see core/collation.py).

    Tags are filtered with EXISTS rather than a join, so no DISTINCT is needed and the
    (organization, deleted_at, name, id) index serves the ordering. Tags are prefetched
    and `is_frozen` annotated: a page costs the same number of queries at any size.
    """
    qs = Client.objects.deleted() if deleted else Client.objects.alive()
    search = search.strip()
    if search:
        # Every word somewhere in the name, e-mail or phone: "Андрій Кравець" finds the card
        # "Кравець Андрій" (the parts in any order).
        condition = Q()
        for word in search.lower().split():
            condition &= Q(search_text__contains=word)
        digits = phone_search_digits(search)
        if digits:
            # Stored E.164 (+380...); "067 123" should find +38067123....
            condition |= Q(phone__contains=digits.lstrip("0") if len(digits) > 3 else digits)
        qs = qs.filter(condition)
    if tag_ids or tag_names:
        tag_filter = Q()
        if tag_ids:
            tag_filter |= Q(tag_id__in=list(tag_ids))
        if tag_names:
            names = Tag.objects.filter(name__in=[n.strip() for n in tag_names if n.strip()])
            tag_filter |= Q(tag_id__in=names.values("pk"))
        through = Client.tags.through.objects.filter(client_id=OuterRef("pk")).filter(tag_filter)
        qs = qs.filter(Exists(through))
    return (
        qs.with_frozen(on_date or org_today())
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("name")))
        .order_by("name", "id")
    )


def client_phone_duplicates(*, phone: str, exclude_id: int | None = None) -> list[Client]:
    """Other (not deleted) clients with the same E.164 phone: a warning, not a block."""
    if not phone:
        return []
    qs = Client.objects.alive().filter(phone=phone)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return list(qs.order_by("id")[:5])


def client_warnings(client: Client) -> list[str]:
    """Non-blocking remarks shown after a create/update (API `warnings`, UI messages)."""
    return [
        _("The phone %(phone)s also belongs to %(name)s (#%(id)s).")
        % {"phone": client.phone, "name": other.name, "id": other.pk}
        for other in client_phone_duplicates(phone=client.phone, exclude_id=client.pk)
    ]


def client_current_freeze(client: Client, on_date: date | None = None) -> ClientFreeze | None:
    """The freeze in force on `on_date`, else the next upcoming one (for the card's badge)."""
    day = on_date or org_today(client.organization)
    return (
        ClientFreeze.objects.not_over(day).filter(client=client).order_by("date_from", "id").first()
    )


def client_is_frozen(client: Client, on_date: date | None = None) -> bool:
    day = on_date or org_today(client.organization)
    return ClientFreeze.objects.covering(day).filter(client=client).exists()


def freezes_covering(*, client_ids: Iterable[int], on_date: date) -> dict[int, ClientFreeze]:
    """{client_id: freeze} for those clients frozen on `on_date` (one query; for schedule)."""
    return {
        f.client_id: f
        for f in ClientFreeze.objects.covering(on_date).filter(client_id__in=list(client_ids))
    }


def client_freezes(client: Client) -> QuerySet[ClientFreeze]:
    return ClientFreeze.objects.filter(client=client).order_by("-date_from", "-id")


def client_balance(client: Client) -> int:
    return hooks.client_balance(client)


def balances_for(client_ids: Iterable[int]) -> dict[int, int]:
    return hooks.balances_for(client_ids)


def tag_list() -> QuerySet[Tag]:
    return Tag.objects.order_by("name")


def client_history(client: Client) -> QuerySet[AuditLog]:
    """Audit rows about this client (the card's History tab)."""
    return (
        AuditLog.objects.filter(object_type=Client._meta.label_lower, object_id=str(client.pk))
        .select_related("actor_user")
        .order_by("-created_at", "-id")
    )


def client_import_get(*, import_id: int) -> ClientImport:
    found = ClientImport.objects.filter(pk=import_id).first()
    if found is None:
        raise NotFound(_("Import not found."))
    return found


def client_or_404(client_id: int, *, include_deleted: bool = False) -> Client:
    """For staff views: the active organization's client, or the 404 page for a foreign,
    missing or (unless `include_deleted`) deleted one — every app's views use this one."""
    try:
        return client_get(client_id=client_id, include_deleted=include_deleted)
    except NotFound:
        raise Http404(_("Client not found.")) from None
