"""A throwaway database for a benchmark run, so results never touch the dev database."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlparse, urlunparse


def throwaway_database(suffix: str) -> tuple[str, Callable[[], None]]:
    """Point DATABASE_URL at a fresh database; return (label, cleanup).

    With DATABASE_URL=postgres://… a database `<name>_<suffix>` is created on that server
    (and dropped by cleanup); otherwise a temporary SQLite file is used.
    """
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parsed = urlparse(url)
        name = f"{parsed.path.lstrip('/') or 'zapys'}_{suffix}"
        admin = urlunparse(parsed._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{name}"))

        def cleanup() -> None:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')

        return f"PostgreSQL ({name})", cleanup
    tmp = tempfile.mkdtemp(prefix="zapys-bench-")
    path = Path(tmp) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    def cleanup_sqlite() -> None:
        for ext in ("", "-wal", "-shm"):
            Path(f"{path}{ext}").unlink(missing_ok=True)
        os.rmdir(tmp)

    return f"SQLite ({path})", cleanup_sqlite
