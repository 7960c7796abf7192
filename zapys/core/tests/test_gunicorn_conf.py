"""zapys/gunicorn_conf.py: one control socket per gunicorn instance."""

from __future__ import annotations

from types import SimpleNamespace

from gunicorn.config import Config

from zapys import gunicorn_conf


def _started(*binds: str, control_socket: str | None = None) -> str:
    """The control socket path an instance bound to `binds` ends up with."""
    cfg = Config()
    cfg.set("bind", list(binds))
    if control_socket is not None:
        cfg.set("control_socket", control_socket)
    gunicorn_conf.on_starting(SimpleNamespace(cfg=cfg))
    return cfg.control_socket


def test_two_instances_on_one_machine_get_their_own_control_socket():
    # Sharing gunicorn's default path, the second instance unlinks the first's socket and
    # the first one to stop deletes the other's: `gunicornc` then reaches neither.
    first, second = _started("127.0.0.1:8001"), _started("127.0.0.1:8002")
    assert first != second
    assert first.endswith("/zapys-127.0.0.1-8001.ctl")
    default = Config().control_socket
    assert first.rsplit("/", 1)[0] == default.rsplit("/", 1)[0]  # gunicorn's own directory
    assert _started("unix:/run/zapys/web.sock").endswith("/zapys-unix-run-zapys-web.sock.ctl")


def test_a_control_socket_chosen_by_the_operator_is_kept():
    assert _started("127.0.0.1:8001", control_socket="/run/zapys/web-a.ctl") == (
        "/run/zapys/web-a.ctl"
    )
