"""The payments report's export speaks the administrator's language (issue 17): headers and
values in words of the page's language, dates as the business writes them — never the keys
`created_at`, `debit`, `payment` a developer would read."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import time_machine
from django.urls import reverse

from tests.factories_ledger import make_client, make_entry


def _csv(staff_client, language: str) -> list[list[str]]:
    response = staff_client.get(
        reverse("ledger:payments_report"), {"export": "csv"}, HTTP_ACCEPT_LANGUAGE=language
    )
    staff_client.cookies.pop("django_language", None)
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_the_export_has_words_not_keys_in_both_languages(org, branch, staff_client):
    with time_machine.travel(datetime(2026, 12, 3, 12, 30, tzinfo=UTC), tick=False):
        make_entry(make_client(org, "Шевчук Марія"), amount=45_000, branch=branch)
    staff_client.cookies["django_language"] = "uk"
    header, row = _csv(staff_client, "uk")
    assert header[:5] == ["№", "Дата і час", "Клієнт", "Вид", "Сума"]
    assert row[1] == "03.12.2026 14:30"  # 12:30 UTC in Kyiv, written the Ukrainian way
    assert row[4] == "450,00"
    keys = {"debit", "credit", "payment", "active", "created_at"}
    assert not keys & set(row) and not keys & set(header)
    staff_client.cookies["django_language"] = "en"
    header_en, row_en = _csv(staff_client, "en")
    assert header_en[:3] == ["No.", "Date and time", "Client"]
    assert not keys & set(row_en)
    assert row_en[3] != row[3]  # the kind in English words, not the Ukrainian ones again
