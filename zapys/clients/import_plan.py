"""Planning a client import (step 2 of `zapys.clients.importing`): every row parsed and
validated with the same rules as the client card, and matched by phone to the client it
would update. Reads only: the plan says what would happen, `import_write` does it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from zapys.clients.models import Client
from zapys.clients.services import _clean_fields, _clean_tag_names
from zapys.core.exceptions import DomainError
from zapys.core.money import MoneyError, parse_money

REPORT_MAX_REJECTED = 1000


PREVIEW_ROWS = 50


#: how much of a rejected row's name and phone the preview keeps
PREVIEW_TEXT_CHARS = 200


TYPE_WORDS = {
    "individual": Client.Type.INDIVIDUAL,
    "фізична особа": Client.Type.INDIVIDUAL,
    "фізособа": Client.Type.INDIVIDUAL,
    "legal": Client.Type.LEGAL_ENTITY,
    "legal entity": Client.Type.LEGAL_ENTITY,
    "legal_entity": Client.Type.LEGAL_ENTITY,
    "юридична особа": Client.Type.LEGAL_ENTITY,
    "юрособа": Client.Type.LEGAL_ENTITY,
}


STATUS_WORDS = {
    "active": Client.Status.ACTIVE,
    "активний": Client.Status.ACTIVE,
    "відвідує": Client.Status.ACTIVE,  # the words the pages show (issue 17)
    "inactive": Client.Status.INACTIVE,
    "неактивний": Client.Status.INACTIVE,
    "не відвідує": Client.Status.INACTIVE,
    "lead": Client.Status.LEAD,
    "лід": Client.Status.LEAD,
    "потенційний клієнт": Client.Status.LEAD,  # the word the pages show
    "потенційний": Client.Status.LEAD,
    "prospect": Client.Status.LEAD,
}


CREATE, UPDATE, UNCHANGED, REJECT = "create", "update", "unchanged", "reject"


@dataclass
class PlannedRow:
    row: int
    action: str
    name: str = ""
    phone: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    balance: int = 0
    reason: str = ""
    client_id: int | None = None


@dataclass
class ImportReport:
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    rejected_count: int = 0
    opening_balances: int = 0  # how many opening-balance entries were (or would be) posted
    dry_run: bool = True
    preview: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, row: int, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < REPORT_MAX_REJECTED:
            self.rejected.append({"row": row, "reason": reason})

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "rejected_count": self.rejected_count,
            "opening_balances": self.opening_balances,
            "dry_run": self.dry_run,
            "preview": self.preview,
        }

    def summary(self) -> str:
        """One line for people, in the active language, each count with its plural form."""
        if self.dry_run:
            created = ngettext(
                "%(n)s client would be created",
                "%(n)s clients would be created",
                self.created,
            )
            updated = ngettext("%(n)s would be updated", "%(n)s would be updated", self.updated)
        else:
            created = ngettext(
                "%(n)s client was created", "%(n)s clients were created", self.created
            )
            updated = ngettext("%(n)s was updated", "%(n)s were updated", self.updated)
        return _("%(rows)s: %(created)s, %(updated)s, %(unchanged)s, %(rejected)s.") % {
            "rows": ngettext("%(n)s row", "%(n)s rows", self.total) % {"n": self.total},
            "created": created % {"n": self.created},
            "updated": updated % {"n": self.updated},
            "unchanged": ngettext("%(n)s unchanged", "%(n)s unchanged", self.unchanged)
            % {"n": self.unchanged},
            "rejected": ngettext("%(n)s row rejected", "%(n)s rows rejected", self.rejected_count)
            % {"n": self.rejected_count},
        }


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%y")


def _parse_date(text: str) -> date:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise DomainError(_("Enter the birthday as YYYY-MM-DD or DD.MM.YYYY."), field="birthday")


def _parse_balance(text: str) -> int:
    try:
        return parse_money(text, "uk")
    except MoneyError:
        try:
            # "1,234.56" from an English spreadsheet
            return parse_money(text, "en")
        except MoneyError:
            pass
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is not None and value == value.quantize(Decimal("0.01")):
        return int(value * 100)
    raise DomainError(_("The balance must be an amount like 150.50 or -200."), field="balance")


def _split_tags(text: str) -> list[str]:
    return [part for part in re.split(r"[;,|]", text) if part.strip()]


def _clean_row(raw: dict[str, Any]) -> PlannedRow:
    """One file row validated by the client card's rules; DomainError names the column."""
    fields: dict[str, Any] = {"name": raw.get("name", ""), "phone": raw.get("phone", "")}
    if not str(fields["phone"]).strip():
        raise DomainError(_("The phone is required to import a client."), field="phone")
    for key in ("email", "note"):
        if raw.get(key):
            fields[key] = raw[key]
    if raw.get("birthday"):
        fields["birthday"] = _parse_date(raw["birthday"])
    if raw.get("client_type"):
        word = raw["client_type"].strip().lower()
        fields["client_type"] = TYPE_WORDS.get(word, word)
    if raw.get("status"):
        word = raw["status"].strip().lower()
        fields["status"] = STATUS_WORDS.get(word, word)
    cleaned = _clean_fields(fields)
    tags = _clean_tag_names(_split_tags(raw.get("tags", "")))
    balance = _parse_balance(raw["balance"]) if raw.get("balance") else 0
    return PlannedRow(
        row=raw["_row"],
        action=CREATE,
        name=cleaned["name"],
        phone=cleaned["phone"],
        fields=cleaned,
        tags=tags,
        balance=balance,
    )


