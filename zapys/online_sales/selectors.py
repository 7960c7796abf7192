"""Reads of online membership sales: plans on sale, the buttons and their snippet, sales."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from zapys.accounts.models import Branch, Organization
from zapys.core.tenancy import organization_zone
from zapys.memberships.models import MembershipPlan
from zapys.online_sales.models import OnlineSale, OnlineSalesSettings, PlanOnline
from zapys.payments.config import public_base
from zapys.schedule.models import Attendance, Visit


def plans_with_online(organization: Organization) -> list[tuple[MembershipPlan, PlanOnline | None]]:
    """Every living plan with its online row (None: never set), in two queries."""
    plans = list(MembershipPlan.objects.for_org(organization).filter(is_archived=False))
    rows = {
        row.plan_id: row
        for row in PlanOnline.objects.for_org(organization).filter(
            plan_id__in=[p.pk for p in plans]
        )
    }
    return [(plan, rows.get(plan.pk)) for plan in plans]


def plans_on_sale(organization: Organization) -> QuerySet[PlanOnline]:
    """What the storefront lists: allowed, permanent, priced, not archived."""
    return (
        PlanOnline.objects.for_org(organization)
        .filter(
            sell_online=True,
            plan__kind=MembershipPlan.Kind.PERMANENT,
            plan__is_archived=False,
            plan__price__gt=0,
        )
        .select_related("plan")
        .order_by("plan__name", "id")
    )


def storefront_url(organization: Organization) -> str:
    return public_base() + reverse("online_sales:storefront", args=[organization.slug])


def plan_url(organization: Organization, plan_id: int) -> str:
    return public_base() + reverse("online_sales:plan_page", args=[organization.slug, plan_id])


def button_css(style: Any) -> str:
    """The inline style of a button: what the preview shows and the snippet carries (no
    stylesheet, no script: it must look the same pasted into any site). The width and height
    are minimums: a long plan name widens the button, and past the width of the page (a
    phone) wraps onto balanced lines and makes it taller — in a fixed 240 px it wrapped inside
    and ran out of the button. `min(…, 100%)`: a minimum wider than a phone would otherwise
    win over `max-width`."""
    return (
        "display:inline-flex;align-items:center;justify-content:center;box-sizing:border-box;"
        f"min-width:min({style.width}px,100%);min-height:{style.height}px;max-width:100%;"
        f"color:{style.text_color};background:{style.background};"
        f"font-size:{style.text_size}px;font-weight:{'700' if style.bold else '400'};"
        f"border:{style.border_width}px solid {style.border_color};"
        f"border-radius:{style.radius}px;"
        "text-decoration:none;font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
        "text-align:center;line-height:1.2;padding:6px 16px;"
        "text-wrap:balance;overflow-wrap:break-word;"
    )


def embed_html(row: PlanOnline, url: str, language: str | None = None) -> str:
    """The snippet to paste into the business's site: one plain link styled inline — no
    third-party script, no tracking, nothing loaded from anywhere. Its text is the button's
    in `language` (the active one when not given)."""
    return (
        f'<a href="{escape(url)}" target="_blank" rel="noopener" '
        f'style="{escape(button_css(row))}">{escape(row.label(language))}</a>'
    )


@dataclass(frozen=True)
class SaleFilters:
    status: str = ""
    search: str = ""
    plan_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None


def sales_list(
    filters: SaleFilters | None = None, *, include_pending: bool = False
) -> QuerySet[OnlineSale]:
    """Sales in the active organization, newest first; `search` looks in the e-mail, phone,
    code and plan name. Purchases still awaiting payment only when asked for (by status or
    `include_pending`): the staff's list is of money that came."""
    filters = filters or SaleFilters()
    qs = OnlineSale.objects.select_related("client", "payment")
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif not include_pending:
        qs = qs.exclude(status=OnlineSale.Status.PENDING)
    if filters.plan_id:
        qs = qs.filter(plan_id=filters.plan_id)
    if filters.date_from:
        qs = qs.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(created_at__date__lte=filters.date_to)
    text = " ".join((filters.search or "").split())
    if text:
        from zapys.online_sales.codes import code_normalise

        condition = (
            Q(email__icontains=text) | Q(phone__contains=text) | Q(plan_name__icontains=text)
        )
        code = code_normalise(text)
        if code:
            condition |= Q(activation_code=code)
        qs = qs.filter(condition)
    return qs.order_by("-created_at", "-id")


