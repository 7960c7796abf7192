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
import re
from typing import Any

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
threads = int(os.environ.get("WEB_THREADS") or 8)
graceful_timeout = 5

# gunicorn ≥ 25.1 opens a control socket for `gunicornc` (worker status, adding
# workers, graceful reload) at one fixed path per user: $XDG_RUNTIME_DIR/gunicorn.ctl or
# ~/.gunicorn/gunicorn.ctl. Two instances on one machine (two web processes, or web and
# the callback benchmark) then fight over it: the second one unlinks the first's socket
# and takes the path, and whichever stops first deletes the file, leaving the other
# instance unreachable. So each instance gets its own path, derived from its (unique)
# bind address: ~/.gunicorn/zapys-127.0.0.1-8000.ctl. `WEB_CONTROL_SOCKET` or
# `--control-socket` set it explicitly; `--no-control-socket` switches it off.
WEB_CONTROL_SOCKET = os.environ.get("WEB_CONTROL_SOCKET", "")
if WEB_CONTROL_SOCKET:
    control_socket = WEB_CONTROL_SOCKET


def control_socket_for(binds: list[str], default: str) -> str:
    """The instance's own control socket: next to gunicorn's default, named after the
    first bind address ("127.0.0.1:8000", "unix:/run/zapys/web.sock")."""
    name = re.sub(r"[^A-Za-z0-9.]+", "-", binds[0] if binds else "default").strip("-")
    return os.path.join(os.path.dirname(default), f"zapys-{name}.ctl")


def on_starting(server: Any) -> None:  # gunicorn's hook; `server` is the Arbiter
    """Runs in the arbiter before it binds; the control socket starts after the workers."""
    setting = server.cfg.settings["control_socket"]
    if setting.value == setting.default:  # not chosen by the operator
        server.cfg.set("control_socket", control_socket_for(server.cfg.bind, setting.default))