def _existing_by_phone(phones: Sequence[str]) -> dict[str, Client]:
    found: dict[str, Client] = {}
    unique = sorted(set(phones))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        for client in (
            Client.objects.alive().filter(phone__in=chunk).prefetch_related("tags").order_by("id")
        ):
            found.setdefault(client.phone, client)
    return found


# How a rejected row names the column at fault, in the reader's language.
COLUMN_LABELS = {
    "name": pgettext_lazy("import column", "name"),
    "phone": pgettext_lazy("import column", "phone"),
    "email": pgettext_lazy("import column", "email"),
    "birthday": pgettext_lazy("import column", "birthday"),
    "note": pgettext_lazy("import column", "note"),
    "tags": pgettext_lazy("import column", "tags"),
    "balance": pgettext_lazy("import column", "balance"),
    "client_type": pgettext_lazy("import column", "type"),
    "status": pgettext_lazy("import column", "status"),
}


def _field_label(field_name: str | None) -> str:
    if not field_name:
        return _("row")
    return str(COLUMN_LABELS.get(field_name, field_name))


def rejection_reason(exc: DomainError) -> str:
    """ "phone: Enter a valid phone number… email: Enter a valid e-mail address." — every
    invalid column of the row, not only the first."""
    problems = exc.errors or [{"field": "", "message": exc.detail}]
    return " ".join(f"{_field_label(p.get('field'))}: {p['message']}" for p in problems)


def plan_rows(rows: Sequence[dict[str, Any]]) -> list[PlannedRow]:
    """Decide, without writing, what importing each row would do."""
    planned: list[PlannedRow] = []
    first_row_of_phone: dict[str, int] = {}
    for raw in rows:
        try:
            row = _clean_row(raw)
        except DomainError as exc:
            planned.append(
                PlannedRow(
                    row=raw["_row"],
                    action=REJECT,
                    name=str(raw.get("name", "")),
                    phone=str(raw.get("phone", "")),
                    reason=rejection_reason(exc),
                )
            )
            continue
        if row.phone in first_row_of_phone:
            row.action = REJECT
            row.reason = _("phone: the same phone as row %(row)s.") % {
                "row": first_row_of_phone[row.phone]
            }
        else:
            first_row_of_phone[row.phone] = row.row
        planned.append(row)
    existing = _existing_by_phone([r.phone for r in planned if r.action == CREATE])
    for row in planned:
        client = existing.get(row.phone) if row.action == CREATE else None
        if client is None:
            continue
        row.client_id = client.pk
        have = {t.name.lower() for t in client.tags.all()}
        missing_tags = [t for t in row.tags if t.lower() not in have]
        fill = {
            key: value
            for key, value in row.fields.items()
            if key in ("email", "birthday", "note") and value and not getattr(client, key)
        }
        if missing_tags or fill:
            row.action = UPDATE
            row.fields = fill
            row.tags = [t.name for t in client.tags.all()] + missing_tags
        else:
            row.action = UNCHANGED
    return planned


def report_from_plan(planned: Sequence[PlannedRow], *, dry_run: bool) -> ImportReport:
    report = ImportReport(total=len(planned), dry_run=dry_run)
    for row in planned:
        if row.action == REJECT:
            report.reject(row.row, row.reason)
        elif row.action == CREATE:
            report.created += 1
            report.opening_balances += 1 if row.balance else 0
        elif row.action == UPDATE:
            report.updated += 1
        else:
            report.unchanged += 1
        if len(report.preview) < PREVIEW_ROWS:
            report.preview.append(
                {
                    "row": row.row,
                    "action": row.action,
                    "name": row.name[:PREVIEW_TEXT_CHARS],
                    "phone": row.phone[:PREVIEW_TEXT_CHARS],
                    "tags": row.tags,
                    "balance": row.balance if row.action == CREATE else 0,
                    "reason": row.reason,
                }
            )
    return report


def import_dry_run(rows: Sequence[dict[str, Any]]) -> ImportReport:
    """What importing these rows would do; writes nothing."""
    return report_from_plan(plan_rows(rows), dry_run=True)
