"""The emulator on a real socket: a thin HTTP/1.1 shell that plays ``logic.Reply`` values.

Everything the emulator decides lives in ``logic.Emulator``; this module only reads requests,
sleeps for delays, writes bytes (``Content-Length`` for plain replies, chunked and flushed event by
event for SSE, so that time-to-first-byte is real) and resets connections (``SO_LINGER`` 0).

A body larger than the platform profile's limit is never read into memory: a ``Content-Length``
over it is refused as it stands (the emulator answers 413), and the connection closes after the
answer, once what the client still sends has been discarded (within bounds).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import TCPServer
from types import TracebackType

from .logic import Emulator
from .profiles import EmulatorConfig
from .wire import EmulatorRequest, Reply

# A keep-alive connection idle this long is closed, so an abandoned client cannot pin a thread.
IDLE_TIMEOUT_S = 30.0
SERVE_POLL_S = 0.05
REASONS = {529: "Overloaded"}  # not in http.HTTPStatus
# After refusing an oversized body, read (and drop) what the client still sends, so that it reads
# the answer instead of a reset: at most this many bytes, idle at most this long.
DRAIN_MAX_BYTES = 256 * 1024 * 1024
DRAIN_IDLE_S = 2.0
DRAIN_CHUNK = 1 << 16


@dataclass(frozen=True)
class AccessLogEntry:
    """One served request, for an optional access-log callback."""

    method: str
    target: str
    status: int  # 0: the connection was reset before any header
    reset: str | None
    elapsed_s: float


AccessLog = Callable[[AccessLogEntry], None]


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64  # a parallel test run (pytest-xdist) connects in bursts

    def __init__(
        self, address: tuple[str, int], emulator: Emulator, access_log: AccessLog | None
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.emulator = emulator
        self.access_log = access_log
        self.stopping = threading.Event()
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN, a DNS lookup the emulator must not do.
        TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: object, client_address: object) -> None:
        # A client hanging up mid-reply is ordinary; anything else is an emulator bug worth a trace.
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]

    def drop_connections(self) -> None:
        """Shut every open connection, so idle keep-alive handlers return at once."""
        with self.connections_lock:
            for connection in self.connections:
                with contextlib.suppress(OSError):  # already closed by its handler
                    connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    timeout = IDLE_TIMEOUT_S

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; Nagle plus delayed ACKs would add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the socket may have been reset on purpose
            super().finish()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the emulator never writes to stderr by itself."""

    def _serve(self) -> None:
        started = time.monotonic()
        try:
            body = self._read_body(self.server.emulator.config.profile.max_request_bytes)
        except ValueError:  # a Content-Length or chunk size that is not a number
            self.send_error(400, "Bad request body framing")
            return
        request = EmulatorRequest.from_http(
            self.command, self.path, self.headers.items(), body or b"", too_large=body is None
        )
        reply = self.server.emulator.handle(request)
        try:
            self._play(reply, close=body is None)
            if body is None:
                self._drain()
        finally:
            if self.server.access_log is not None:
                elapsed = time.monotonic() - started
                entry = AccessLogEntry(self.command, self.path, reply.status, reply.reset, elapsed)
                self.server.access_log(entry)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _read_body(self, limit: int) -> bytes | None:
        """The body, or ``None`` when it is larger than ``limit`` bytes (then left unread)."""
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts: list[bytes] = []
            total = 0
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                total += size
                if total > limit:
                    return None
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        length = int(self.headers.get("content-length") or 0)
        if length > limit:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _drain(self) -> None:
        """Discard what the client still sends of a refused body (bounded) before closing."""
        with contextlib.suppress(OSError):
            self.connection.settimeout(DRAIN_IDLE_S)
            drained = 0
            while drained < DRAIN_MAX_BYTES and (chunk := self.rfile.read1(DRAIN_CHUNK)):
                drained += len(chunk)

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self.server.stopping.wait(seconds):
            raise ConnectionAbortedError("the emulator is stopping")

    def _play(self, reply: Reply, *, close: bool = False) -> None:
        self._wait(reply.delay_s)
        if reply.reset == "before-headers":
            self._reset()
            return
        self.send_response_only(reply.status, REASONS.get(reply.status))
        for name, value in reply.headers:
            self.send_header(name, value)
        if close:
            self.send_header("connection", "close")
            self.close_connection = True
        with_body = self.command != "HEAD"
        if not (reply.streamed or reply.reset):
            body = reply.body
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)
            return
        # HTTP/1.0 has no chunked encoding: the end of the stream is the end of the connection.
        chunked = self.request_version != "HTTP/1.0"
        if chunked:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("connection", "close")
            self.close_connection = True
        self.end_headers()
        for chunk in reply.chunks if with_body else ():
            self._wait(chunk.delay_s)
            framed = b"%x\r\n%s\r\n" % (len(chunk.data), chunk.data) if chunked else chunk.data
            self.wfile.write(framed)
        if reply.reset:
            self._reset()
        elif chunked and with_body:
            self.wfile.write(b"0\r\n\r\n")

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), not a clean FIN."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()
        self.connection.close()


class EmulatorServer:
    """The emulator served on ``host:port`` (0: a free port) from a background thread.

    ``api_key`` (if given) replaces the config's key; ``access_log`` sees every served request.
    """

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        api_key: str | None = None,
        access_log: AccessLog | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        config = config or EmulatorConfig()
        # A run that has a key of its own makes the emulator accept that key instead of the dev key.
        self.config = replace(config, api_key=api_key) if api_key else config
        self.host = host
        self._port = port
        self._emulator = Emulator(self.config, clock)
        self._access_log = access_log
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The bound port once started (the requested one before)."""
        return self._port

    @property
    def root_url(self) -> str:
        """``http://host:port``, without a path."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The base URL an SDK takes, like ``https://{resource}.services.ai.azure.com/anthropic/``."""
        return f"{self.root_url}/anthropic/"

    @property
    def api_key(self) -> str:
        """The one key the emulator accepts."""
        return self.config.api_key

    def usage(self, deployment: str) -> dict[str, int]:
        """What the quota pool of ``deployment``'s model has used in its current window."""
        return self._emulator.usage(deployment)

    def start(self) -> EmulatorServer:
        """Bind (``OSError`` if the port is taken) and serve from a daemon thread."""
        if self._httpd is not None:
            return self
        self._httpd = _HTTPServer((self.host, self._port), self._emulator, self._access_log)
        self._port = int(self._httpd.server_address[1])
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": SERVE_POLL_S},
            name=f"foundry-emulator:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and drop open connections; returns promptly."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._httpd = self._thread = None
        httpd.stopping.set()
        httpd.shutdown()
        httpd.drop_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
