"""Hostile HTTP servers on loopback, for the tests of the harness's deadlines and bounds.

Raw sockets in threads, each bounded: a server answers every request it reads by playing one
``Behaviour`` onto the connection (an endless stream of ``1xx``, headers one byte at a time, a
gzip bomb, a stream event of 50 MB, thousands of header fields), and stops playing as soon as the
client hangs up, the block ends, or ``PLAY_BOUND_S`` has passed. Nothing listens beyond
127.0.0.1, and nothing is ever looked up.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

# The longest a server plays one answer; every test that meets one ends far sooner.
PLAY_BOUND_S = 60.0
MiB = 1024 * 1024
JSON_200 = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nrequest-id: req_hostile\r\n"


@dataclass
class Connection:
    """One accepted connection, as a behaviour sees it."""

    sock: socket.socket
    stop: threading.Event
    deadline: float = field(default_factory=lambda: time.monotonic() + PLAY_BOUND_S)

    @property
    def playing(self) -> bool:
        return not self.stop.is_set() and time.monotonic() < self.deadline

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def pause(self, seconds: float) -> None:
        self.stop.wait(seconds)


Behaviour = Callable[[Connection], None]


def read_request(sock: socket.socket) -> bool:
    """Read one request (head and ``content-length`` body); False once the client is gone."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return False
        body += chunk
    return True


# -- behaviours -------------------------------------------------------------------------------


def interim_flood(conn: Connection) -> None:
    """``100 Continue`` after ``100 Continue``, never an answer."""
    while conn.playing:
        conn.send(b"HTTP/1.1 100 Continue\r\n\r\n" * 8)
        conn.pause(0.001)


def interim_then_answer(count: int) -> Behaviour:
    """``count`` interim responses (a 100 and 103s), then a small JSON answer."""

    def play(conn: Connection) -> None:
        conn.send(b"HTTP/1.1 100 Continue\r\n\r\n")
        conn.send(b"HTTP/1.1 103 Early Hints\r\nlink: </a>; rel=preload\r\n\r\n" * (count - 1))
        body = b'{"ok": true}'
        conn.send(JSON_200 + b"content-length: %d\r\n\r\n" % len(body) + body)

    return play


def slow_headers(conn: Connection) -> None:
    """A status line and headers that never end, one byte every 50 ms."""
    for byte in JSON_200 + b"x-slow: " + b"a" * 100_000:
        if not conn.playing:
            return
        conn.send(bytes([byte]))
        conn.pause(0.05)


def slow_body(conn: Connection) -> None:
    """Headers at once, then a body of one byte every 50 ms that never ends."""
    conn.send(JSON_200 + b"content-length: 100000\r\n\r\n")
    while conn.playing:
        conn.send(b" ")
        conn.pause(0.05)


@functools.cache
def gzip_bomb(decoded_mib: int = 256) -> bytes:
    """A gzip body of ``decoded_mib`` MiB of zeros (about a thousandth of that, compressed)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(MiB)
    return b"".join([*(compressor.compress(block) for _ in range(decoded_mib)), compressor.flush()])


def gzip_bombing(decoded_mib: int = 256) -> Behaviour:
    """A 200 whose gzip body decodes to ``decoded_mib`` MiB."""

    def play(conn: Connection) -> None:
        body = gzip_bomb(decoded_mib)
        head = JSON_200 + b"content-encoding: gzip\r\ncontent-length: %d\r\n\r\n" % len(body)
        conn.send(head + body)

    return play


def huge_event(event_mib: int = 50) -> Behaviour:
    """A 200 event stream whose first event is ``event_mib`` MiB long, sent a MiB at a time."""

    def play(conn: Connection) -> None:
        start = b'event: message_start\ndata: {"type":"message_start","message":{"id":"'
        end = b'"}}\n\n'
        size = len(start) + event_mib * MiB + len(end)
        conn.send(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nrequest-id: req_hostile\r\n"
            + b"content-length: %d\r\n\r\n" % size
            + start
        )
        chunk = b"x" * MiB
        for _ in range(event_mib):
            if not conn.playing:
                return
            conn.send(chunk)
        conn.send(end)

    return play


def many_headers(count: int = 2000) -> Behaviour:
    """A 200 with ``count`` header fields."""

    def play(conn: Connection) -> None:
        fields = b"".join(b"x-h%d: v\r\n" % i for i in range(count))
        conn.send(JSON_200 + fields + b"content-length: 2\r\n\r\n{}")

    return play


def huge_header(size: int = 200 * 1024) -> Behaviour:
    """A 200 with one header field of ``size`` bytes."""

    def play(conn: Connection) -> None:
        conn.send(JSON_200 + b"x-big: " + b"a" * size + b"\r\ncontent-length: 2\r\n\r\n{}")

    return play


# -- the server -------------------------------------------------------------------------------


@dataclass
class HostileServer:
    """A listening loopback socket that plays ``behaviour`` to every request."""

    behaviour: Behaviour
    sock: socket.socket
    stop: threading.Event = field(default_factory=threading.Event)
    connections: int = 0

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/anthropic/"

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:  # the poll interval passed, or the socket is closed
                continue
            self.connections += 1
            threading.Thread(target=self._play, args=(conn,), daemon=True).start()

    def _play(self, sock: socket.socket) -> None:
        conn = Connection(sock, self.stop)
        try:
            sock.settimeout(5)
            while conn.playing and read_request(sock):
                self.behaviour(conn)
        except OSError:
            pass  # the client hung up: what every behaviour is waiting for
        finally:
            sock.close()


@contextmanager
def hostile_server(behaviour: Behaviour) -> Iterator[HostileServer]:
    """A ``HostileServer`` for the duration of the block; stopped, and its threads told to end,
    when it closes."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        sock.settimeout(0.05)
        server = HostileServer(behaviour, sock)
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.stop.set()
            thread.join(timeout=5)
