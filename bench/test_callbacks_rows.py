"""The top-up baseline of bench/callbacks.py writes the rows the app writes (run by hand).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys_<you> \
        .venv/bin/pytest bench/test_callbacks_rows.py -q

Not part of the suite (`testpaths` leaves bench/ out): it guards a benchmark, not the
product. PostgreSQL only, as the baseline's SQL is. One top-up callback goes through the
app (the HTTP view, in a savepoint), its rows are read, the savepoint is rolled back and
the id sequences are put back; then the baseline's transaction runs for the same payment
and its rows are read the same way. Apart from timestamps, every column of every row
must be equal — ids included, since both sides start from the same sequence values.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from bench.callbacks import FORM, TOP_UP, _raw_top_up, callback_body, callback_path, prepare

# Tables a top-up callback inserts into, and how many rows each gets.
INSERTED = {
    "payments_paymentevent": 1,
    "ledger_account": 1,
    "ledger_entry": 1,
    "ledger_financialoperation": 1,
    "ledger_salesreceipt": 1,
    "ledger_salesreceiptline": 1,
    "ledger_salesreceiptpayment": 1,
    "messaging_staffnotification": 1,
    "messaging_message": 1,
    "core_auditlog": 6,  # entry, operation, receipt, notification, message, payment
}
# Written with the clock of the moment (Python's on the app side, now() on the other).
TIMESTAMPS = {"created_at", "updated_at", "paid_at", "received_at", "next_attempt_at"}


def _marks(cursor) -> dict[str, tuple[int, str, int, bool]]:
    """Per table: the highest id, and its id sequence's state."""
    marks = {}
    for table in INSERTED:
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
        (top,) = cursor.fetchone()
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cursor.fetchone()
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
        last_value, is_called = cursor.fetchone()
        marks[table] = (top, sequence, last_value, is_called)
    return marks


def _rows(cursor, marks, payment_id: int) -> dict[str, list[dict]]:
    """The rows added since `marks`, and the payment's own row, without timestamps."""

    def read(sql: str, params: list) -> list[dict]:
        cursor.execute(sql, params)
        names = [c.name for c in cursor.description]
        return [
            {k: v for k, v in zip(names, row, strict=True) if k not in TIMESTAMPS}
            for row in cursor.fetchall()
        ]

    rows = {
        table: read(f"SELECT * FROM {table} WHERE id > %s ORDER BY id", [marks[table][0]])
        for table in INSERTED
    }
    rows["payments_payment"] = read("SELECT * FROM payments_payment WHERE id = %s", [payment_id])
    return rows


@pytest.mark.django_db
def test_the_top_up_baseline_writes_the_rows_the_app_writes(client):
    if connection.vendor != "postgresql":
        pytest.skip("the baseline is PostgreSQL SQL")
    account, (mode,) = prepare([TOP_UP], [2])
    payment_id, order_id, amount = mode.warm[0]
    with connection.cursor() as cursor:
        marks = _marks(cursor)
        before = _rows(cursor, marks, payment_id)
        assert before["payments_payment"][0]["status"] == "pending"

        savepoint = transaction.savepoint()
        response = client.post(
            callback_path(account), callback_body(payment_id, order_id, amount), content_type=FORM
        )
        assert response.status_code == 200
        app = _rows(cursor, marks, payment_id)
        transaction.savepoint_rollback(savepoint)
        for _top, sequence, last_value, is_called in marks.values():
            cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])
        assert _rows(cursor, marks, payment_id) == before  # the app's rows are gone

        _raw_top_up(connection.connection, mode.params(account, mode.warm[0]))
        raw = _rows(cursor, marks, payment_id)

    assert {table: len(app[table]) for table in INSERTED} == INSERTED
    assert app["payments_payment"][0]["status"] == "succeeded"
    for table in app:
        assert raw[table] == app[table], table
