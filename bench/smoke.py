"""Every benchmark that checks its result against its raw-SQL baseline, run at a small size.

The benchmarks assert, before timing, that the application and the raw SQL computed the same
rows (the same report figures, outbox rows, invoices, audit rows...). The code moves on and a
baseline written by hand does not: `bench/reports.py`'s payment-link SQL went out of date for a
whole session before anyone ran it. CI runs this, so a baseline that no longer answers the same
question fails the build. The sizes are small on purpose: the ratios printed here are not the
README's (those come from full-size runs on a quiet machine) and nothing here is timed against a
limit.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zapys .venv/bin/python bench/smoke.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKERS = int(os.environ.get("BENCH_SMOKE_WORKERS", "2"))

#: bench script → the environment that makes it small (each has its own size knob).
SMALL: dict[str, dict[str, str]] = {
    "reports.py": {"BENCH_ENTRIES": "20000", "BENCH_PAYMENTS": "5000"},
    "broadcast.py": {"BENCH_CLIENTS": "300"},
    "expiry_sweep.py": {"BENCH_BOOKINGS": "200"},
    "invoice_run.py": {"BENCH_CLIENTS": "200"},
    "waitlist_sweep.py": {"BENCH_OFFERS": "100"},
    "fiscal.py": {"BENCH_RECEIPTS": "50"},
    # the callbacks bench's top-up baseline, row for row against the app (a pytest file)
    "test_callbacks_rows.py": {},
}


def _run(script: str, knobs: dict[str, str]) -> tuple[str, subprocess.CompletedProcess, float]:
    env = {**os.environ, "BENCH_REPEAT": "1", **knobs}
    started = time.monotonic()
    command = [sys.executable, str(HERE / script)]
    if script.startswith("test_"):
        command[1:1] = ["-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"]
    run = subprocess.run(command, env=env, capture_output=True, text=True)
    return script, run, time.monotonic() - started


def main() -> int:
    # Two at a time: each builds and migrates its own throwaway database (`_throwaway.py`,
    # named per script), so they never meet; two cores halve the step (nothing here is timed).
    failed = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        for script, run, seconds in pool.map(lambda item: _run(*item), SMALL.items()):
            verdict = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
            print(f"{script:22} {verdict:18} {seconds:5.0f} s", flush=True)
            if run.returncode != 0:
                failed.append(script)
                print(run.stdout[-3000:], run.stderr[-3000:], sep="\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
