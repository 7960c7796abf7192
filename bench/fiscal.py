"""Benchmark: 5,000 paid online payments fiscalised against the local Checkbox simulator
(tests/simulators/checkbox.py: a real HTTP server in this process). The `fiscal.send` job
runs tick after tick (time moved past each backoff) until every receipt is DONE; prints
receipts per second and our SQL statements per receipt (counted with an execute wrapper,
the simulator's HTTP not included), which must not grow with the number of receipts: the
run is made twice, with BENCH_RECEIPTS/10 and BENCH_RECEIPTS, and both are printed.

    .venv/bin/python bench/fiscal.py                  # a throwaway SQLite file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/fiscal.py
"""

from __future__ import annotations

import os
import sys
import time as clock
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._throwaway import throwaway_database

LABEL, CLEANUP = throwaway_database("bench_fiscal")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zapys.settings")
os.environ.setdefault("HUEY_IMMEDIATE", "1")
os.environ.setdefault("ZAPYS_PUBLIC_URL", "http://testserver")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

N = int(os.environ.get("BENCH_RECEIPTS", "5000"))


def run(n: int, name: str) -> tuple[float, int, int]:
    from tests.factories import SYSTEM, make_branch, make_org
    from tests.factories_payments import make_account, make_topup
    from tests.simulators.checkbox import CheckboxSimulator
    from zapys.core.tenancy import org_scope
    from zapys.fiscal.models import FiscalReceipt
    from zapys.fiscal.sending import receipts_send
    from zapys.fiscal.tests.factories import make_register
    from zapys.payments.services import payment_succeed

    with CheckboxSimulator() as sim:
        org = make_org(name)
        with org_scope(org):
            branch = make_branch(org, "Main")
            make_register(org, branch, sim.base_url)
            account = make_account(org, "sandbox")
            for _ in range(n):  # each paid top-up asks for its receipt (ledger.money's hook)
                payment_succeed(payment=make_topup(org, account=account, amount=10_000),
                                actor=SYSTEM)  # fmt: skip
            assert FiscalReceipt.objects.filter(status="pending").count() == n
        statements: list[str] = []
        now = datetime.now(UTC)
        started = clock.perf_counter()
        with connection.execute_wrapper(
            lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)
        ):
            for _ in range(10 * n):
                receipts_send(now)
                now += timedelta(hours=1)
                with org_scope(org):
                    if not FiscalReceipt.objects.exclude(status="done").exists():
                        break
        elapsed = clock.perf_counter() - started
        with org_scope(org):
            done = FiscalReceipt.objects.filter(status="done").count()
        assert done == n, f"{done} of {n} done"
        assert len(sim.receipts) == n
        return elapsed, len(statements), done


def main() -> None:
    call_command("migrate", verbosity=0)
    print(f"{LABEL}: receipts fiscalised against the Checkbox simulator")
    print(
        f"{'receipts':>9} {'seconds':>8} {'receipts/s':>11} {'statements':>11} {'per receipt':>12}"
    )
    for n, name in ((max(N // 10, 1), "Bench fiscal small"), (N, "Bench fiscal")):
        elapsed, statements, done = run(n, name)
        print(f"{done:9d} {elapsed:8.1f} {done / elapsed:11.1f} {statements:11d} "
              f"{statements / done:12.2f}")  # fmt: skip


if __name__ == "__main__":
    try:
        main()
    finally:
        CLEANUP()
