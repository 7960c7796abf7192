"""A light HTTP/1.1 load generator for benchmarks: one thread, non-blocking sockets.

Sends prepared requests over `concurrency` connections (at most that many in flight),
keeps a connection alive when the server allows it and reconnects when the server says
`Connection: close`, closing its side at once so the server is never left waiting for
the client. Per request it costs a few tens of microseconds of CPU, so on a small
machine the load generator does not compete with the server it measures the way a
thread pool of full-featured clients does (measured in bench/callbacks.py).
"""

from __future__ import annotations

import errno
import selectors
import socket
import time
from collections import deque
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    wall: float
    latencies: list[float]
    statuses: dict[int, int]
    connections: int
    failures: list[str] = field(default_factory=list)


class _Conn:
    __slots__ = ("buf", "close_after", "need", "out", "sent_at", "sock", "status")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.out = b""
        self.buf = b""
        self.sent_at = 0.0
        self.status = 0
        self.need = -1  # bytes of body still expected (-1: headers not parsed yet)
        self.close_after = False


def run_load(
    host: str, port: int, requests: list[bytes], concurrency: int, timeout: float = 60.0
) -> LoadResult:
    """Send every request once; return wall time, per-request latencies and statuses."""
    pending = deque(requests)
    sel = selectors.DefaultSelector()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures: list[str] = []
    opened = 0

    def open_conn() -> _Conn:
        nonlocal opened
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        err = sock.connect_ex((host, port))
        if err not in (0, errno.EINPROGRESS):
            raise OSError(err, f"connect to {host}:{port} failed")
        opened += 1
        return _Conn(sock)

    def start(conn: _Conn | None) -> None:
        """Give the next request to `conn` (or a new connection)."""
        if not pending:
            if conn is not None:
                sel.unregister(conn.sock)
                conn.sock.close()
            return
        if conn is None:
            conn = open_conn()
            sel.register(conn.sock, selectors.EVENT_WRITE, conn)
        else:
            sel.modify(conn.sock, selectors.EVENT_WRITE, conn)
        conn.out = pending.popleft()
        conn.buf, conn.need, conn.status, conn.close_after = b"", -1, 0, False
        conn.sent_at = time.perf_counter()

    def finish(conn: _Conn) -> None:
        latencies.append(time.perf_counter() - conn.sent_at)
        statuses[conn.status] = statuses.get(conn.status, 0) + 1
        if conn.close_after:
            sel.unregister(conn.sock)
            conn.sock.close()
            start(None)
        else:
            start(conn)

    def parse(conn: _Conn) -> bool:
        """True when the whole response is in `conn.buf`."""
        if conn.need < 0:
            end = conn.buf.find(b"\r\n\r\n")
            if end < 0:
                return False
            head = conn.buf[:end].decode("latin-1").split("\r\n")
            conn.status = int(head[0].split(" ", 2)[1])
            headers = {}
            for line in head[1:]:
                name, _sep, value = line.partition(":")
                headers[name.strip().lower()] = value.strip().lower()
            conn.close_after = headers.get("connection") == "close" or head[0].startswith(
                "HTTP/1.0"
            )
            if "content-length" in headers:
                conn.need = int(headers["content-length"])
            elif headers.get("transfer-encoding") == "chunked":
                conn.need = -2
            else:
                conn.need = -3  # read until the server closes
                conn.close_after = True
            conn.buf = conn.buf[end + 4 :]
        if conn.need >= 0:
            return len(conn.buf) >= conn.need
        if conn.need == -2:
            return conn.buf.endswith(b"0\r\n\r\n")
        return False

    started = time.perf_counter()
    for _ in range(min(concurrency, len(requests))):
        start(None)
    deadline = started + timeout
    while sel.get_map():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"{len(latencies)} of {len(requests)} responses in {timeout}s")
        for key, events in sel.select(timeout=1.0):
            conn = key.data
            if events & selectors.EVENT_WRITE:
                try:
                    sent = conn.sock.send(conn.out)
                except (BlockingIOError, InterruptedError):
                    continue
                conn.out = conn.out[sent:]
                if not conn.out:
                    sel.modify(conn.sock, selectors.EVENT_READ, conn)
                continue
            try:
                chunk = conn.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                continue
            except ConnectionError as exc:
                chunk = b""
                failures.append(str(exc))
            if not chunk:
                # Closed by the server: complete only if we were reading until close.
                if conn.need == -3:
                    finish(conn)
                else:
                    failures.append(f"connection closed after {len(conn.buf)} bytes")
                    sel.unregister(conn.sock)
                    conn.sock.close()
                    start(None)
                continue
            conn.buf += chunk
            if parse(conn):
                finish(conn)
    return LoadResult(time.perf_counter() - started, latencies, statuses, opened, failures)


def post_request(host: str, port: int, path: str, body: bytes, content_type: str) -> bytes:
    """The bytes of one HTTP/1.1 POST with a body."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body
