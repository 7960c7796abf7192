"""gunicorn settings for Zapys: `gunicorn -c python:zapys.gunicorn_conf zapys.wsgi:application`.

Used by `manage.py serve`, by bench/callbacks.py and in production (docs/deployment.md),
so the benchmark measures the configuration that is deployed. Command-line options
still win over these.

Threaded workers (gthread), one process per core, 8 threads each: a request spends much
of its time waiting for PostgreSQL, and threads cover that wait at a fraction of a
process's memory and CPU. gthread also keeps connections alive, so a proxy in front with
upstream keep-alive saves a TCP handshake per request; sync workers close every
connection and then wait for the client's FIN. On the 2-core development machine, with
other processes competing for the cores, 2×8 served the callback benchmark (16 callbacks
in flight) ~2.5× faster than 2 or 4 sync workers, and no slower than 2×4, 3×6 or 4×4
threads (bench/callbacks.py, 2026-11-30).

Every thread holds its own persistent database connection (CONN_MAX_AGE), so one web
machine uses up to workers × threads PostgreSQL connections.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("WEB_THREADS") or 8)
graceful_timeout = 5
