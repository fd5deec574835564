"""A hostile Foundry on loopback that sends the credential back in every form a server, a gateway
or a proxy has been seen to: the leak forms of the adversarial rig, all at once.

Each answer spells the run's key (``secret``, which the server is told; the presented credential
is compared with it, so that the checks' deliberately wrong keys are refused with 401):

- in the **status line** (``200 OK <key>``) and as a **header's name** (``x-<key>: 1``);
- in the **correlation-ID headers** (``request-id: req_<key>``, ``apim-request-id: <key>``);
- **percent-encoded in a Location header's query** (every byte), on a ``302`` for ``/v1/models``;
- in the body: **JSON ``\\u``-escaped**, **HTML-escaped**, **base64 and base64url at an offset**
  inside a larger blob, **hex**, **upper-cased**, **cut to a fragment** at a length limit; as a
  **tool's input**; in an error's message (401, 404);
- in a stream: **split across two ``text_delta`` events** and across two ``input_json_delta``
  events of a tool's input, and in a **mid-stream ``error`` event**.

Bounded: requests are read up to 1 MiB with a socket timeout, threads are daemons, and the
server is shut down when the block ends.
"""

from __future__ import annotations

import base64
import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

MAX_REQUEST = 1 << 20
MESSAGE_ID = "msg_01EchoEchoEcho"


def every_byte_percent(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


def every_char_json(text: str) -> str:
    return "".join(f"\\u{ord(char):04x}" for char in text)


def every_char_html(text: str) -> str:
    return "".join(f"&#{ord(char)};" for char in text)


def echo_fields(secret: str) -> str:
    """JSON members (as text, to keep the escapes as sent) that spell ``secret``."""
    raw = secret.encode()
    fields = {
        "echo_json_escaped": every_char_json(secret),
        "echo_html_escaped": json.dumps(every_char_html(secret))[1:-1],
        "echo_base64": base64.b64encode(b"x" + raw + b"yz").decode(),
        "echo_base64url": base64.urlsafe_b64encode(b"ab" + raw + b"?>~").decode(),
        "echo_hex": raw.hex(),
        "echo_upper": secret.upper(),
        "echo_fragment": f"key {secret[:16]}… (truncated at 16 characters)",
    }
    return ", ".join(f'"{name}": "{value}"' for name, value in fields.items())


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data)}\n\n".encode()


def stream(secret: str, model: str) -> bytes:
    """A message stream whose deltas, joined, spell the key, and that ends in an error event."""
    half = len(secret) // 2
    message = {
        "id": MESSAGE_ID,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    text = [f"the key is {secret[:half]}", f"{secret[half:]}."]
    tool = ['{"api_key": "' + secret[:half], secret[half:] + '"}']
    events = [_sse("message_start", {"type": "message_start", "message": message})]
    events.append(
        _sse(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
    )
    events += [
        _sse(
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}},
        )
        for t in text
    ]
    events.append(_sse("content_block_stop", {"type": "content_block_stop", "index": 0}))
    block = {"type": "tool_use", "id": "toolu_01Echo", "name": "echo", "input": {}}
    events.append(
        _sse(
            "content_block_start",
            {"type": "content_block_start", "index": 1, "content_block": block},
        )
    )
    events += [
        _sse(
            "content_block_delta",
            {
                "type": "content_block_delta",
                "index": 1,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            },
        )
        for piece in tool
    ]
    events.append(_sse("content_block_stop", {"type": "content_block_stop", "index": 1}))
    error = {"type": "api_error", "message": f"upstream rejected credential {secret}"}
    events.append(_sse("error", {"type": "error", "error": error}))
    return b"".join(events)


def message(secret: str, model: str) -> bytes:
    """A Messages answer with the key in its text, a tool's input and the echo fields."""
    body = {
        "id": MESSAGE_ID,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [
            {"type": "text", "text": f"Your key is {secret}"},
            {
                "type": "tool_use",
                "id": "toolu_01Echo",
                "name": "echo",
                "input": {"api_key": secret},
            },
        ],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 3, "output_tokens": 1},
    }
    text = json.dumps(body)
    return (text[:-1] + ", " + echo_fields(secret) + "}").encode()


def error(secret: str, status: int, kind: str) -> bytes:
    text = json.dumps(
        {
            "type": "error",
            "error": {"type": kind, "message": f"{kind}: the key that works is {secret}"},
        }
    )
    return (text[:-1] + ", " + echo_fields(secret) + "}").encode()


def _presented(headers: Any) -> str:
    for name in ("x-api-key", "api-key"):
        if headers.get(name):
            return str(headers[name])
    return str(headers.get("authorization", "")).removeprefix("Bearer ").strip()


def handler_for(secret: str) -> type[http.server.BaseHTTPRequestHandler]:
    """A request handler that echoes ``secret``."""

    class Echo(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 10

        def _answer(self) -> None:
            length = min(int(self.headers.get("content-length") or 0), MAX_REQUEST)
            raw = self.rfile.read(length) if length else b""
            try:
                request = json.loads(raw) if raw else {}
            except ValueError:
                request = {}
            request = request if isinstance(request, dict) else {}
            model = str(request.get("model") or "claude-sonnet-4-5")
            status, content_type, location = 200, "application/json", None
            if _presented(self.headers) != secret:
                status, body = 401, error(secret, 401, "authentication_error")
            elif self.path.endswith("/v1/models"):
                status, body = 302, b""
                location = (
                    f"https://gateway.invalid/signin?return=%2F&key={every_byte_percent(secret)}"
                )
            elif self.path.endswith("/v1/messages") and request.get("stream"):
                body, content_type = stream(secret, model), "text/event-stream"
            elif self.path.endswith("/v1/messages"):
                body = message(secret, model)
            elif self.path.endswith("/count_tokens"):
                body = (
                    json.dumps({"input_tokens": 3})[:-1] + ", " + echo_fields(secret) + "}"
                ).encode()
            else:
                status, body = 404, error(secret, 404, "not_found_error")
            self.send_response(status, f"OK {secret}")
            self.send_header(f"x-{secret}", "1")
            self.send_header("request-id", f"req_{secret}")
            self.send_header("apim-request-id", secret)
            self.send_header("content-type", content_type)
            if location is not None:
                self.send_header("location", location)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Echo


@contextmanager
def echoing(secret: str) -> Iterator[str]:
    """The hostile server, for the block; yields its base URL."""
    with serving(handler_for(secret)) as base_url:
        yield base_url


@contextmanager
def serving(handler: type[http.server.BaseHTTPRequestHandler]) -> Iterator[str]:
    """A loopback HTTP server of ``handler``, for the block; yields its Foundry base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/anthropic/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
