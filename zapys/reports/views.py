"""Staff pages of the Reports section: the index of every declared report, and the reports
this app answers itself (money by purpose / method / day, the day's sales, this period
against the one before, the payment-link funnel). Each page is a fixed number of queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zapys.core import exports
from zapys.core.money import to_decimal_string
from zapys.core.report_period import Bar, Period, bars, change_percent, period_form
from zapys.core.reports_registry import reports_for
from zapys.core.ui import MANAGERS
from zapys.core.views import staff_required
from zapys.reports import funnel as funnel_selectors
from zapys.reports import selectors
from zapys.reports.forms import DayFilterForm, MoneyFilterForm


@staff_required(*MANAGERS)
def index(request: HttpRequest) -> HttpResponse:
    """Every report page the apps declare (`<app>/reports.py`), by section."""
    sections = reports_for(request.user.role)  # type: ignore[union-attr]
    return render(request, "reports/index.html", {"sections": sections})


def money_amount(kopecks: int) -> Decimal:
    """Money for a spreadsheet: a number (XLSX) with a decimal comma (CSV)."""
    return Decimal(to_decimal_string(kopecks))


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("export", None)
    return query.urlencode()


def _branch_id(form: Any) -> int | None:
    if form.is_bound and form.is_valid() and form.cleaned_data.get("branch"):
        return form.cleaned_data["branch"].pk
    return None


def _compared(now: list[selectors.Line], before: list[selectors.Line]) -> list[dict]:
    """Lines of two periods side by side, by key (a line only one period has shows 0)."""
    earlier = {line.key: line for line in before}
    rows = []
    for line in now:
        old = earlier.pop(line.key, None)
        rows.append(_pair(line, old))
    rows += [_pair(selectors.Line(old.key, old.label), old) for old in earlier.values()]
    return rows


def _pair(line: selectors.Line, old: selectors.Line | None) -> dict:
    before = old.received if old else 0
    return {
        "label": line.label or (old.label if old else ""),
        "now": line,
        "before": old or selectors.Line(line.key, line.label),
        "change": change_percent(line.received, before),
    }


# --- Money: by purpose, method and day ----------------------------------------------------

#: The hours the day's chart always shows (first and last), widened to any hour with money.
WORKDAY = (8, 20)

MONEY_COLUMNS = [
    gettext_lazy("Date"),
    gettext_lazy("Purpose"),
    # card / cash / online, then the organization's own methods («Готівка (Центр)»): the
    # ledger's words since payment types became payment methods
    gettext_lazy("Kind of payment"),
    gettext_lazy("Payment method"),
    gettext_lazy("Received"),
    gettext_lazy("Refunded"),
    gettext_lazy("Payments"),
]


def _money_export_rows(
    report: selectors.MoneyReport, types: dict[int, dict], bucket_text: Any
) -> list[list[Any]]:
    purposes = {line.key: line.label for line in report.by_purpose}
    methods = {line.key: line.label for line in report.by_method}
    merged: dict[tuple, list[Any]] = {}
    for row in report.rows:
        kind = types.get(row["payment_type_id"], {})
        key = (row["bucket"], row["purpose"], row["payment_type_id"])
        line = merged.setdefault(
            key,
            [
                bucket_text(row["bucket"]),
                purposes.get(row["purpose"], ""),
                methods.get(kind.get("method", ""), ""),
                selectors.type_label(kind),
                0,
                0,
                0,
            ],
        )
        if row["kind"] == "debit":
            line[4] += row["amount"] or 0
            line[6] += row["count"]
        else:
            line[5] += row["amount"] or 0
    out = []
    for key in sorted(merged, key=lambda k: (k[0], k[1], k[2])):
        line = merged[key]
        out.append([*line[:4], money_amount(line[4]), money_amount(line[5]), line[6]])
    return out


def _export(fmt: str, name: str, title: str, columns: list, rows: list[list[Any]]) -> HttpResponse:
    if fmt == "csv":
        return exports.csv_response(f"{name}.csv", columns, rows)
    return exports.xlsx_response(f"{name}.xlsx", title[:31], columns, rows)


def _day_text(day: date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@staff_required(*MANAGERS)
def money(request: HttpRequest) -> HttpResponse:
    """Money received and refunded in a period: by purpose, by method, by payment type, bars
    by day, and against the period before. Four queries whatever the period holds."""
    form, period = period_form(request.GET, form_class=MoneyFilterForm)
    branch_id = _branch_id(form)
    types = selectors.payment_types()
    report = selectors.money_report(
        selectors.money_rows(*period.bounds(), branch_id=branch_id), types
    )
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        rows = _money_export_rows(report, types, _day_text)
        name = f"money-{period.start}-{period.end}"
        return _export(fmt, name, _("Money"), MONEY_COLUMNS, rows)
    previous = period.previous()
    before = selectors.money_report(
        selectors.money_rows(*previous.bounds(), branch_id=branch_id), types
    )
    context = {
        "form": form,
        "period": period,
        "previous": previous,
        "report": report,
        "before": before,
        "change": change_percent(report.total.received, before.total.received),
        "bars": bars(period, selectors.day_values(report)),
        "query": _query(request),
    }
    return render(request, "reports/money.html", context)


# --- The day's sales ----------------------------------------------------------------------


def _hour_text(hour: int) -> str:
    return f"{hour:02d}:00"


@staff_required(*MANAGERS)
def day(request: HttpRequest) -> HttpResponse:
    """One day's money by hour, purpose and method, against the same weekday a week before."""
    bound = any(request.GET.get(k) for k in DayFilterForm.base_fields)
    form = DayFilterForm(request.GET if bound else None)
    the_day = timezone.localdate()
    if bound and form.is_valid() and form.cleaned_data.get("day"):
        the_day = form.cleaned_data["day"]
    if not bound:
        form = DayFilterForm(initial={"day": the_day})
    branch_id = _branch_id(form)
    types = selectors.payment_types()
    this = Period(the_day, the_day)
    report = selectors.money_report(
        selectors.money_rows(*this.bounds(), branch_id=branch_id, by_hour=True), types
    )
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        columns = [gettext_lazy("Hour"), *MONEY_COLUMNS[1:]]
        rows = _money_export_rows(report, types, _hour_text)
        return _export(fmt, f"day-{the_day}", _("Hourly takings"), columns, rows)
    week_ago = Period(the_day - timedelta(days=7), the_day - timedelta(days=7))
    before = selectors.money_report(
        selectors.money_rows(*week_ago.bounds(), branch_id=branch_id, by_hour=True), types
    )
    peak = max((line.received for line in report.by_bucket.values()), default=0) or 1
    hours: list[dict[str, Any]] = []
    for hour in range(24):
        value = report.by_bucket[hour].received if hour in report.by_bucket else 0
        hours.append(
            {"label": _hour_text(hour), "value": value, "percent": round(100 * value / peak)}
        )
    busy = [h for h in hours if h["value"]]
    context = {
        "form": form,
        "day": the_day,
        "week_ago": week_ago.start,
        "report": report,
        "before": before,
        "change": change_percent(report.total.received, before.total.received),
        "by_method": _compared(report.by_method, before.by_method),
        "by_purpose": _compared(report.by_purpose, before.by_purpose),
        # A working day (08–20) widened to the first and last hours with money: a day paid
        # in one hour is one bar among its neighbours, not one bar the width of the card.
        "hours": (
            hours[
                min(hours.index(busy[0]), WORKDAY[0]) : max(hours.index(busy[-1]), WORKDAY[1]) + 1
            ]
            if busy
            else []
        ),
        "query": _query(request),
    }
    return render(request, "reports/day.html", context)


