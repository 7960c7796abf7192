"""Staff pages of the ledger: tab partial, add entry, cancel via htmx, report + exports."""

from __future__ import annotations

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import SYSTEM
from tests.factories_ledger import make_client, make_entry, make_membership, make_payment_type
from zapys.core.tenancy import org_scope
from zapys.ledger.models import Entry, FinancialOperation
from zapys.ledger.services import entry_cancel


def test_tab_partial_and_page(org, staff_client):
    client = make_client(org)
    make_entry(client, amount=12_300)
    url = reverse("ledger:client_entries", kwargs={"client_id": client.pk})
    partial = staff_client.get(url, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b'data-testid="entry-row"' in partial.content
    page = staff_client.get(url)
    assert page.status_code == 200 and b"<html" in page.content


def test_tab_has_constant_queries(org, staff_client, django_assert_max_num_queries):
    client = make_client(org)
    make_entry(client)
    url = reverse("ledger:client_entries", kwargs={"client_id": client.pk})

    with CaptureQueriesContext(connection) as few:
        staff_client.get(url, headers={"HX-Request": "true"})
    for _ in range(15):
        make_entry(client, kind="credit", purpose="service")
    with django_assert_max_num_queries(len(few.captured_queries)):
        staff_client.get(url, headers={"HX-Request": "true"})


def test_add_entry_form(org, branch, staff_client):
    client = make_client(org)
    pt = make_payment_type(branch)
    url = reverse("ledger:client_entry_new", kwargs={"client_id": client.pk})
    assert staff_client.get(url).status_code == 200
    bad = staff_client.post(url, {"kind": "debit", "amount": "-5", "purpose": "payment"})
    assert bad.status_code == 200 and not Entry.objects.exists()
    bad = staff_client.post(url, {"kind": "debit", "amount": "1,555", "purpose": "payment"})
    assert bad.status_code == 200 and not Entry.objects.exists()
    # Money in for "service delivered", a charge called a top-up: refused at the purpose.
    for kind, purpose in (("debit", "service"), ("credit", "top_up")):
        bad = staff_client.post(url, {"kind": kind, "amount": "100", "purpose": purpose})
        assert bad.status_code == 200 and list(bad.context["form"].errors) == ["purpose"]
        assert not Entry.objects.exists()
    r = staff_client.post(
        url, {"kind": "debit", "amount": "1 234,50", "purpose": "payment", "payment_type": pt.pk}
    )
    assert r.status_code == 302
    entry = Entry.objects.get()
    assert (entry.amount, entry.payment_type_id, entry.branch_id) == (123_450, pt.pk, branch.pk)


def test_cancel_via_htmx_shows_struck_through(org, staff_client):
    client = make_client(org)
    entry = make_entry(client)
    r = staff_client.post(
        reverse("ledger:entry_cancel", kwargs={"entry_id": entry.pk}),
        headers={"HX-Request": "true", "HX-Prompt": "%D0%BE%D0%BF%D0%B8%D1%81%D0%BA%D0%B0"},
    )
    assert r.status_code == 200
    assert b"text-decoration-line-through" in r.content
    entry = Entry.objects.get(pk=entry.pk)
    assert entry.status == "cancelled" and entry.cancel_reason == "описка"
    # the card's header balance listens to this event and reloads itself
    assert r["HX-Trigger"] == "balanceChanged"
    again = staff_client.post(
        reverse("ledger:entry_cancel", kwargs={"entry_id": entry.pk}),
        headers={"HX-Request": "true"},
    )
    assert again.status_code == 200 and "HX-Trigger" not in again
    assert Entry.objects.get(pk=entry.pk).cancel_reason == "описка"


def test_payments_report_and_exports(org, branch, staff_client):
    client = make_client(org, "Іваненко Марія")
    make_entry(client, amount=10_000, branch=branch)
    cancelled = make_entry(client, amount=99_900, branch=branch)

    entry_cancel(entry=cancelled, actor=SYSTEM)
    make_entry(client, "credit", 3_000, purpose="service", branch=branch)
    url = reverse("ledger:payments_report")
    r = staff_client.get(url)
    assert r.status_code == 200
    assert r.context["totals"].debit == 10_000 and r.context["totals"].credit == 3_000
    r = staff_client.get(url, {"purpose": "service"})
    assert r.context["totals"].debit == 0 and r.context["totals"].credit == 3_000
    csv_resp = staff_client.get(url, {"export": "csv"})
    text = csv_resp.content.decode("utf-8-sig")
    assert (
        "Іваненко Марія" in text and "100,00" in text and "-30,00" in text and "999,00" not in text
    )
    xlsx = staff_client.get(url, {"export": "xlsx"})
    wb = load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "№" and len(rows) == 3  # headers in words, not keys


def test_operations_day_sales_settings_pages(org, branch, staff_client):
    pt = make_payment_type(branch)
    r = staff_client.post(
        reverse("ledger:operations"),
        {"kind": "expense", "amount": "300", "payment_type": pt.pk, "comment": "rent"},
    )
    assert r.status_code == 302 and FinancialOperation.objects.get().amount == 30_000
    assert staff_client.get(reverse("ledger:operations")).status_code == 200
    make_membership(make_client(org), branch=branch)
    r = staff_client.get(reverse("ledger:day_sales"))
    assert r.status_code == 200 and r.context["summary"]["count"] == 1
    r = staff_client.post(
        reverse("ledger:settings"),
        {"action": "article", "ar-kind": "expense", "ar-name": "Оренда"},
    )
    assert r.status_code == 302
    assert staff_client.get(reverse("ledger:settings")).status_code == 200


def test_foreign_or_deleted_client_is_404(org, other_org, staff_client):

    with org_scope(other_org):
        foreign = make_client(other_org)
    url = reverse("ledger:client_entries", kwargs={"client_id": foreign.pk})
    assert staff_client.get(url).status_code == 404
