"""`python manage.py serve [--port 8000]`: web (gunicorn) + Huey worker with its scheduler.

One command for the embedded mode. In the scaled mode run the parts separately (see
docs/deployment.md): gunicorn web processes, `manage.py run_huey --no-periodic` consumers,
and exactly one `manage.py run_huey` with the scheduler.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the web app with gunicorn and run the Huey worker + scheduler alongside."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--workers", type=int, default=None, help="web processes (default: one per core)"
        )

    def handle(self, *args: object, **options: object) -> None:
        python = sys.executable
        bind = f"{options['host']}:{options['port']}"
        # Worker class, processes and threads: zapys/gunicorn_conf.py, as in production.
        web = [
            python, "-m", "gunicorn", "zapys.wsgi:application",
            "-c", "python:zapys.gunicorn_conf", "--bind", bind, "--access-logfile", "-",
        ]  # fmt: skip
        if options["workers"]:
            web += ["--workers", str(options["workers"])]
        # Worker threads: HUEY_WORKERS (settings.HUEY["consumer"]), as in the scaled mode.
        worker = [python, "manage.py", "run_huey"]
        child_env = dict(os.environ)
        # Links in messages and provider callbacks must reach this server.
        child_env.setdefault("ZAPYS_PUBLIC_URL", f"http://{bind}")
        procs = [
            subprocess.Popen(worker, env=child_env),  # noqa: S603
            subprocess.Popen(web, env=child_env),  # noqa: S603
        ]
        self.stdout.write(
            self.style.SUCCESS(f"Zapys is running on http://{bind}/  (Ctrl+C to stop)")
        )
        self.stdout.write(f"Database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        self.stdout.write(
            f"Public URL (links, provider callbacks): {child_env['ZAPYS_PUBLIC_URL']}"
        )

        def stop(*_: object) -> None:
            for proc in procs:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)

        def on_term(*_: object) -> None:
            stop()
            sys.exit(0)

        signal.signal(signal.SIGTERM, on_term)
        try:
            while all(p.poll() is None for p in procs):
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
