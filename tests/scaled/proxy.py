"""A stand-in for the reverse proxy / load balancer in front of the web processes.

It does what docs/deployment.md asks of nginx, minus TLS: round-robin over the
upstreams, the original Host kept, `X-Forwarded-Proto: https` set (overwritten) on every
request — as if TLS had ended here — and the peer address appended to
`X-Forwarded-For`. One connection upstream per request; redirects are passed through,
not followed. Only for the scaled-mode run (tests/scaled/run.py), on 127.0.0.1.
"""

from __future__ import annotations

import http.client
import itertools
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

#: Hop-by-hop headers (RFC 9110 §7.6.1) are the proxy's own business, never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    upstreams: ClassVar[itertools.cycle]
    lock: ClassVar[threading.Lock]
    counts: ClassVar[dict[tuple[str, int], int]]

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_HEAD(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the run prints its own summary."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        with self.lock:
            host, port = next(self.upstreams)
            self.counts[(host, port)] = self.counts.get((host, port), 0) + 1
        headers = {
            name: value
            for name, value in self.headers.items()
            if name.lower() not in HOP_BY_HOP
            and name.lower() not in ("x-forwarded-proto", "x-forwarded-for")
        }
        forwarded_for = self.headers.get("X-Forwarded-For")
        peer = self.client_address[0]
        headers["X-Forwarded-For"] = f"{forwarded_for}, {peer}" if forwarded_for else peer
        headers["X-Forwarded-Proto"] = "https"
        upstream = http.client.HTTPConnection(host, port, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
        except OSError:
            self.send_error(502, "upstream unreachable")
            return
        finally:
            upstream.close()
        self.send_response(response.status, response.reason)
        for name, value in response.getheaders():
            if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)


class LoadBalancer:
    """`with LoadBalancer([("127.0.0.1", 8001), ("127.0.0.1", 8002)]) as lb: lb.base_url`"""

    def __init__(self, upstreams: list[tuple[str, int]], port: int = 0) -> None:
        handler = type(
            "Handler",
            (_Handler,),
            {"upstreams": itertools.cycle(upstreams), "lock": threading.Lock(), "counts": {}},
        )
        self.handler = handler
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def counts(self) -> dict[tuple[str, int], int]:
        """Requests sent to each upstream so far."""
        return dict(self.handler.counts)

    def start(self) -> LoadBalancer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LoadBalancer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