# --- This period against the one before -------------------------------------------------


def _on_one_scale(*charts: list[Bar]) -> tuple[list[list[Bar]], int]:
    """Bars of several charts measured against the tallest bar of all of them, and that
    value: side by side, November's 8,550 drawn as tall as December's 54,225 read as an
    equal month (`bars` scales each chart to its own peak)."""
    peak = max((bar.value for chart in charts for bar in chart), default=0)
    scaled = [
        [Bar(bar.day, bar.value, round(100 * bar.value / (peak or 1))) for bar in chart]
        for chart in charts
    ]
    return scaled, peak


@staff_required(*MANAGERS)
def compare(request: HttpRequest) -> HttpResponse:
    """This month against the last (or any period against as many days before): totals,
    purposes and methods side by side, and both periods' bars."""
    form, period = period_form(request.GET, form_class=MoneyFilterForm)
    branch_id = _branch_id(form)
    previous = period.previous()
    types = selectors.payment_types()
    now = selectors.money_report(selectors.money_rows(*period.bounds(), branch_id=branch_id), types)
    before = selectors.money_report(
        selectors.money_rows(*previous.bounds(), branch_id=branch_id), types
    )
    by_purpose = _compared(now.by_purpose, before.by_purpose)
    by_method = _compared(now.by_method, before.by_method)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        columns = [
            gettext_lazy("Group"),
            gettext_lazy("Name"),
            _("Received %(from)s – %(to)s")
            % {"from": _day_text(period.start), "to": _day_text(period.end)},
            _("Received %(from)s – %(to)s")
            % {"from": _day_text(previous.start), "to": _day_text(previous.end)},
            gettext_lazy("Change, %"),
        ]
        rows = [
            [group, row["label"], money_amount(row["now"].received),
             money_amount(row["before"].received),
             row["change"] if row["change"] is not None else ""]
            for group, lines in ((_("Purpose"), by_purpose), (_("Kind of payment"), by_method))
            for row in lines
        ]  # fmt: skip
        change = change_percent(now.total.received, before.total.received)
        total = [_("Total"), "", money_amount(now.total.received),
                 money_amount(before.total.received), "" if change is None else change]  # fmt: skip
        return _export(fmt, f"compare-{period.start}-{period.end}", _("Comparison"), columns,
                       [*rows, total])  # fmt: skip
    (bars_now, bars_before), scale_top = _on_one_scale(
        bars(period, selectors.day_values(now)), bars(previous, selectors.day_values(before))
    )
    context = {
        "form": form,
        "period": period,
        "previous": previous,
        "now": now,
        "before": before,
        "change": change_percent(now.total.received, before.total.received),
        "by_purpose": by_purpose,
        "by_method": by_method,
        "bars_now": bars_now,
        "bars_before": bars_before,
        "scale_top": scale_top,
        "query": _query(request),
    }
    return render(request, "reports/compare.html", context)


# --- The payment-link funnel (X9) -------------------------------------------------------


@staff_required(*MANAGERS)
def funnel(request: HttpRequest) -> HttpResponse:
    form, period = period_form(request.GET, default="last_30")
    result = funnel_selectors.funnel_for(period)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx"):
        columns, rows = funnel_selectors.export_rows(result)
        return _export(fmt, f"links-{period.start}-{period.end}", _("Payment links"), columns, rows)
    context = {"form": form, "period": period, "funnel": result, "query": _query(request)}
    return render(request, "reports/funnel.html", context)