@dataclass(frozen=True)
class PlanTotals:
    plan_name: str
    sold: int
    amount: int
    commission: int
    refunded: int
    refunded_amount: int
    #: the commission of sales paid but not attached to a client yet: the payments report
    #: charges it to the client when the sale is attached (until then it is inside the
    #: payment "no client yet"), so its commission total is this much lower
    commission_unattached: int = 0


def report(*, date_from: date, date_to: date) -> list[PlanTotals]:
    """Online sales by plan in the period (by the day they were paid): what sold, the
    commission in it, what was refunded — one query."""
    rows = (
        OnlineSale.objects.filter(
            paid_at__date__gte=date_from,
            paid_at__date__lte=date_to,
            status__in=[
                OnlineSale.Status.PAID,
                OnlineSale.Status.ATTACHED,
                OnlineSale.Status.REFUNDED,
            ],
        )
        .values("plan_name")
        .annotate(
            n_sold=Count("id"),
            total=Sum("amount"),
            total_commission=Sum("commission"),
            unattached_commission=Sum("commission", filter=Q(status=OnlineSale.Status.PAID)),
            n_refunded=Count("id", filter=Q(status=OnlineSale.Status.REFUNDED)),
            total_refunded=Sum("amount", filter=Q(status=OnlineSale.Status.REFUNDED)),
        )
        .order_by("plan_name")
    )
    return [
        PlanTotals(
            r["plan_name"],
            r["n_sold"],
            r["total"] or 0,
            r["total_commission"] or 0,
            r["n_refunded"],
            r["total_refunded"] or 0,
            r["unattached_commission"] or 0,
        )
        for r in rows
    ]


def unattached_older_than(days: int) -> QuerySet[OnlineSale]:
    """Paid purchases nobody attached for `days` days (the report and the dashboard card)."""
    edge = timezone.now() - timedelta(days=days)
    return OnlineSale.objects.filter(status=OnlineSale.Status.PAID, paid_at__lte=edge).order_by(
        "paid_at", "id"
    )


#: At most this many lessons are offered in the attach dialog (the nearest first).
LESSONS_OFFERED = 60


def lessons_to_book(
    organization: Organization,
    *,
    group_ids: list[int],
    starts_on: date,
    ends_on: date,
    now: Any = None,
) -> list[Any]:
    """The lessons of `group_ids` a membership valid `starts_on`–`ends_on` can be booked
    into (O4 "optionally book classes"): not started, not cancelled, within the validity,
    nearest first, each with `taken` seats — one query whatever the number."""
    if not group_ids:
        return []
    zone = organization_zone(organization)
    first = datetime.combine(starts_on, time.min, tzinfo=zone)
    last = datetime.combine(ends_on + timedelta(days=1), time.min, tzinfo=zone)
    return list(
        Visit.objects.for_org(organization)
        .filter(
            kind=Visit.Kind.LESSON,
            group_id__in=group_ids,
            blocks_time=True,
            starts_at__gte=max(first, now or timezone.now()),
            starts_at__lt=last,
        )
        .select_related("group", "branch")
        .annotate(
            taken=Count("attendances", filter=~Q(attendances__state=Attendance.State.CANCELLED))
        )
        .order_by("starts_at", "id")[:LESSONS_OFFERED]
    )


def shop_branch(settings: OnlineSalesSettings) -> Branch | None:
    """The branch whose address and phone the shop's public pages show, in one query: the
    one receiving the money (the payment page of the purchase shows it too), else the
    organization's only active branch. With several branches and none chosen, None: the
    organization's own contacts (`core/_business_contacts.html`)."""
    branches = Branch.objects.for_org(settings.organization_id).filter(is_active=True)
    if settings.branch_id:
        return branches.filter(pk=settings.branch_id).first()
    only = list(branches.order_by("pk")[:2])
    return only[0] if len(only) == 1 else None
